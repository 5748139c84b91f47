/**
 * Publishes of one task reach each subscriber together (src/web/pubsub/hub.ts
 * queues them on every socket and writes in a microtask), and that never
 * reorders them against the socket's own sends:
 *
 *   publish(A); ws0.send(X); publish(B); ws0.close()   (one task)
 *   client 0 gets A, X, B, then the close; the others A, B
 */
import { describe, expect, it, until } from "../harness.ts";
import { WebSocket, type CloseEvent } from "../entry.ts";
import { PubSub } from "../../src/web/pubsub/hub.ts";
import { startOurServer } from "../peers/our-server.ts";

describe("publishes of one task", () => {
  it("arrive in order with the socket's own sends and its close", async () => {
    const server = await startOurServer({ echo: false });
    const clients = await Promise.all(Array.from({ length: 3 }, () => new Promise<{ ws: WebSocket; got: string[]; closed: Promise<CloseEvent> }>((resolve) => {
      const ws = new WebSocket(server.url);
      const got: string[] = [];
      const closed = new Promise<CloseEvent>((r) => ws.addEventListener("close", (event) => r(event as CloseEvent)));
      ws.addEventListener("message", (event) => got.push(String((event as MessageEvent).data)));
      ws.addEventListener("open", () => resolve({ ws, got, closed }), { once: true });
    })));
    try {
      await until(() => server.sockets.length === 3 && server.sockets.every((ws) => ws.readyState === WebSocket.OPEN), 10_000, "every server side open");
      const hub = new PubSub();
      for (const ws of server.sockets) hub.subscribe(ws, "room");
      // Which client is which server socket: a topic per socket tells.
      server.sockets.forEach((ws, i) => hub.subscribe(ws, `id:${i}`));
      server.sockets.forEach((_, i) => hub.publish(`id:${i}`, `${i}`));
      await until(() => clients.every((c) => c.got.length === 1), 10_000, "the ids");
      const first = clients.find((c) => c.got[0] === "0")!;
      const ws0 = server.sockets[0]!;

      for (let i = 0; i < 10; i++) hub.publish("room", `burst ${i}`);
      hub.publish("room", "A");
      ws0.send("X");
      hub.publish("room", "B");
      ws0.close(1000, "bye");
      hub.publish("room", "C"); // closing: not for socket 0

      const burst = Array.from({ length: 10 }, (_, i) => `burst ${i}`);
      await until(() => clients.every((c) => c.got.length >= 14), 10_000, "every message");
      expect(first.got).toEqual(["0", ...burst, "A", "X", "B"]);
      for (const c of clients.filter((c) => c !== first)) expect(c.got).toEqual([c.got[0], ...burst, "A", "B", "C"]);
      const close = await first.closed;
      expect(close.code).toBe(1000);
      expect(close.reason).toBe("bye");
    } finally {
      for (const c of clients) c.ws.close();
      await server.close();
    }
  }, 30_000);
});
