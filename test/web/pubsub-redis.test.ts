/**
 * Scale-out through a real Redis (test/peers/redis.ts starts Debian's
 * redis-server on a loopback port): three server processes, one on Node,
 * one on Deno, one on Bun (test/peers/pubsub-server.ts, a PubSub hub with
 * the RedisBackplane over ioredis), clients on each.
 *
 *   - every publish reaches every subscriber on every process, in
 *     per-publisher order;
 *   - Redis is killed mid-test: each server sees the backplane down, keeps
 *     delivering to its own subscribers, drops what it publishes meanwhile
 *     (at most once: never replayed), reconnects and resubscribes when
 *     Redis is back, and later publishes reach everybody again.
 */
import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { describe, expect, itWithPeer, until } from "../harness.ts";
import { WebSocket } from "../entry.ts";
import { hasRedis, REDIS_INSTALL_HINT, startRedis } from "../peers/redis.ts";
import { startPubSubServer, type Runtime } from "../peers/script-process.ts";

const SUBSCRIBERS_EACH = 10;
const PER_ROUND = 50;

interface Proc {
  name: string;
  child: ChildProcess;
  port: number;
  control: WebSocket;
  subscribers: { ws: WebSocket; got: string[] }[];
}

async function startProcess(name: string, redisUrl: string): Promise<{ child: ChildProcess; port: number }> {
  const { child, ports } = await startPubSubServer(name as Runtime, redisUrl);
  return { child, port: ports[0]! };
}

function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.addEventListener("open", () => resolve(ws), { once: true });
    ws.addEventListener("error", () => reject(new Error(`could not connect to ${url}`)), { once: true });
  });
}

/** The server's backplane state: [connected, dropped]. */
function status(proc: Proc): Promise<[boolean, number]> {
  return new Promise((resolve) => {
    const onMessage = (event: Event) => {
      const text = String((event as MessageEvent).data);
      if (!text.startsWith("status:")) return;
      proc.control.removeEventListener("message", onMessage);
      const [, connected, dropped] = text.split(":");
      resolve([connected === "true", Number(dropped)]);
    };
    proc.control.addEventListener("message", onMessage);
    proc.control.send("status");
  });
}

async function untilAll(procs: Proc[], connected: boolean): Promise<void> {
  const started = Date.now();
  for (;;) {
    const states = await Promise.all(procs.map(status));
    if (states.every(([c]) => c === connected)) return;
    if (Date.now() - started > 30_000) throw new Error(`backplanes never became ${connected ? "connected" : "disconnected"}: ${JSON.stringify(states)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every subscriber got exactly `expected` (in order per publisher) after what it had before `from`. */
function checkRound(procs: Proc[], from: number, round: string): void {
  for (const proc of procs) {
    for (const sub of proc.subscribers) {
      const got = sub.got.slice(from);
      for (const publisher of procs) {
        const mine = got.filter((m) => m.startsWith(`${round}:${publisher.name}:`)).map((m) => Number(m.split(":")[2]));
        expect(mine).toEqual(Array.from({ length: PER_ROUND }, (_, i) => i));
      }
      expect(got.length).toBe(PER_ROUND * procs.length);
    }
  }
}

describe("pub/sub across processes through Redis", () => {
  itWithPeer("Node, Deno and Bun servers share one Redis: all messages everywhere, in per-publisher order, through a Redis restart", hasRedis, REDIS_INSTALL_HINT, async () => {
    const redis = await startRedis();
    const procs: Proc[] = [];
    const admin = new Redis(redis.url, { retryStrategy: () => 100, maxRetriesPerRequest: 1, lazyConnect: true });
    admin.on("error", () => {});
    try {
      for (const name of ["node", "deno", "bun"]) {
        const { child, port } = await startProcess(name, redis.url);
        const proc: Proc = { name, child, port, control: null as unknown as WebSocket, subscribers: [] };
        procs.push(proc);
        proc.control = await open(`ws://127.0.0.1:${port}/control`);
        for (let i = 0; i < SUBSCRIBERS_EACH; i++) {
          const ws = await open(`ws://127.0.0.1:${port}/subscribe`);
          const sub = { ws, got: [] as string[] };
          ws.addEventListener("message", (event) => sub.got.push(String((event as MessageEvent).data)));
          proc.subscribers.push(sub);
        }
      }
      await untilAll(procs, true);
      await admin.connect();
      const subscribedHubs = async () => ((await admin.pubsub("NUMSUB", "omnisocket:room")) as [string, number])[1];
      for (let t = Date.now(); (await subscribedHubs()) < 3; ) {
        if (Date.now() - t > 30_000) throw new Error("the three hubs never subscribed");
        await new Promise((r) => setTimeout(r, 50));
      }
      const everyone = procs.flatMap((p) => p.subscribers);
      const total = PER_ROUND * procs.length;

      // Round 1: each process publishes 50 messages, interleaved.
      for (let i = 0; i < PER_ROUND; i++) for (const p of procs) p.control.send(`pub:r1:${p.name}:${i}`);
      await until(() => everyone.every((s) => s.got.length >= total), 60_000, "round 1 everywhere");
      checkRound(procs, 0, "r1");

      // Redis goes down: local delivery goes on, remote publishes are dropped.
      await redis.stop();
      await untilAll(procs, false);
      for (const p of procs) p.control.send(`pub:outage:${p.name}`);
      await until(() => procs.every((p) => p.subscribers.every((s) => s.got.includes(`outage:${p.name}`))), 30_000, "local delivery during the outage");
      for (const [, dropped] of await Promise.all(procs.map(status))) expect(dropped).toBe(1);

      // Redis is back (empty: no subscriptions): the servers reconnect and resubscribe.
      await redis.start();
      await untilAll(procs, true);
      for (let t = Date.now(); (await subscribedHubs().catch(() => 0)) < 3; ) {
        if (Date.now() - t > 30_000) throw new Error("the hubs never resubscribed after the restart");
        await new Promise((r) => setTimeout(r, 50));
      }
      const mark = total + 1;
      for (let i = 0; i < PER_ROUND; i++) for (const p of procs) p.control.send(`pub:r2:${p.name}:${i}`);
      await until(() => everyone.every((s) => s.got.length >= mark + total), 60_000, "round 2 everywhere");
      checkRound(procs, mark, "r2");
      // At most once: a message published during the outage reached its own process only, and never came later.
      for (const p of procs) {
        for (const s of p.subscribers) expect(s.got.filter((m) => m.startsWith("outage:"))).toEqual([`outage:${p.name}`]);
      }
    } finally {
      admin.disconnect();
      for (const p of procs) {
        p.control?.terminate();
        for (const s of p.subscribers) s.ws.terminate();
        p.child.kill("SIGKILL");
      }
      await redis.close();
    }
  }, 180_000);
});
