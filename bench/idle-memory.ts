/**
 * Server memory per idle connection: N connections opened and left silent,
 * the server's memory measured when all are open and again after an idle
 * wait, per connection = (memory - memory before) / N.
 *
 *   idle-memory.ts --spawn--> server child (taskset -c 0)   bench/idle-memory-servers.ts <kind>
 *                  --spawn--> load client  (taskset -c 1)   bench/idle-load-client.ts
 *   per row and N:  warm-up (100 connections opened and closed)
 *                   -> "mem" (full GC first)  before
 *                   -> client opens N, server counts N open
 *                   -> "mem"                   open
 *                   -> idle wait (--idle s) -> "mem"   idle
 *
 *   npx tsx bench/idle-memory.ts                                  # every row, 5,000 and 10,000, 30 s idle
 *   npx tsx bench/idle-memory.ts --conns 5000 --idle 5 --only ours,ws
 *   npx tsx bench/idle-memory.ts --runtime deno,bun --conns 5000 --idle 5
 *
 * The fd limit is per process, so the client (one socket per connection)
 * and the server (one per connection) are separate processes.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import { BIN, here, option } from "./cli.ts";

type Runtime = "node" | "deno" | "bun";

interface Row {
  name: string;
  runtime: Runtime;
  kind: string;
  deflate: boolean;
  message: boolean;
}

const ROWS: Row[] = [
  { name: "ours", runtime: "node", kind: "ours", deflate: false, message: false },
  { name: "ours-listen", runtime: "node", kind: "ours-listen", deflate: false, message: false },
  { name: "ours-ws", runtime: "node", kind: "ours-ws", deflate: false, message: false },
  { name: "ws", runtime: "node", kind: "ws", deflate: false, message: false },
  { name: "faye", runtime: "node", kind: "faye", deflate: false, message: false },
  { name: "ours-deflate", runtime: "node", kind: "ours-deflate", deflate: true, message: false },
  { name: "ws-deflate", runtime: "node", kind: "ws-deflate", deflate: true, message: false },
  { name: "ours-deflate-1msg", runtime: "node", kind: "ours-deflate", deflate: true, message: true },
  { name: "ws-deflate-1msg", runtime: "node", kind: "ws-deflate", deflate: true, message: true },
  { name: "deno-listen", runtime: "deno", kind: "listen", deflate: false, message: false },
  { name: "deno-serve", runtime: "deno", kind: "serve", deflate: false, message: false },
  { name: "deno-native", runtime: "deno", kind: "native", deflate: false, message: false },
  { name: "bun-listen", runtime: "bun", kind: "listen", deflate: false, message: false },
  { name: "bun-serve", runtime: "bun", kind: "serve", deflate: false, message: false },
  { name: "bun-native", runtime: "bun", kind: "native", deflate: false, message: false },
];

/** Which row each row is compared with. */
const REFERENCE: Record<string, string> = {
  "ours": "ws", "ours-listen": "ws", "ours-ws": "ws", "faye": "ws", "ours-deflate": "ws-deflate", "ours-deflate-1msg": "ws-deflate-1msg",
  "deno-listen": "deno-native", "deno-serve": "deno-native", "bun-listen": "bun-native", "bun-serve": "bun-native",
};

const WARMUP = 100;

interface Mem { rss: number; heapUsed: number; external: number; arrayBuffers: number }

/** A child speaking JSON lines: send a line, await the next message of a type. */
class Child {
  readonly process: ChildProcess;
  #waiting = new Map<string, (message: Record<string, unknown>) => void>();

  constructor(cpu: number, command: string, args: string[]) {
    this.process = spawn("taskset", ["-c", String(cpu), command, ...args], { stdio: ["pipe", "pipe", "inherit"] });
    createInterface({ input: this.process.stdout! }).on("line", (line) => {
      if (!line.startsWith("{")) return;
      const message = JSON.parse(line) as Record<string, unknown>;
      const waiter = this.#waiting.get(message.type as string);
      this.#waiting.delete(message.type as string);
      waiter?.(message);
    });
  }

  next<T = Record<string, unknown>>(type: string, timeoutMs = 120_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${type}" within ${timeoutMs} ms`)), timeoutMs);
      this.#waiting.set(type, (m) => {
        clearTimeout(timer);
        resolve(m as T);
      });
    });
  }

  send(line: string): void {
    this.process.stdin!.write(line + "\n");
  }

  stop(): void {
    this.send("stop");
    setTimeout(() => this.process.kill("SIGKILL"), 2000).unref();
  }
}

/**
 * Node runs the servers as plain JavaScript compiled by tsc, as users run
 * the package: under tsx every function would get a `name` property
 * defined on it (esbuild's keepNames), a dictionary of its own that costs
 * about 256 bytes per closure and is no part of the library.
 */
function buildForNode(): string {
  const dir = here("./.build/");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(dir + "tsconfig.json", JSON.stringify({
    extends: "../../tsconfig.build.json",
    compilerOptions: { rootDir: "../..", outDir: ".", declaration: false },
    include: ["../../src", "../idle-memory-servers.ts"],
    exclude: [],
  }));
  execFileSync(BIN + "tsc", ["-p", dir + "tsconfig.json"], { stdio: "inherit" });
  return dir + "bench/idle-memory-servers.js";
}

let nodeScript: string | undefined;

function serverChild(row: Row): Child {
  const script = here("./idle-memory-servers.ts");
  if (row.runtime === "node") {
    nodeScript ??= buildForNode();
    return new Child(0, process.execPath, ["--expose-gc", nodeScript, row.kind]);
  }
  if (row.runtime === "deno") return new Child(0, BIN + "deno", ["run", "-A", "--v8-flags=--expose-gc", script, row.kind]);
  return new Child(0, BIN + "bun", [script, row.kind]);
}

async function memory(server: Child): Promise<Mem> {
  const wait = server.next<Mem>("mem");
  server.send("mem");
  return wait;
}

async function openCount(server: Child): Promise<number> {
  const wait = server.next<{ open: number }>("open");
  server.send("open");
  return (await wait).open;
}

async function until(server: Child, want: number, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const n = await openCount(server);
    if (n === want) return;
    if (Date.now() > end) throw new Error(`server reports ${n} open, expected ${want}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function open(client: Child, port: number, count: number, row: Row): Promise<{ count: number; failed: number; ms: number }> {
  const wait = client.next<{ count: number; failed: number; ms: number }>("opened");
  client.send(JSON.stringify({ cmd: "open", port, count, deflate: row.deflate, message: row.message }));
  return wait;
}

async function close(client: Child): Promise<void> {
  const wait = client.next("closed");
  client.send(JSON.stringify({ cmd: "close" }));
  await wait;
}

const KIB = 1024;
const perConnection = (after: Mem, before: Mem, n: number) => ({
  rss: (after.rss - before.rss) / n / KIB,
  heapUsed: (after.heapUsed - before.heapUsed) / n / KIB,
  external: (after.external - before.external) / n / KIB,
  live: (after.heapUsed + after.external - before.heapUsed - before.external) / n / KIB,
});
type PerConnection = ReturnType<typeof perConnection>;

interface Result {
  row: string;
  runtime: Runtime;
  connections: number;
  openMs: number;
  before: Mem;
  open: Mem;
  idle: Mem;
  /** KiB per connection. */
  perConnectionOpen: PerConnection;
  perConnectionIdle: PerConnection;
}

async function measure(row: Row, n: number, idleSeconds: number): Promise<Result> {
  const server = serverChild(row);
  const client = new Child(1, process.execPath, ["--import", "tsx", here("./idle-load-client.ts")]);
  try {
    const [{ port }] = await Promise.all([server.next<{ port: number }>("ready", 60_000), client.next("ready", 60_000)]);
    // Warm-up: code paths compiled, one-time allocations made, before the baseline.
    await open(client, port, WARMUP, row);
    await until(server, WARMUP);
    await close(client);
    await until(server, 0);
    const before = await memory(server);
    const opened = await open(client, port, n, row);
    if (opened.failed > 0) throw new Error(`${row.name}: ${opened.failed} of ${n} connections failed`);
    await until(server, n);
    const atOpen = await memory(server);
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    if ((await openCount(server)) !== n) throw new Error(`${row.name}: connections closed while idle`);
    const idle = await memory(server);
    await close(client);
    return {
      row: row.name, runtime: row.runtime, connections: n, openMs: opened.ms, before, open: atOpen, idle,
      perConnectionOpen: perConnection(atOpen, before, n),
      perConnectionIdle: perConnection(idle, before, n),
    };
  } finally {
    client.stop();
    server.stop();
  }
}

const kib = (x: number) => x.toFixed(2);

async function main(): Promise<void> {
  const counts = (option("conns") ?? "5000,10000").split(",").map(Number);
  const idleSeconds = Number(option("idle") ?? 30);
  const runtimes = (option("runtime") ?? "node,deno,bun").split(",");
  const only = option("only")?.split(",");
  const rows = ROWS.filter((r) => runtimes.includes(r.runtime) && (!only || only.includes(r.name)));
  const results: Result[] = [];
  for (const n of counts) {
    for (const row of rows) {
      process.stderr.write(`${row.name} x ${n} ...\n`);
      const result = await measure(row, n, idleSeconds);
      results.push(result);
      const o = result.perConnectionOpen;
      const i = result.perConnectionIdle;
      process.stderr.write(`  open: rss ${kib(o.rss)} KiB, live ${kib(o.live)} KiB; after ${idleSeconds} s: rss ${kib(i.rss)} KiB, live ${kib(i.live)} KiB\n`);
    }
  }
  const lines = ["| row | conns | RSS/conn open | RSS/conn idle | heap/conn idle | external/conn idle | live/conn idle | vs | RSS ratio (idle) | live ratio (idle) |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |"];
  for (const r of results) {
    const refName = REFERENCE[r.row];
    const ref = results.find((x) => x.row === refName && x.connections === r.connections);
    const i = r.perConnectionIdle;
    const ratios = ref ? [refName, (i.rss / ref.perConnectionIdle.rss).toFixed(2), (i.live / ref.perConnectionIdle.live).toFixed(2)] : ["", "", ""];
    lines.push(`| ${r.row} | ${r.connections} | ${kib(r.perConnectionOpen.rss)} | ${kib(i.rss)} | ${kib(i.heapUsed)} | ${kib(i.external)} | ${kib(i.live)} | ${ratios.join(" | ")} |`);
  }
  console.log(`KiB per connection (idle: after ${idleSeconds} s); ratios: this row / the "vs" row, below 1 is less memory\n`);
  console.log(lines.join("\n"));
  const date = new Date().toISOString().replace(/:/g, "-").slice(0, 19);
  mkdirSync(here("./results"), { recursive: true });
  const file = here(`./results/idle-memory-${date}.json`);
  writeFileSync(file, JSON.stringify({ date, idleSeconds, node: process.version, loadavg: loadavg(), table: lines, results }, null, 2) + "\n");
  console.log(`\n${file}`);
}

await main();
