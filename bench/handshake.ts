/**
 * Opening handshakes per second, side by side in one run: our server forms
 * on Node, Deno and Bun against ws 8, faye-websocket and the runtimes'
 * native servers. Run on demand, never in tests:
 *
 *   npx tsx bench/handshake.ts [--rounds 3] [--connects 2000] [--in-flight 64] [--warmup 400]
 *                              [--only node,deno:listen,ws] [--profile] [--baseline DIR[,DIR2...]]
 *
 *   handshake.ts (load generator, pinned to CPU 1)
 *     --spawn--> taskset -c 0 node|deno|bun handshake-servers.ts <runtime:kind>  (JSON lines on stdio)
 *   table on stdout, JSON in bench/results/handshake-<date>.json
 *
 * The load generator is raw TCP, no WebSocket library: per connection it
 * writes an RFC 6455 upgrade request with a fresh random key, reads until
 * the blank line that ends the response head, checks the status is 101 and
 * Sec-WebSocket-Accept is right, then destroys the socket (no close frame:
 * every server sees the same abrupt end and tears the connection down).
 * `in-flight` connections are open at once; a failed handshake fails the run.
 */
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { cpus, loadavg } from "node:os";
import { basename, resolve } from "node:path";
import type { HandshakeServerKind } from "./handshake-servers.ts";
import { JsonLineChild } from "./json-line-child.ts";
import { fmt, table } from "./report.ts";
import { BIN, RESULTS, TSX, here, option } from "./cli.ts";

type Runtime = "node" | "deno" | "bun";

interface ServerSpec {
  name: string;
  kind: HandshakeServerKind;
  /** The row the ratio column divides by. */
  reference?: string;
  /** Another checkout whose bench/handshake-servers.ts (and src/) runs this row. */
  root?: string;
  /** One of omnisocket's server forms (profiled with --profile, repeated with --baseline). */
  ours?: boolean;
}

interface Run {
  server: string;
  round: number;
  handshakesPerSecond: number;
  serverCpuMicrosPerHandshake: number;
  serverCpuPercent: number;
  seconds: number;
}

const SERVERS: ServerSpec[] = [
  { name: "node: ws", kind: "node:ws" },
  { name: "node: ours (node:http hook)", kind: "node:ours", reference: "node: ws", ours: true },
  { name: "node: ours listen()", kind: "node:ours-listen", reference: "node: ws", ours: true },
  { name: "node: ours (omnisocket/ws handleUpgrade)", kind: "node:ours-ws", reference: "node: ws", ours: true },
  { name: "node: faye-websocket", kind: "node:faye", reference: "node: ws" },
  { name: "deno: native", kind: "deno:native" },
  { name: "deno: ours listen()", kind: "deno:listen", reference: "deno: native", ours: true },
  { name: "deno: ours Deno.serve", kind: "deno:serve", reference: "deno: native", ours: true },
  { name: "bun: native", kind: "bun:native" },
  { name: "bun: ours listen()", kind: "bun:listen", reference: "bun: native", ours: true },
  { name: "bun: ours Bun.serve", kind: "bun:serve", reference: "bun: native", ours: true },
];

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** A server child on CPU 0, speaking JSON lines. */
function serverChild(spec: ServerSpec, profileDir: string | null): JsonLineChild {
  const runtime = spec.kind.split(":")[0] as Runtime;
  const script = resolve(spec.root ?? here(".."), "bench/handshake-servers.ts");
  const profileName = `handshake-${spec.kind.replace(":", "-")}${spec.root ? "-baseline" : ""}-${Date.now()}.cpuprofile`;
  const command =
    runtime === "node"
      ? [process.execPath, "--import", TSX, ...(profileDir ? ["--cpu-prof", "--cpu-prof-interval", "100", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${profileName}`] : []), script, spec.kind]
      : runtime === "deno"
        ? [BIN + "deno", "run", "-A", script, spec.kind]
        : [BIN + "bun", ...(profileDir ? ["--cpu-prof", "--cpu-prof-interval=100", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${profileName}`] : []), script, spec.kind];
  return new JsonLineChild("taskset", ["-c", "0", ...command], 6000);
}

/** One handshake: request, full 101 head, accept checked, socket destroyed. */
function handshake(port: number): Promise<void> {
  const key = randomBytes(16).toString("base64");
  const expected = createHash("sha1").update(key + GUID).digest("base64");
  const request =
    `GET /chat HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  return new Promise((done, fail) => {
    const socket = connect({ port, host: "127.0.0.1", noDelay: true });
    let head = "";
    let finished = false;
    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      socket.destroy();
      if (error) fail(error);
      else done();
    };
    socket.setEncoding("latin1");
    socket.on("connect", () => socket.write(request));
    socket.on("data", (chunk: string) => {
      head += chunk;
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = head.slice(0, end).split("\r\n");
      if (!/^HTTP\/1\.1 101 /.test(lines[0]!)) return finish(new Error(`not a 101: ${lines[0]}`));
      const accept = lines.find((l) => l.toLowerCase().startsWith("sec-websocket-accept:"));
      if (accept?.slice(accept.indexOf(":") + 1).trim() !== expected) return finish(new Error(`wrong Sec-WebSocket-Accept: ${accept}`));
      finish();
    });
    socket.on("error", (error) => finish(error));
    socket.on("close", () => finish(new Error("closed before the 101 head was complete")));
  });
}

/** `count` handshakes, `inFlight` at a time; resolves with the wall seconds. */
async function handshakes(port: number, count: number, inFlight: number): Promise<number> {
  let started = 0;
  const begin = process.hrtime.bigint();
  const lane = async () => {
    while (started < count) {
      started++;
      await handshake(port);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  return Number(process.hrtime.bigint() - begin) / 1e9;
}

async function measure(spec: ServerSpec, round: number, config: { connects: number; inFlight: number; warmup: number }, profileDir: string | null): Promise<Run> {
  const server = serverChild(spec, profileDir);
  try {
    const { port } = (await server.next("ready")) as { port: number };
    await handshakes(port, config.warmup, config.inFlight); // JIT warm-up
    const before = await server.cpuMicros();
    const seconds = await handshakes(port, config.connects, config.inFlight);
    const cpu = (await server.cpuMicros()) - before;
    return {
      server: spec.name,
      round,
      handshakesPerSecond: config.connects / seconds,
      serverCpuMicrosPerHandshake: cpu / config.connects,
      serverCpuPercent: (cpu / 1e6 / seconds) * 100,
      seconds,
    };
  } finally {
    await server.stop();
  }
}



function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const rounds = Number(option("rounds") ?? 3);
  const connects = Number(option("connects") ?? 2000);
  const inFlight = Number(option("in-flight") ?? 64);
  const warmup = Number(option("warmup") ?? 400);
  const only = option("only")?.split(",");
  const profileDir = process.argv.includes("--profile") ? `${RESULTS}profiles` : null;
  const baseline = option("baseline");
  let candidates = SERVERS;
  if (baseline) {
    // Each of our rows again, run from other checkouts (their src/, these bench files copied in).
    const roots = baseline.split(",").map((dir) => resolve(dir));
    const label = (root: string) => (roots.length === 1 ? "baseline" : basename(root));
    candidates = SERVERS.flatMap((s) => (s.ours ? [s, ...roots.map((root) => ({ ...s, name: `${s.name} [${label(root)}]`, root }))] : [s]));
  }
  const servers = candidates.filter(
    (s) => !only || only.some((o) => s.kind === o || s.name === o || s.kind.startsWith(o + ":") || s.kind.endsWith(":" + o)),
  );
  // The load generator's whole process on the other core.
  execFileSync("taskset", ["-a", "-c", "-p", "1", String(process.pid)], { stdio: "ignore" });
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  console.log(
    `handshake benchmark: node ${process.version}, ${cpus().length} CPU(s), load average ${loadavg()[0]!.toFixed(2)}; ` +
      `${rounds} round(s) of ${connects} handshakes (${inFlight} in flight, after ${warmup} to warm up) per server; ` +
      `servers on CPU 0, this load generator on CPU 1`,
  );
  const runs: Run[] = [];
  for (let round = 1; round <= rounds; round++) {
    const line: string[] = [];
    for (const spec of servers) {
      // Node and Bun write V8 / JavaScriptCore CPU profiles; Deno has no such flag.
      const profiling = profileDir !== null && round === 1 && spec.ours && !spec.kind.startsWith("deno:") ? profileDir : null;
      const run = await measure(spec, round, { connects, inFlight, warmup }, profiling);
      runs.push(run);
      line.push(`${spec.name} ${fmt(run.handshakesPerSecond)}`);
    }
    console.log(`  round ${round} (handshakes/s): ${line.join(" | ")}`);
  }

  // Per server: the best round's rate (the least disturbed), the median CPU per handshake.
  const results = servers.map((spec) => {
    const mine = runs.filter((r) => r.server === spec.name);
    return {
      server: spec.name,
      kind: spec.kind,
      reference: spec.reference ?? null,
      handshakesPerSecond: Math.max(...mine.map((r) => r.handshakesPerSecond)),
      medianHandshakesPerSecond: median(mine.map((r) => r.handshakesPerSecond)),
      serverCpuMicrosPerHandshake: median(mine.map((r) => r.serverCpuMicrosPerHandshake)),
    };
  });
  const byName = new Map(results.map((r) => [r.server, r]));
  const ratios: Record<string, { rate: number; medianRate: number; cpu: number }> = {};
  for (const r of results) {
    const ref = r.reference ? byName.get(r.reference) : undefined;
    if (!ref) continue;
    ratios[`${r.server} / ${ref.server}`] = {
      rate: r.handshakesPerSecond / ref.handshakesPerSecond,
      medianRate: r.medianHandshakesPerSecond / ref.medianHandshakesPerSecond,
      cpu: ref.serverCpuMicrosPerHandshake / r.serverCpuMicrosPerHandshake,
    };
  }
  console.log();
  console.log(
    table(
      ["server", "handshakes/s (best)", "median", "server CPU µs/handshake (median)", "vs", "rate ratio", "CPU ratio (ref/this)"],
      results.map((r) => {
        const ratio = r.reference ? ratios[`${r.server} / ${r.reference}`] : undefined;
        return [
          r.server,
          fmt(r.handshakesPerSecond),
          fmt(r.medianHandshakesPerSecond),
          fmt(r.serverCpuMicrosPerHandshake, 1),
          ratio ? r.reference!.split(": ")[1]! : "-",
          ratio ? fmt(ratio.rate, 2) : "-",
          ratio ? fmt(ratio.cpu, 2) : "-",
        ];
      }),
    ),
  );
  const date = new Date().toISOString().replace(/:/g, "-").replace(/\..*$/, "");
  mkdirSync(RESULTS, { recursive: true });
  const file = `${RESULTS}handshake-${date}.json`;
  const meta = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadavg: loadavg(), rounds, connects, inFlight, warmup, baseline: baseline ?? null };
  writeFileSync(file, JSON.stringify({ ...meta, results, ratios, runs }, null, 2) + "\n");
  console.log(`\nresults written to ${file}`);
}

await main();
