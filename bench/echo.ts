/**
 * Echo throughput, side by side in one run: omnisocket's Node server against
 * ws (with and without bufferutil), faye-websocket, and a raw TCP echo as the
 * ceiling. Run on demand, never in tests:
 *
 *   npx tsx bench/echo.ts [--seconds 2.5] [--warmup 1] [--rounds 2] [--only ours,ws] [--workload small,large,rtt] [--profile] [--baseline DIR] [--no-pin]
 *
 *   echo.ts --fork--> echo-servers.ts <kind>    (one child per server and workload)
 *           --fork--> load-client.ts            (the same load generator for all)
 *           <-IPC---- ready / measuring / result / cpu
 *   table on stdout, JSON in bench/results/echo-<date>.json
 *
 * Server children run on CPU 0 and the load generator on CPU 1 (bench/pinning.ts; --no-pin turns it off).
 * The rtt workload keeps one message in flight per connection and reports round-trip p50/p99 in µs.
 * --profile runs our server child with --cpu-prof (profiles in bench/results/profiles/).
 * --baseline DIR adds a "baseline" row: our server from another checkout of
 * this repository (say, the last commit), to see what a change did.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import type { LatencyResult, LoadConfig, LoadResult } from "./load-client.ts";
import type { ServerKind } from "./echo-servers.ts";
import { describePinning, pinnedFork, pinningFromArgs, type Pinning } from "./pinning.ts";
import { fmt, latencyTable, table } from "./report.ts";
import { RESULTS, TSX, here, option } from "./cli.ts";

interface ServerSpec {
  name: string;
  kind: ServerKind;
  env?: Record<string, string>;
  raw?: boolean;
}

interface Workload {
  name: string;
  description: string;
  size: number;
  binary: boolean;
  connections: number;
  inFlight: number;
  /** One message in flight per connection, round trips timed (load-client.ts). */
  rtt?: boolean;
}

interface Row {
  workload: string;
  server: string;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  /** Server process CPU during the window, in % of one core. */
  serverCpuPercent: number;
  /** Server CPU microseconds per echoed message. */
  serverCpuMicrosPerMessage: number;
  /** Load generator CPU during the window, in % of one core. */
  clientCpuPercent: number;
  /** Round-trip times in µs (the rtt workload). */
  latency?: LatencyResult;
}

const SERVERS: ServerSpec[] = [
  { name: "ours", kind: "ours" },
  { name: "ours (no bufferutil)", kind: "ours", env: { OMNISOCKET_NO_BUFFER_UTIL: "1" } },
  { name: "ours listen()", kind: "ours-listen" },
  { name: "omnisocket/ws", kind: "ours-ws" },
  { name: "ws+bufferutil", kind: "ws" },
  { name: "ws (no bufferutil)", kind: "ws", env: { WS_NO_BUFFER_UTIL: "1" } },
  { name: "faye-websocket", kind: "faye" },
  { name: "raw TCP echo", kind: "tcp", raw: true },
];

const WORKLOADS: Workload[] = [
  { name: "small", description: "64-byte text, 16 in flight x 4 connections", size: 64, binary: false, connections: 4, inFlight: 16 },
  { name: "large", description: "1 MiB binary, 2 in flight x 4 connections", size: 1 << 20, binary: true, connections: 4, inFlight: 2 },
  { name: "rtt", description: "64-byte text, 1 in flight x 4 connections, round trips timed", size: 64, binary: false, connections: 4, inFlight: 1, rtt: true },
];


function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string; message?: string }): void => {
      if (message.type === "error") return done(new Error(message.message));
      if (message.type !== type) return;
      done(null, message as T);
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
    // The child may exit on its own meanwhile: a failed send is not an error.
    if (child.connected) child.send({ type: "stop" }, (err) => { if (err) child.kill("SIGTERM"); });
    else child.kill("SIGTERM");
  });
}

async function measure(spec: ServerSpec, workload: Workload, timing: { warmupMs: number; measureMs: number }, profile: boolean, pinning: Pinning | null): Promise<Row> {
  const profiling = profile && spec.name === "ours";
  const profileArgs = profiling ? ["--cpu-prof", `--cpu-prof-dir=${RESULTS}profiles`, `--cpu-prof-name=ours-${workload.name}-${Date.now()}.cpuprofile`] : [];
  const server = fork(here("./echo-servers.ts"), [spec.kind], pinnedFork(pinning?.server ?? null, {
    execArgv: ["--import", TSX, ...profileArgs],
    env: { ...process.env, ...spec.env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  }));
  const client = fork(here("./load-client.ts"), [], pinnedFork(pinning?.client ?? null, {
    execArgv: ["--import", TSX],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  }));
  for (const child of [server, client]) child.on("error", () => {}); // reported through "exit" instead
  try {
    const { port } = await nextMessage<{ port: number }>(server, "ready");
    const config: LoadConfig = { port, raw: spec.raw ?? false, ...workload, ...timing };
    const measuring = nextMessage(client, "measuring");
    const resultMessage = nextMessage<{ result: LoadResult }>(client, "result");
    resultMessage.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
    client.send(config);
    await measuring;
    const cpuBefore = nextMessage<{ micros: number }>(server, "cpu");
    server.send({ type: "cpu" });
    const before = (await cpuBefore).micros;
    const { result } = await resultMessage;
    const cpuAfter = nextMessage<{ micros: number }>(server, "cpu");
    server.send({ type: "cpu" });
    const after = (await cpuAfter).micros;
    const cpuMicros = after - before;
    return {
      workload: workload.name,
      server: spec.name,
      messagesPerSecond: result.messagesPerSecond,
      megabytesPerSecond: result.megabytesPerSecond,
      serverCpuPercent: (cpuMicros / 1e6 / result.seconds) * 100,
      serverCpuMicrosPerMessage: cpuMicros / result.messages,
      clientCpuPercent: result.clientCpuPercent,
      latency: result.latency,
    };
  } finally {
    await Promise.all([stopChild(client), stopChild(server)]);
  }
}



/**
 * Of a server's runs, the least disturbed by other load: the best
 * throughput, or for round trips the lowest median.
 */
function best(runs: Row[]): Row {
  if (runs[0]?.latency) return runs.reduce((a, b) => (b.latency!.p50 < a.latency!.p50 ? b : a));
  return runs.reduce((a, b) => (b.messagesPerSecond > a.messagesPerSecond ? b : a));
}


async function main(): Promise<void> {
  const seconds = Number(option("seconds") ?? 2.5);
  const warmup = Number(option("warmup") ?? 1);
  const rounds = Number(option("rounds") ?? 2);
  const only = option("only")?.split(",");
  const workloadNames = option("workload")?.split(",");
  const profile = process.argv.includes("--profile");
  const baseline = option("baseline");
  const candidates = baseline
    ? [...SERVERS, { name: "baseline", kind: "ours" as const, env: { OMNISOCKET_ENTRY: resolve(baseline, "src/runtime/node/index.ts") } }]
    : SERVERS;
  const servers = candidates.filter((s) => !only || only.includes(s.kind) || only.includes(s.name));
  const workloads = WORKLOADS.filter((w) => !workloadNames || workloadNames.includes(w.name));
  const timing = { warmupMs: warmup * 1000, measureMs: seconds * 1000 };
  const pinning = pinningFromArgs();

  console.log(
    `echo benchmark: node ${process.version}, ${cpus().length} CPU(s), load average ${loadavg()[0]!.toFixed(2)}, ${describePinning(pinning)}; ` +
      `${rounds} round(s) of ${warmup} s warm-up + ${seconds} s measured per server, best round shown`,
  );
  // Rounds interleave the servers, so a burst of other load on the machine
  // hits one round of each rather than every round of one.
  const runs: Row[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const workload of workloads) {
      const line: string[] = [];
      for (const spec of servers) {
        const row = await measure(spec, workload, timing, profile && round === 1, pinning);
        runs.push(row);
        line.push(`${spec.name} ${row.latency ? `${fmt(row.latency.p50)}/${fmt(row.latency.p99)}` : fmt(row.messagesPerSecond)}`);
      }
      console.log(`  round ${round}, ${workload.name} (${workload.rtt ? "p50/p99 µs" : "msg/s"}): ${line.join(" | ")}`);
    }
  }

  const results: Row[] = [];
  const ratios: Record<string, Record<string, { throughput: number; cpu: number }>> = {};
  for (const workload of workloads) {
    const mine = servers.map((spec) => best(runs.filter((r) => r.workload === workload.name && r.server === spec.name)));
    results.push(...mine);
    const ours = mine.find((r) => r.server === "ours");
    const digits = workload.size > 4096 ? 0 : 2;
    console.log(`\n${workload.name}: ${workload.description}\n`);
    if (workload.rtt) {
      console.log(latencyTable(mine, ours, "ours"));
      if (!ours) continue;
      ratios[workload.name] = {};
      for (const r of mine) {
        if (r.server === "ours") continue;
        // Above 1: ours answers sooner (this row's median over ours).
        ratios[workload.name]![`ours/${r.server}`] = { throughput: r.latency!.p50 / ours.latency!.p50, cpu: r.serverCpuMicrosPerMessage / ours.serverCpuMicrosPerMessage };
      }
      continue;
    }
    console.log(
      table(
        ["server", "msg/s", "MB/s", "server CPU %", "server CPU µs/msg", "client CPU %", "ours/this msg/s", "this/ours CPU/msg"],
        mine.map((r) => [
          r.server,
          fmt(r.messagesPerSecond),
          fmt(r.megabytesPerSecond, 1),
          fmt(r.serverCpuPercent),
          fmt(r.serverCpuMicrosPerMessage, digits),
          fmt(r.clientCpuPercent),
          ours ? fmt(ours.messagesPerSecond / r.messagesPerSecond, 2) : "-",
          ours ? fmt(r.serverCpuMicrosPerMessage / ours.serverCpuMicrosPerMessage, 2) : "-",
        ]),
      ),
    );
    if (!ours) continue;
    ratios[workload.name] = {};
    for (const r of mine) {
      if (r.server === "ours") continue;
      ratios[workload.name]![`ours/${r.server}`] = {
        throughput: ours.messagesPerSecond / r.messagesPerSecond,
        cpu: r.serverCpuMicrosPerMessage / ours.serverCpuMicrosPerMessage,
      };
    }
  }
  const summary = Object.entries(ratios)
    .map(([w, rs]) => {
      const r = rs["ours/ws+bufferutil"];
      const speed = w === "rtt" ? "round trip p50" : "throughput";
      return r ? `${w}: ${speed} ${fmt(r.throughput, 2)}, CPU per message ${fmt(r.cpu, 2)}` : `${w}: -`;
    })
    .join("; ");
  console.log(`\nours vs ws+bufferutil (>1 means ours is better): ${summary}`);

  const date = new Date().toISOString().replace(/:/g, "-").replace(/\..*$/, "");
  mkdirSync(RESULTS, { recursive: true });
  const file = `${RESULTS}echo-${date}.json`;
  const meta = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadavg: loadavg(), pinning, seconds, warmup, rounds };
  writeFileSync(file, JSON.stringify({ ...meta, workloads, results, ratios, runs }, null, 2) + "\n");
  console.log(`results written to ${file}`);
}

await main();
