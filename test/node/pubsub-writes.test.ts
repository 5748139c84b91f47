/**
 * One write per subscriber for all the publishes of a task, counted on
 * node:net: each server socket's `_write`/`_writev` (what node:stream calls
 * once per write it hands to the kernel, once for a corked batch) is
 * wrapped, ten publishes are made in one task, and every subscriber's
 * socket must have been written to once for all ten.
 */
import type { Duplex } from "node:stream";
import { describe, expect, it, until } from "../harness.ts";
import { WebSocket } from "../entry.ts";
import { PubSub } from "../../src/web/pubsub/hub.ts";
import { startHookServer } from "../peers/servers.ts";

const SUBSCRIBERS = 20;

describe("a burst of publishes", () => {
  it("costs each subscriber one socket write", async () => {
    const writes: number[] = [];
    const server = await startHookServer({
      echo: false,
      beforeUpgrade(_req, socket: Duplex) {
        const i = writes.push(0) - 1;
        const s = socket as Duplex & { _write: Function; _writev?: Function };
        const write = s._write;
        s._write = function (...args: unknown[]) {
          writes[i]!++;
          return write.apply(this, args);
        };
        const writev = s._writev;
        if (writev) {
          s._writev = function (...args: unknown[]) {
            writes[i]!++;
            return writev.apply(this, args);
          };
        }
      },
    });
    const clients = await Promise.all(Array.from({ length: SUBSCRIBERS }, () => new Promise<{ ws: WebSocket; got: string[] }>((resolve) => {
      const ws = new WebSocket(server.url);
      const got: string[] = [];
      ws.addEventListener("message", (event) => got.push(String((event as MessageEvent).data)));
      ws.addEventListener("open", () => resolve({ ws, got }), { once: true });
    })));
    try {
      await until(() => server.sockets.length === SUBSCRIBERS && server.sockets.every((ws) => ws.readyState === WebSocket.OPEN), 10_000, "every server side open");
      const hub = new PubSub();
      for (const ws of server.sockets) hub.subscribe(ws, "room");
      const before = [...writes];
      // Small and large: text framed in the slab, and a binary frame of its own.
      for (let i = 0; i < 10; i++) hub.publish("room", i % 2 === 0 ? `message ${i}` : new Uint8Array(100_000).fill(i));
      await until(() => clients.every((c) => c.got.length === 10), 10_000, "every message");
      expect(writes.map((n, i) => n - before[i]!)).toEqual(Array.from({ length: SUBSCRIBERS }, () => 1));
      expect(hub.stats.framings).toBe(10);
      for (const c of clients) expect(c.got.filter((_, i) => i % 2 === 0)).toEqual(["message 0", "message 2", "message 4", "message 6", "message 8"]);
    } finally {
      for (const c of clients) c.ws.close();
      await server.close();
    }
  }, 30_000);
});
