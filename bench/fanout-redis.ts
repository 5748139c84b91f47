/**
 * Fan-out across three processes through Redis, run on demand (never in tests):
 *
 *   npx tsx bench/fanout-redis.ts [--subscribers 100] [--rates 100,1000,3000] [--seconds 5] [--size 64]
 *
 *   redis-server on 127.0.0.1 (test/peers/redis.ts: the recipe the tests use)
 *     ^            ^             ^
 *   node          deno          bun        test/peers/pubsub-server.ts: PubSub + RedisBackplane
 *   (hook)        (listen())    (listen())   (two ioredis connections each)
 *     ^ /subscribe x N, /control x 1 on each
 *   this process: every client (the ws package), so one clock times them all
 *
 * Each /control client publishes "<publisher>:<seq>:<sent at>:<padding>" at
 * `rate` messages per second for `seconds`; every subscriber on every
 * process should get every message (3 x rate x 3N deliveries per second).
 * Reported per rate: publishes/s, deliveries/s, p50/p99/max latency from
 * the publisher's send to the subscriber's receipt (performance.now() in
 * this process), lost messages and per-publisher order breaks.
 * JSON in bench/results/fanout-redis-<date>.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import WebSocket from "ws";
import { startRedis } from "../test/peers/redis.ts";
import { startPubSubServer, type PubSubProcess } from "../test/peers/script-process.ts";
import { ROOT, option } from "./cli.ts";

const SUBSCRIBERS = Number(option("subscribers", "100"));
const RATES = option("rates", "100,1000,3000").split(",").map(Number);
const SECONDS = Number(option("seconds", "5"));
const SIZE = Number(option("size", "64"));
const RUNTIMES = ["node", "deno", "bun"] as const;

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

const percentile = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

const redis = await startRedis();
const servers: PubSubProcess[] = [];
const clients: WebSocket[] = [];
const results = [];
try {
  for (const runtime of RUNTIMES) servers.push(await startPubSubServer(runtime, redis.url));
  const ports = servers.map((s) => s.ports[0]!);

  // Deliveries: latency samples and the last sequence seen per (subscriber, publisher).
  let latencies = new Float64Array(1 << 20);
  let samples = 0;
  let orderBreaks = 0;
  let lastDelivery = 0;
  const lastSeq: Int32Array[] = [];
  for (const port of ports) {
    for (let i = 0; i < SUBSCRIBERS; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, SUBSCRIBERS - i) }, () => open(`ws://127.0.0.1:${port}/subscribe`)));
      for (const ws of batch) {
        const seen = new Int32Array(RUNTIMES.length).fill(-1);
        lastSeq.push(seen);
        ws.on("message", (data: Buffer) => {
          const now = performance.now();
          const text = data.toString("latin1");
          const a = text.indexOf(":");
          const b = text.indexOf(":", a + 1);
          const c = text.indexOf(":", b + 1);
          const publisher = Number(text.slice(0, a));
          const seq = Number(text.slice(a + 1, b));
          if (seq <= seen[publisher]!) orderBreaks++;
          seen[publisher] = seq;
          if (samples === latencies.length) {
            const bigger = new Float64Array(latencies.length * 2);
            bigger.set(latencies);
            latencies = bigger;
          }
          latencies[samples++] = now - Number(text.slice(b + 1, c));
          lastDelivery = now;
        });
        clients.push(ws);
      }
    }
  }
  const publishers = await Promise.all(ports.map((port) => open(`ws://127.0.0.1:${port}/control`)));
  clients.push(...publishers);
  const subscribersTotal = SUBSCRIBERS * ports.length;
  // Let every hub subscribe to the Redis channel.
  await new Promise((r) => setTimeout(r, 1000));

  const seqs = new Int32Array(RUNTIMES.length);
  for (const rate of RATES) {
    samples = 0;
    orderBreaks = 0;
    const total = Math.round(rate * SECONDS);
    let sent = 0;
    const padding = "x".repeat(Math.max(0, SIZE - 24));
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        // Catch up on ticks the timer missed: the rate is kept over the run.
        const owed = Math.min(total, Math.round(((performance.now() - t0) / 1000) * rate)) - sent;
        for (let k = 0; k < owed; k++) {
          for (let p = 0; p < publishers.length; p++) publishers[p]!.send(`pub:${p}:${seqs[p]!++}:${performance.now().toFixed(3)}:${padding}`);
          sent++;
        }
        if (sent >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    const sendEnd = performance.now();
    const expected = total * publishers.length * subscribersTotal;
    const deadline = performance.now() + 20_000;
    while (samples < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const received = samples;
    const elapsed = (lastDelivery - t0) / 1000;
    const sorted = latencies.slice(0, received).sort();
    const row = {
      ratePerPublisher: rate,
      publishesPerSecond: (total * publishers.length) / ((sendEnd - t0) / 1000),
      deliveriesPerSecond: received / elapsed,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      maxMs: sorted[received - 1] ?? NaN,
      expected,
      lost: expected - received,
      orderBreaks,
    };
    results.push(row);
    console.log(
      `${String(rate).padStart(5)}/s per publisher x 3: ${row.publishesPerSecond.toFixed(0)} publishes/s, ` +
        `${row.deliveriesPerSecond.toFixed(0)} deliveries/s to ${subscribersTotal} subscribers, ` +
        `latency p50 ${row.p50Ms.toFixed(2)} ms, p99 ${row.p99Ms.toFixed(2)} ms, max ${row.maxMs.toFixed(2)} ms, ` +
        `lost ${row.lost}, out of order ${row.orderBreaks}`,
    );
    await new Promise((r) => setTimeout(r, 500));
  }
} finally {
  for (const ws of clients) ws.terminate();
  for (const s of servers) s.child.kill("SIGKILL");
  await redis.close();
}
mkdirSync(`${ROOT}bench/results`, { recursive: true });
const file = `${ROOT}bench/results/fanout-redis-${new Date().toISOString().slice(0, 10)}.json`;
writeFileSync(file, JSON.stringify({ subscribersPerProcess: SUBSCRIBERS, seconds: SECONDS, size: SIZE, cpus: cpus().length, results }, null, 2));
console.log(`written ${file}`);
