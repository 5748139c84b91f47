/**
 * The node:cluster backplane, on the running runtime: a primary relaying
 * for four workers (test/peers/pubsub-server.ts cluster), each a hub with a
 * ClusterBackplane. On Node the workers share one port (the cluster hands
 * connections round-robin to them); Deno's and Bun's node:cluster give
 * each worker a port of its own, so the test dials each one. A publisher on
 * each worker; every subscriber on every worker gets every message, each
 * publisher's in order.
 */
import { describe, expect, it, runtime, until } from "../harness.ts";
import { WebSocket } from "../entry.ts";
import { startPubSubServer } from "../peers/script-process.ts";

const PER_PUBLISHER = 50;

function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.addEventListener("open", () => resolve(ws), { once: true });
    ws.addEventListener("error", () => reject(new Error(`could not connect to ${url}`)), { once: true });
  });
}

function ask(ws: WebSocket, question: string): Promise<string> {
  return new Promise((resolve) => {
    ws.addEventListener("message", (event) => resolve(String((event as MessageEvent).data)), { once: true });
    ws.send(question);
  });
}

describe("pub/sub across node:cluster workers", () => {
  it("four workers: every publish reaches every subscriber on every worker, in per-publisher order", async () => {
    const { child, ports } = await startPubSubServer(runtime, "cluster");
    const clients: WebSocket[] = [];
    try {
      // One publisher per worker: open control sockets until four workers answered.
      const publishers = new Map<string, WebSocket>();
      for (let i = 0; publishers.size < 4 && i < 40; i++) {
        const ws = await open(`ws://127.0.0.1:${ports[i % ports.length]}/control`);
        clients.push(ws);
        const pid = await ask(ws, "pid");
        if (!publishers.has(pid)) publishers.set(pid, ws);
      }
      expect(publishers.size).toBe(4);
      // Subscribers, spread over the workers by the cluster.
      const subscribers: { got: string[] }[] = [];
      for (let i = 0; i < 20; i++) {
        const ws = await open(`ws://127.0.0.1:${ports[i % ports.length]}/subscribe`);
        clients.push(ws);
        const sub = { got: [] as string[] };
        ws.addEventListener("message", (event) => sub.got.push(String((event as MessageEvent).data)));
        subscribers.push(sub);
      }
      // The subscriptions are made on arrival; a round trip on each publisher's worker settles them.
      for (const ws of publishers.values()) await ask(ws, "status");
      const names = [...publishers.keys()];
      for (let i = 0; i < PER_PUBLISHER; i++) {
        for (const [pid, ws] of publishers) ws.send(`pub:${pid}:${i}`);
      }
      const total = PER_PUBLISHER * 4;
      await until(() => subscribers.every((s) => s.got.length >= total), 30_000, "every message on every worker");
      for (const sub of subscribers) {
        expect(sub.got.length).toBe(total);
        for (const pid of names) {
          expect(sub.got.filter((m) => m.startsWith(`${pid}:`)).map((m) => Number(m.split(":")[2]))).toEqual(Array.from({ length: PER_PUBLISHER }, (_, i) => i));
        }
      }
    } finally {
      for (const ws of clients) ws.terminate();
      child.kill("SIGTERM");
    }
  }, 60_000);
});
