/**
 * Compressed echo throughput (permessage-deflate, RFC 7692), side by side in
 * one run: omnisocket's Node server against ws with the same settings
 * (threshold 0, default windows and zlib options, concurrency limit 10),
 * with and without bufferutil, and faye-websocket + permessage-deflate.
 * Run on demand, never in tests:
 *
 *   npx tsx bench/deflate-echo.ts [--seconds 4] [--warmup 1] [--rounds 2] [--only ours,ws] [--workload small,medium,large,large-binary]
 *                                 [--connections N] [--in-flight K] [--profile]
 *
 *   deflate-echo.ts --fork--> deflate-servers.ts <kind>   (one child per server and run)
 *                   --fork--> deflate-load-client.ts      (the same load generator for all)
 *                   <-IPC---- ready / measuring / result / cpu
 *   table on stdout, JSON in bench/results/deflate-echo-<date>.json
 *
 * Rounds alternate the servers (ours, ws, ..., ours, ws, ...) and the best
 * round of each counts, so a neighbour's burst on a shared machine hurts
 * one round, not one server. --profile runs the server children of the first
 * round with --cpu-prof (profiles in bench/results/profiles/).
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import type { DeflateLoadConfig } from "./deflate-load-client.ts";
import type { DeflateServerKind } from "./deflate-servers.ts";
import type { LoadResult } from "./load-client.ts";
import { RESULTS, TSX, here, option } from "./cli.ts";

interface ServerSpec {
  name: string;
  kind: DeflateServerKind;
  env?: Record<string, string>;
}

interface Workload {
  name: string;
  description: string;
  size: number;
  binary: boolean;
  connections: number;
  inFlight: number;
}

interface Row {
  workload: string;
  server: string;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  /** Compressed bytes per echoed message on the wire (server to client). */
  wireBytesPerMessage: number;
  serverCpuPercent: number;
  serverCpuMicrosPerMessage: number;
  clientCpuPercent: number;
}

const SERVERS: ServerSpec[] = [
  { name: "ours", kind: "ours" },
  { name: "ws+bufferutil", kind: "ws" },
  { name: "ws (no bufferutil)", kind: "ws", env: { WS_NO_BUFFER_UTIL: "1" } },
  { name: "faye+permessage-deflate", kind: "faye" },
];

const WORKLOADS: Workload[] = [
  { name: "small", description: "256-byte JSON text, 16 in flight x 4 connections", size: 256, binary: false, connections: 4, inFlight: 16 },
  { name: "medium", description: "16 KiB JSON text, 8 in flight x 4 connections", size: 16 * 1024, binary: false, connections: 4, inFlight: 8 },
  { name: "large", description: "256 KiB JSON text, 2 in flight x 4 connections", size: 256 * 1024, binary: false, connections: 4, inFlight: 2 },
  // The same bytes as binary: no UTF-8 decode and re-encode, which the WHATWG
  // API does for every text message (ws echoes text as a Buffer).
  { name: "large-binary", description: "256 KiB of JSON as binary, 2 in flight x 4 connections", size: 256 * 1024, binary: true, connections: 4, inFlight: 2 },
];


function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string; message?: string }): void => {
      if (message.type === "error") return done(new Error(message.message));
      if (message.type === type) done(null, message as T);
    };
    const onExit = (code: number | null): void => done(new Error(`child exited (${code}) before "${type}"`));
    function done(err: Error | null, value?: T): void {
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve(value as T);
    }
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    // The child may be exiting on its own (the load client does after its
    // result): a failed send then just means it is gone or going.
    child.on("error", () => {});
    if (child.connected) child.send({ type: "stop" }, (err) => { if (err) child.kill("SIGTERM"); });
    else child.kill("SIGTERM");
  });
}

async function measure(spec: ServerSpec, workload: Workload, timing: { warmupMs: number; measureMs: number }, profile: boolean): Promise<Row> {
  const profileArgs = profile
    ? ["--cpu-prof", `--cpu-prof-dir=${RESULTS}profiles`, `--cpu-prof-name=deflate-${spec.kind}-${workload.name}-${Date.now()}.cpuprofile`]
    : [];
  const server = fork(here("./deflate-servers.ts"), [spec.kind], {
    execArgv: ["--import", TSX, ...profileArgs],
    env: { ...process.env, ...spec.env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const client = fork(here("./deflate-load-client.ts"), [], { execArgv: ["--import", TSX], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  try {
    const { port } = await nextMessage<{ port: number }>(server, "ready");
    const config: DeflateLoadConfig = { port, connections: workload.connections, inFlight: workload.inFlight, size: workload.size, binary: workload.binary, ...timing };
    const measuring = nextMessage(client, "measuring");
    const resultMessage = nextMessage<{ result: LoadResult & { wireBytesPerMessage: number } }>(client, "result");
    resultMessage.catch(() => {}); // awaited below
    client.send(config);
    await measuring;
    const cpuBefore = nextMessage<{ micros: number }>(server, "cpu");
    server.send({ type: "cpu" });
    const before = (await cpuBefore).micros;
    const { result } = await resultMessage;
    const cpuAfter = nextMessage<{ micros: number }>(server, "cpu");
    server.send({ type: "cpu" });
    const cpuMicros = (await cpuAfter).micros - before;
    return {
      workload: workload.name,
      server: spec.name,
      messagesPerSecond: result.messagesPerSecond,
      megabytesPerSecond: result.megabytesPerSecond,
      wireBytesPerMessage: result.wireBytesPerMessage,
      serverCpuPercent: (cpuMicros / 1e6 / result.seconds) * 100,
      serverCpuMicrosPerMessage: cpuMicros / result.messages,
      clientCpuPercent: result.clientCpuPercent,
    };
  } finally {
    await Promise.all([stopChild(client), stopChild(server)]);
  }
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

async function main(): Promise<void> {
  const seconds = Number(option("seconds") ?? 4);
  const warmup = Number(option("warmup") ?? 1);
  const rounds = Number(option("rounds") ?? 2);
  const only = option("only")?.split(",");
  const workloadNames = option("workload")?.split(",");
  const profile = process.argv.includes("--profile");
  const servers = SERVERS.filter((s) => !only || only.includes(s.kind) || only.includes(s.name));
  const connections = option("connections");
  const inFlight = option("in-flight");
  const workloads = WORKLOADS.filter((w) => !workloadNames || workloadNames.includes(w.name)).map((w) => ({
    ...w,
    connections: connections ? Number(connections) : w.connections,
    inFlight: inFlight ? Number(inFlight) : w.inFlight,
  }));
  const timing = { warmupMs: warmup * 1000, measureMs: seconds * 1000 };

  console.log(`compressed echo benchmark: node ${process.version}, ${cpus().length} CPU(s), load average ${loadavg()[0]!.toFixed(2)}, ` +
    `${warmup} s warm-up + ${seconds} s measured, best of ${rounds} round(s)`);
  const rows: Row[] = [];
  for (const workload of workloads) {
    console.log(`\n${workload.name}: ${workload.description}` +
      (connections || inFlight ? ` (overridden: ${workload.inFlight} in flight x ${workload.connections} connections)` : ""));
    const best = new Map<string, Row>();
    for (let round = 0; round < rounds; round++) {
      for (const spec of servers) {
        const row = await measure(spec, workload, timing, profile && round === 0);
        process.stdout.write(`  round ${round + 1} ${spec.name}: ${fmt(row.messagesPerSecond)} msg/s\n`);
        const seen = best.get(spec.name);
        if (!seen || row.messagesPerSecond > seen.messagesPerSecond) best.set(spec.name, row);
      }
    }
    const mine = servers.map((s) => best.get(s.name)!);
    rows.push(...mine);
    const ours = best.get("ours");
    console.log(
      "\n" +
        table(
          ["server", "msg/s", "MB/s", "wire B/msg", "server CPU %", "server CPU µs/msg", "client CPU %", "ours/this msg/s", "this/ours CPU/msg"],
          mine.map((r) => [
            r.server,
            fmt(r.messagesPerSecond),
            fmt(r.megabytesPerSecond, 1),
            fmt(r.wireBytesPerMessage, 0),
            fmt(r.serverCpuPercent),
            fmt(r.serverCpuMicrosPerMessage, 1),
            fmt(r.clientCpuPercent),
            ours ? fmt(ours.messagesPerSecond / r.messagesPerSecond, 2) : "-",
            ours ? fmt(r.serverCpuMicrosPerMessage / ours.serverCpuMicrosPerMessage, 2) : "-",
          ]),
        ),
    );
  }

  const ratios: Record<string, Record<string, number>> = {};
  for (const workload of workloads) {
    const ours = rows.find((r) => r.workload === workload.name && r.server === "ours");
    if (!ours) continue;
    ratios[workload.name] = {};
    for (const r of rows) {
      if (r.workload !== workload.name || r.server === "ours") continue;
      ratios[workload.name]![`ours/${r.server} msg/s`] = ours.messagesPerSecond / r.messagesPerSecond;
      ratios[workload.name]![`${r.server}/ours CPU per msg`] = r.serverCpuMicrosPerMessage / ours.serverCpuMicrosPerMessage;
    }
  }
  const summary = Object.entries(ratios)
    .map(([w, rs]) => {
      const t = rs["ours/ws+bufferutil msg/s"];
      const c = rs["ws+bufferutil/ours CPU per msg"];
      return `${w} ${t !== undefined ? fmt(t, 2) : "-"} (CPU ${c !== undefined ? fmt(c, 2) : "-"})`;
    })
    .join(", ");
  console.log(`\nours/ws+bufferutil msg/s, compressed, and ws/ours server CPU per message (>1 means ours is faster / cheaper): ${summary}`);

  const date = new Date().toISOString().replace(/:/g, "-").replace(/\..*$/, "");
  mkdirSync(RESULTS, { recursive: true });
  const file = `${RESULTS}deflate-echo-${date}.json`;
  writeFileSync(
    file,
    JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadavg: loadavg(), seconds, warmup, rounds, workloads, results: rows, ratios }, null, 2) + "\n",
  );
  console.log(`results written to ${file}`);
}

await main();
