/**
 * A slow subscriber on the pub/sub hub, on every server form of the running
 * runtime that takes `backpressureLimit` (the node:http hook and listen(),
 * on every runtime):
 *
 *   hub.publish --shared frame--> fast clients      read everything, in order
 *               --shared frame--> slow raw client   reads nothing: its bytes wait in
 *                                                   its own socket (bufferedAmount grows)
 *   with backpressureLimit: the slow one is dropped (1008, WS_ERR_BACKPRESSURE_LIMIT),
 *   it leaves its topics, and the others keep receiving.
 *
 * No timing is asserted: "does not delay" means the fast clients get every
 * message while the slow one still holds its share unread.
 */
import { describe, expect, it, until } from "../harness.ts";
import { WebSocket, WebSocketError, type CloseEvent, type ErrorEvent } from "../entry.ts";
import { PubSub } from "../../src/web/pubsub/hub.ts";
import { startListenServer, type OurServer, type OurSocketOptions } from "../peers/our-server.ts";
import { startHookServer } from "../peers/servers.ts";
import { rawClient } from "../peers/raw.ts";

const MiB = 1024 * 1024;
const FAST = 5;
const TIMEOUT = 120_000;

interface Form {
  name: string;
  start(options: OurSocketOptions): Promise<OurServer>;
}

const forms: Form[] = [
  { name: "node:http upgrade hook", start: (options) => startHookServer({ echo: false, options }) },
  { name: "listen()", start: (options) => startListenServer({ echo: false, options }) },
];

interface Fast {
  ws: WebSocket;
  got: number[];
}

async function fastClients(url: string, n: number): Promise<Fast[]> {
  return await Promise.all(Array.from({ length: n }, () => new Promise<Fast>((resolve, reject) => {
    const ws = new WebSocket(url);
    const client: Fast = { ws, got: [] };
    ws.addEventListener("message", (event) => client.got.push(Number(String((event as MessageEvent).data).split(":")[0])));
    ws.addEventListener("open", () => resolve(client), { once: true });
    ws.addEventListener("error", () => reject(new Error("client could not connect")), { once: true });
  })));
}

const numbers = (n: number) => Array.from({ length: n }, (_, i) => i);
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const buffered = (ws: WebSocket) => ws.bufferedAmount;

for (const form of forms) {
  describe(`a slow subscriber on ${form.name}`, () => {
    it("does not delay the others: its bytes wait in its own socket while they get every message", async () => {
      const server = await form.start({});
      const fast = await fastClients(server.url, FAST);
      const slow = await rawClient(server.port);
      slow.socket.pause(); // reads nothing more: TCP fills up behind it
      try {
        await until(() => server.sockets.length === FAST + 1 && server.sockets.every((ws) => ws.readyState === WebSocket.OPEN), 10_000, "every server side open");
        const hub = new PubSub();
        for (const ws of server.sockets) hub.subscribe(ws, "room");
        const big = "y".repeat(256 * 1024);
        // 10 MiB to each, four publishes per task (one write per subscriber for each four).
        for (let i = 0; i < 40; i++) {
          hub.publish("room", `${i}:${big}`);
          if (i % 4 === 3) await tick();
        }
        await until(() => fast.every((c) => c.got.length === 40), 60_000, "the fast subscribers got everything");
        for (const c of fast) expect(c.got).toEqual(numbers(40));
        await until(() => server.sockets.filter((ws) => buffered(ws) > 0).length === 1, 10_000, "only the slow socket holds bytes");
        const slowSide = server.sockets.find((ws) => buffered(ws) > 0)!;
        expect(buffered(slowSide)).toBeGreaterThan(MiB);
        expect(slowSide.readyState).toBe(WebSocket.OPEN);
      } finally {
        slow.socket.destroy();
        for (const c of fast) c.ws.close();
        await server.close();
      }
    }, TIMEOUT);

    it("with backpressureLimit it is dropped with 1008 and WS_ERR_BACKPRESSURE_LIMIT, and the others keep receiving", async () => {
      const server = await form.start({ backpressureLimit: 2 * MiB });
      const fast = await fastClients(server.url, FAST);
      const slow = await rawClient(server.port, { allowHalfOpen: true });
      slow.socket.removeAllListeners("data");
      slow.socket.pause(); // never reads
      try {
        await until(() => server.sockets.length === FAST + 1 && server.sockets.every((ws) => ws.readyState === WebSocket.OPEN), 10_000, "every server side open");
        const closes: CloseEvent[] = [];
        const errors: unknown[] = [];
        const hub = new PubSub();
        for (const ws of server.sockets) {
          hub.subscribe(ws, "room");
          ws.addEventListener("close", (event) => closes.push(event as CloseEvent));
          ws.addEventListener("error", (event) => errors.push((event as ErrorEvent).error));
        }
        const big = "z".repeat(64 * 1024);
        // Four publishes per task until the slow one is dropped (at most 64 MiB for it), then ten
        // more. The fast ones are waited for after each task: only the slow one falls behind.
        let sent = 0;
        while (closes.length === 0 && sent < 1024) {
          for (let i = 0; i < 4; i++) hub.publish("room", `${sent++}:${big}`);
          await until(() => fast.every((c) => c.got.length === sent), 30_000, "the fast subscribers keeping up");
        }
        expect(closes.length).toBe(1);
        for (let i = 0; i < 10; i++) {
          hub.publish("room", `${sent++}:${big}`);
          await tick();
        }

        expect(closes[0]!.code).toBe(1008);
        expect(closes[0]!.wasClean).toBe(false);
        expect(errors.length).toBe(1);
        expect(errors[0]).toBeInstanceOf(WebSocketError);
        expect((errors[0] as InstanceType<typeof WebSocketError>).code).toBe("WS_ERR_BACKPRESSURE_LIMIT");
        // The dropped socket leaves its topics; the others get every message, in order.
        expect(hub.subscriberCount("room")).toBe(FAST);
        await until(() => fast.every((c) => c.got.length === sent), 60_000, "the fast subscribers got everything");
        for (const c of fast) expect(c.got).toEqual(numbers(sent));
        expect(fast.every((c) => c.ws.readyState === WebSocket.OPEN)).toBe(true);
      } finally {
        slow.socket.destroy();
        for (const c of fast) c.ws.close();
        await server.close();
      }
    }, TIMEOUT);
  });
}
