/**
 * One write per subscriber for all the publishes of a task, counted on
 * node:net: each server socket's `_write`/`_writev` (what node:stream calls
 * once per write it hands to the kernel, once for a corked batch) is
 * wrapped, publishes are made in one task, and every subscriber's socket
 * must have been written to once for all of them: ten to one topic; or
 * several topics, with a send() of its own to one subscriber in between,
 * which must arrive between the publishes it was sent between.
 */
import type { Duplex } from "node:stream";
import { describe, expect, it, until } from "../harness.ts";
import { WebSocket } from "../entry.ts";
import { PubSub } from "../../src/web/pubsub/hub.ts";
import { startHookServer } from "../peers/servers.ts";

const SUBSCRIBERS = 20;

interface Client { ws: WebSocket; got: string[] }

/** A hook server whose sockets count their writes, and SUBSCRIBERS open clients. */
async function countedServer() {
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
  const clients = await Promise.all(Array.from({ length: SUBSCRIBERS }, () => new Promise<Client>((resolve) => {
    const ws = new WebSocket(server.url);
    const got: string[] = [];
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (event) => {
      const data = (event as MessageEvent).data;
      got.push(typeof data === "string" ? data : `${(data as ArrayBuffer).byteLength} bytes`);
    });
    ws.addEventListener("open", () => resolve({ ws, got }), { once: true });
  })));
  await until(() => server.sockets.length === SUBSCRIBERS && server.sockets.every((ws) => ws.readyState === WebSocket.OPEN), 10_000, "every server side open");
  const close = async () => {
    for (const c of clients) c.ws.close();
    await server.close();
  };
  return { server, clients, writes, close };
}

describe("a burst of publishes", () => {
  it("costs each subscriber one socket write", async () => {
    const { server, clients, writes, close } = await countedServer();
    try {
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
      await close();
    }
  }, 30_000);

  it("over several topics, with a send() between publishes: still one write each, in the order given", async () => {
    const { server, clients, writes, close } = await countedServer();
    try {
      const hub = new PubSub();
      // Every socket is in "all"; the first half in "half" too.
      server.sockets.forEach((ws, i) => {
        hub.subscribe(ws, "all");
        if (i < SUBSCRIBERS / 2) hub.subscribe(ws, "half");
      });
      const first = server.sockets[0]!;
      const before = [...writes];
      hub.publish("half", "h1");
      hub.publish("all", "a1");
      first.send("direct");
      hub.publish("half", "h2");
      hub.publish("all", new Uint8Array(70_000));
      const expected = (i: number) => (i < SUBSCRIBERS / 2 ? ["h1", "a1", "h2", "70000 bytes"] : ["a1", "70000 bytes"]);
      const counts = server.sockets.map((_, i) => expected(i).length + (i === 0 ? 1 : 0));
      await until(() => clients.reduce((n, c) => n + c.got.length, 0) === counts.reduce((a, b) => a + b, 0), 10_000, "every message");
      expect(writes.map((n, i) => n - before[i]!)).toEqual(Array.from({ length: SUBSCRIBERS }, () => 1));
      // Server sockets and clients pair up by what they received.
      const direct = clients.filter((c) => c.got.includes("direct"));
      expect(direct.map((c) => c.got)).toEqual([["h1", "a1", "direct", "h2", "70000 bytes"]]);
      const others = clients.filter((c) => !c.got.includes("direct")).map((c) => c.got.join(" ")).sort();
      expect(others).toEqual([
        ...Array.from({ length: SUBSCRIBERS - SUBSCRIBERS / 2 }, () => "a1 70000 bytes"),
        ...Array.from({ length: SUBSCRIBERS / 2 - 1 }, () => "h1 a1 h2 70000 bytes"),
      ].sort());
    } finally {
      await close();
    }
  }, 30_000);
});
