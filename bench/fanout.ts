/**
 * Fan-out: one message to many subscribers, run on demand (never in tests):
 *
 *   npx tsx bench/fanout.ts [--subscribers 10000] [--rounds 20] [--size 64] [--burst 1] [--deflate]
 *                           [--only ours,ws,bun-native,ours-bun]
 *
 *   fanout.ts --spawn--> fanout-server.ts <kind>   (node, or bun for the Bun.serve kinds)
 *             10,000 ws clients here on /sub, one control client on /control
 *             round: "go" -> time until the last subscriber has the message (every
 *                    message of the burst: --burst n publishes n in one task);
 *                    then "cpu" -> the server's CPU time for the round
 *   table on stdout (median per round), JSON in bench/results/fanout-<date>.json
 *
 * The clients are the real ws package (the lightest client here), in this
 * process; the server runs alone in its own, so its CPU time is its own.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import WebSocket from "ws";
import { ROOT, option } from "./cli.ts";

const args = process.argv.slice(2);
const SUBSCRIBERS = Number(option("subscribers", "10000"));
const ROUNDS = Number(option("rounds", "20"));
const SIZE = Number(option("size", "64"));
const KINDS = option("only", "ours,ws,bun-native,ours-bun").split(",");
const BURST = Number(option("burst", "1"));
/** permessage-deflate, server_no_context_takeover, every message compressed (threshold 0). */
const DEFLATE = args.includes("--deflate");

function start(kind: string): Promise<{ child: ChildProcess; port: number }> {
  const bun = kind.includes("bun");
  const command = bun ? `${ROOT}node_modules/.bin/bun` : "node";
  // --profile: the Node servers write a CPU profile to bench/results/profiles/ (SIGTERM at the end).
  const profile = args.includes("--profile") && !bun ? ["--cpu-prof", `--cpu-prof-dir=${ROOT}bench/results/profiles`, ...(process.env.NO_INLINE ? ["--max-inlined-bytecode-size=0"] : [])] : [];
  const extra = DEFLATE ? ["deflate"] : [];
  const child = spawn(command, bun ? ["run", "bench/fanout-server.ts", kind, ...extra] : [...profile, "--import", "tsx", "bench/fanout-server.ts", kind, ...extra], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once("exit", (code) => reject(new Error(`${kind} server exited (${code})`)));
  });
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // --deflate: the clients ask for server_no_context_takeover (what lets a server compress once).
    const ws = new WebSocket(url, { perMessageDeflate: DEFLATE && url.endsWith("/sub") ? { serverNoContextTakeover: true, threshold: 0 } : false });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function run(kind: string): Promise<{ kind: string; ms: number; cpuMs: number; userMs: number; systemMs: number }> {
  const { child, port } = await start(kind);
  const subs: WebSocket[] = [];
  let received = 0;
  let onAll: (() => void) | null = null;
  let target = 0;
  try {
    for (let i = 0; i < SUBSCRIBERS; i += 500) {
      const batch = await Promise.all(Array.from({ length: Math.min(500, SUBSCRIBERS - i) }, () => open(`ws://127.0.0.1:${port}/sub`)));
      for (const ws of batch) ws.on("message", () => { if (++received === target) onAll?.(); });
      subs.push(...batch);
    }
    const control = await open(`ws://127.0.0.1:${port}/control`);
    const ask = (q: string) => new Promise<string>((resolve) => { control.once("message", (d) => resolve(String(d))); control.send(q); });
    await new Promise((r) => setTimeout(r, 500));
    const times: number[] = [];
    const cpuTimes: number[] = [];
    const userTimes: number[] = [];
    const systemTimes: number[] = [];
    for (let round = 0; round < ROUNDS + 2; round++) {
      await ask("cpu");
      target = received + SUBSCRIBERS * BURST;
      const done = new Promise<void>((resolve) => { onAll = resolve; });
      const t0 = performance.now();
      control.send(`go:${SIZE}:${BURST}`);
      await done;
      const ms = performance.now() - t0;
      const [, user, system] = (await ask("cpu")).split(":").map(Number) as [number, number, number];
      if (round >= 2) { times.push(ms); cpuTimes.push((user + system) / 1000); userTimes.push(user / 1000); systemTimes.push(system / 1000); } // two warm-up rounds
    }
    control.terminate();
    return { kind, ms: median(times), cpuMs: median(cpuTimes), userMs: median(userTimes), systemMs: median(systemTimes) };
  } finally {
    for (const ws of subs) ws.terminate();
    child.kill(args.includes("--profile") ? "SIGINT" : "SIGKILL");
  }
}

const results = [];
for (const kind of KINDS) {
  const r = await run(kind);
  results.push(r);
  console.log(`${kind.padEnd(12)} last subscriber after ${r.ms.toFixed(2)} ms (median of ${ROUNDS}), server CPU ${r.cpuMs.toFixed(2)} ms per round (user ${r.userMs.toFixed(2)}, system ${r.systemMs.toFixed(2)})`);
}
const ours = results.find((r) => r.kind === "ours");
for (const r of results) {
  // > 1: ours is faster / cheaper than that row.
  if (ours && r !== ours) console.log(`${r.kind} / ours: ${(r.ms / ours.ms).toFixed(2)}x time, ${(r.cpuMs / ours.cpuMs).toFixed(2)}x server CPU`);
}
mkdirSync(`${ROOT}bench/results`, { recursive: true });
const label = `${BURST > 1 ? `-burst${BURST}` : ""}${DEFLATE ? "-deflate" : ""}`;
const file = `${ROOT}bench/results/fanout${label}-${new Date().toISOString().slice(0, 10)}.json`;
writeFileSync(file, JSON.stringify({ subscribers: SUBSCRIBERS, rounds: ROUNDS, size: SIZE, burst: BURST, deflate: DEFLATE, cpus: cpus().length, results }, null, 2));
console.log(`written ${file}`);
