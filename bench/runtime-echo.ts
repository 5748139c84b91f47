/**
 * Echo throughput on Deno and Bun, side by side in one run: omnisocket's
 * standalone server (our engine on Deno.listen / Bun.listen), omnisocket on
 * the runtime's own server (Deno.serve + upgrade(), Bun.serve +
 * createBunHandler), the node:http hook, and the runtime's native server
 * alone (Deno.serve + upgradeWebSocket, Bun.serve websocket) as the
 * reference. Every server faces the same load generator (bench/load-client.ts,
 * on Node). Run on demand, never in tests:
 *
 *   npx tsx bench/runtime-echo.ts [--seconds 4] [--warmup 1] [--rounds 1] [--runtime deno,bun] [--only listen,native] [--workload small,large,rtt] [--no-pin]
 *
 *   runtime-echo.ts --spawn--> deno|bun runtime-echo-servers.ts <kind>   (JSON lines on stdio)
 *                   --fork---> load-client.ts                            (IPC, as in echo.ts)
 *   table on stdout, JSON in bench/results/runtime-echo-<date>.json
 *
 * The server runs on CPU 0 and the load generator on CPU 1 (bench/pinning.ts).
 * The rtt workload keeps one message in flight per connection and reports
 * round-trip p50/p99 in µs (load-client.ts).
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import type { LatencyResult, LoadConfig, LoadResult } from "./load-client.ts";
import type { RuntimeServerKind } from "./runtime-echo-servers.ts";
import { describePinning, pinned, pinnedFork, pinningFromArgs, type Pinning } from "./pinning.ts";
import { JsonLineChild } from "./json-line-child.ts";
import { fmt, latencyTable, table } from "./report.ts";
import { BIN, RESULTS, TSX, here, option } from "./cli.ts";

type Runtime = "deno" | "bun";

interface ServerSpec {
  name: string;
  kind: RuntimeServerKind;
  /** Only on these runtimes (default: every one). */
  runtimes?: Runtime[];
}

interface Workload {
  name: string;
  description: string;
  size: number;
  binary: boolean;
  connections: number;
  inFlight: number;
  rtt?: boolean;
}

interface Row {
  runtime: Runtime;
  workload: string;
  server: string;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  serverCpuPercent: number;
  serverCpuMicrosPerMessage: number;
  latency?: LatencyResult;
}

const SERVERS: ServerSpec[] = [
  { name: "native", kind: "native" },
  { name: "ours: listen()", kind: "listen" },
  { name: "ours: native integration", kind: "serve" },
  { name: "ours: integration, direct handler", kind: "direct", runtimes: ["bun"] },
  { name: "ours: node:http hook", kind: "node" },
  { name: "omnisocket/ws (port)", kind: "ws" },
];

// The workloads of bench/echo.ts, so the numbers compare across files.
const WORKLOADS: Workload[] = [
  { name: "small", description: "64-byte text, 16 in flight x 4 connections", size: 64, binary: false, connections: 4, inFlight: 16 },
  { name: "large", description: "1 MiB binary, 2 in flight x 4 connections", size: 1 << 20, binary: true, connections: 4, inFlight: 2 },
  { name: "rtt", description: "64-byte text, 1 in flight x 4 connections, round trips timed", size: 64, binary: false, connections: 4, inFlight: 1, rtt: true },
];


/** A server child speaking JSON lines. */
function serverChild(runtime: Runtime, kind: RuntimeServerKind, cpu: number | null): JsonLineChild {
  const script = here("./runtime-echo-servers.ts");
  const args = runtime === "deno" ? ["run", "-A", script, kind] : [script, kind];
  const [command, argv] = pinned(cpu, BIN + runtime, args);
  return new JsonLineChild(command, argv);
}

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string; message?: string }): void => {
      if (message.type === "error") return done(new Error(message.message));
      if (message.type === type) done(null, message as T);
    };
    const onExit = (code: number | null): void => done(new Error(`load client exited (${code}) before "${type}"`));
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

async function measure(runtime: Runtime, spec: ServerSpec, workload: Workload, timing: { warmupMs: number; measureMs: number }, pinning: Pinning | null): Promise<Row> {
  const server = serverChild(runtime, spec.kind, pinning?.server ?? null);
  const ready = server.next("ready");
  const client = fork(here("./load-client.ts"), [], pinnedFork(pinning?.client ?? null, { execArgv: ["--import", TSX], stdio: ["ignore", "inherit", "inherit", "ipc"] }));
  try {
    const port = (await ready).port as number;
    const config: LoadConfig = { port, raw: false, ...workload, ...timing };
    const measuring = nextMessage(client, "measuring");
    const resultMessage = nextMessage<{ result: LoadResult }>(client, "result");
    resultMessage.catch(() => {});
    client.send(config);
    await measuring;
    const before = await server.cpuMicros();
    const { result } = await resultMessage;
    const after = await server.cpuMicros();
    return {
      runtime,
      workload: workload.name,
      server: spec.name,
      messagesPerSecond: result.messagesPerSecond,
      megabytesPerSecond: result.megabytesPerSecond,
      serverCpuPercent: ((after - before) / 1e6 / result.seconds) * 100,
      serverCpuMicrosPerMessage: (after - before) / result.messages,
      latency: result.latency,
    };
  } finally {
    if (client.exitCode === null) client.kill();
    await server.stop();
  }
}



/** Of one server's runs, the least disturbed: the best throughput, or for round trips the lowest median. */
function best(runs: Row[]): Row {
  if (runs[0]?.latency) return runs.reduce((a, b) => (b.latency!.p50 < a.latency!.p50 ? b : a));
  return runs.reduce((a, b) => (b.messagesPerSecond > a.messagesPerSecond ? b : a));
}

function throughputTable(rows: Row[], native: Row | undefined): string {
  return table(
    ["server", "msg/s", "MB/s", "server CPU %", "server CPU µs/msg", "this/native msg/s"],
    rows.map((r) => [
      r.server,
      fmt(r.messagesPerSecond),
      fmt(r.megabytesPerSecond, 1),
      fmt(r.serverCpuPercent),
      fmt(r.serverCpuMicrosPerMessage, 2),
      native ? fmt(r.messagesPerSecond / native.messagesPerSecond, 2) : "-",
    ]),
  );
}


async function main(): Promise<void> {
  const seconds = Number(option("seconds") ?? 4);
  const warmup = Number(option("warmup") ?? 1);
  const rounds = Number(option("rounds") ?? 1);
  const runtimes = (option("runtime")?.split(",") ?? ["deno", "bun"]) as Runtime[];
  const only = option("only")?.split(",");
  const workloadNames = option("workload")?.split(",");
  const servers = SERVERS.filter((s) => !only || only.includes(s.kind));
  const workloads = WORKLOADS.filter((w) => !workloadNames || workloadNames.includes(w.name));
  const timing = { warmupMs: warmup * 1000, measureMs: seconds * 1000 };
  const pinning = pinningFromArgs();

  console.log(
    `runtime echo benchmark: ${cpus().length} CPU(s), ${describePinning(pinning)}, ${rounds} round(s) of ${warmup} s warm-up + ${seconds} s measured per run ` +
      `(servers interleaved, best round shown), load generator on node ${process.version}`,
  );
  const rows: Row[] = [];
  for (const runtime of runtimes) {
    for (const workload of workloads) {
      console.log(`\n${runtime}, ${workload.name}: ${workload.description}`);
      const runs: Row[] = [];
      for (let round = 1; round <= rounds; round++) {
        for (const spec of servers) {
          if (spec.runtimes && !spec.runtimes.includes(runtime)) continue;
          const row = await measure(runtime, spec, workload, timing, pinning);
          runs.push(row);
          const shown = row.latency ? `p50 ${fmt(row.latency.p50, 1)} µs, p99 ${fmt(row.latency.p99, 1)} µs` : `${fmt(row.messagesPerSecond)} msg/s`;
          process.stdout.write(`  round ${round}, ${spec.name}: ${shown}\n`);
        }
      }
      const mine = servers.filter((spec) => !spec.runtimes || spec.runtimes.includes(runtime)).map((spec) => best(runs.filter((r) => r.server === spec.name)));
      rows.push(...mine);
      const native = mine.find((r) => r.server === "native");
      console.log("\n" + (workload.rtt ? latencyTable(mine, native, "native") : throughputTable(mine, native)));
    }
  }
  const date = new Date().toISOString().replace(/:/g, "-").replace(/\..*$/, "");
  mkdirSync(RESULTS, { recursive: true });
  const file = `${RESULTS}runtime-echo-${date}.json`;
  const meta = { date: new Date().toISOString(), cpus: cpus().length, pinning, seconds, warmup, rounds };
  writeFileSync(file, JSON.stringify({ ...meta, workloads, results: rows }, null, 2) + "\n");
  console.log(`\nresults written to ${file}`);
}

await main();
