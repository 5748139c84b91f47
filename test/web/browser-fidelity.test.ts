/**
 * Behaviour a browser's WebSocket has and code written for one relies on
 * (the causes the web-platform-tests websockets suite checks), through the
 * entry the running runtime resolves "omnisocket" to:
 *
 *   URLs     relative to `location`, user:password@ as Basic, fetch's bad ports
 *   protocols duplicates compared case-insensitively
 *   bufferedAmount grows in send() and falls once the bytes have left
 *   tasks    bytes that came with the 101 are messages of later tasks than open
 *   options  ws's options object as the second argument is taken, never dropped
 *   events   typed on("message") / on("close") listeners
 *   node:http faye's server form and the SSE server from the default import
 */
import http from "node:http";
import type { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, runtime, until } from "../harness.ts";
import { EventSourceServer, WebSocket } from "../entry.ts";
import { acceptFor, frame } from "../peers/raw.ts";
import { startOurServer, type OurServer } from "../peers/our-server.ts";
import { startRawServer, type PeerServer } from "../peers/servers.ts";

let server: OurServer;
const extra: PeerServer[] = [];
const sockets: WebSocket[] = [];

function opened(ws: WebSocket): Promise<WebSocket> {
  sockets.push(ws);
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", (event) => reject(event.error ?? new Error(event.message)));
  });
}

function closed(ws: WebSocket): Promise<{ code: number; wasClean: boolean }> {
  return new Promise((resolve) => ws.once("close", (event) => resolve({ code: event.code, wasClean: event.wasClean })));
}

function domError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return error instanceof DOMException ? error.name : `not a DOMException: ${String(error)}`;
  }
  return "(no exception)";
}

describe(`browser fidelity of the ${runtime} entry`, () => {
  beforeAll(async () => { server = await startOurServer(); });
  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await server.close();
    for (const s of extra) await s.close();
  });

  describe("URLs", () => {
    it("resolves a relative URL against globalThis.location, and refuses one when there is none", async () => {
      expect(domError(() => new WebSocket("/relative"))).toBe("SyntaxError");
      const g = globalThis as { location?: unknown };
      const before = Object.getOwnPropertyDescriptor(globalThis, "location");
      Object.defineProperty(globalThis, "location", { value: { href: `http://127.0.0.1:${server.port}/base/page` }, configurable: true, writable: true });
      let ws: WebSocket;
      try {
        ws = new WebSocket("chat?room=1");
      } finally {
        if (before) Object.defineProperty(globalThis, "location", before);
        else delete g.location;
      }
      expect(ws.url).toBe(`ws://127.0.0.1:${server.port}/base/chat?room=1`);
      await opened(ws);
      expect(server.sockets.at(-1)!.url).toBe(`ws://127.0.0.1:${server.port}/base/chat?room=1`);
      ws.close();
    });

    it("sends user:password@ as Authorization: Basic (percent-decoded UTF-8), dialing the same host", async () => {
      const ws = await opened(new WebSocket(`ws://us%C3%A9r:p%40ss@127.0.0.1:${server.port}/auth`));
      const seen = server.sockets.at(-1)!.headers;
      expect(seen.authorization).toBe("Basic " + btoa(String.fromCharCode(...new TextEncoder().encode("usér:p@ss"))));
      expect(seen.host).toBe(`127.0.0.1:${server.port}`);
      ws.close();
    });

    it("an Authorization header of the caller wins over the URL's credentials", async () => {
      const ws = await opened(new WebSocket(`ws://u:p@127.0.0.1:${server.port}/`, [], { headers: { Authorization: "Bearer t" } }));
      expect(server.sockets.at(-1)!.headers.authorization).toBe("Bearer t");
      ws.close();
    });

    it("refuses the fetch standard's bad ports with a SecurityError, on ws:, wss: and http:", () => {
      for (const url of ["ws://127.0.0.1:1/", "ws://127.0.0.1:25/", "wss://127.0.0.1:6000/", "http://127.0.0.1:10080/", "ws://127.0.0.1:6697/"]) {
        expect(domError(() => new WebSocket(url))).toBe("SecurityError");
      }
      const fine = new WebSocket("ws://127.0.0.1:2/");
      fine.onerror = () => {};
      fine.close();
    });

    it("compares duplicate subprotocols case-insensitively", () => {
      expect(domError(() => new WebSocket("ws://127.0.0.1:2/", ["chat", "CHAT"]))).toBe("SyntaxError");
      expect(domError(() => new WebSocket("ws://127.0.0.1:2/", ["Echo", "eChO"]))).toBe("SyntaxError");
    });
  });

  describe("bufferedAmount", () => {
    it("counts the payload at send() (text as UTF-8), and falls to 0 once the bytes have left", async () => {
      const ws = await opened(new WebSocket(server.url));
      ws.send(new ArrayBuffer(65000));
      expect(ws.bufferedAmount).toBe(65000);
      ws.send("héllo");
      expect(ws.bufferedAmount).toBe(65006);
      ws.send(new Uint16Array(4));
      expect(ws.bufferedAmount).toBe(65014);
      await until(() => ws.bufferedAmount === 0, 10_000, "bufferedAmount back to 0");
      ws.close();
    });
  });

  describe("one task per message", () => {
    /** A server that sends `count` text messages in the same write as its 101. */
    async function eager(count: number): Promise<PeerServer> {
      const peer = await startRawServer((socket) => {
        let head = "";
        socket.on("data", (chunk: Uint8Array) => {
          if (head.includes("\r\n\r\n")) return;
          head += new TextDecoder("latin1").decode(chunk);
          if (!head.includes("\r\n\r\n")) return;
          const key = /\r\nsec-websocket-key: *([^\r\n]+)/i.exec(head)![1]!;
          const response = new TextEncoder().encode(
            `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`,
          );
          const parts = [response, ...Array.from({ length: count }, (_, i) => frame(1, `m${i}`))];
          const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
          let at = 0;
          for (const p of parts) {
            all.set(p, at);
            at += p.length;
          }
          socket.write(all);
        });
      });
      extra.push(peer);
      return peer;
    }

    it("code that awaits open and then sets onmessage gets every message that came with the 101", async () => {
      const peer = await eager(10);
      const ws = new WebSocket(peer.url);
      sockets.push(ws);
      await new Promise<void>((resolve) => { ws.onopen = () => resolve(); });
      await Promise.resolve(); // a few more microtasks, as real code has
      const got: string[] = [];
      ws.onmessage = (event) => { got.push(event.data as string); };
      await until(() => got.length === 10, 10_000, "ten messages");
      expect(got).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
      ws.terminate();
    });
  });

  describe("ws's options object as the second argument", () => {
    it("perMessageDeflate: false is honoured: nothing is offered", async () => {
      const ws = await opened(new WebSocket(server.url, { perMessageDeflate: false }));
      expect(server.sockets.at(-1)!.headers["sec-websocket-extensions"]).toBeUndefined();
      expect(ws.extensions).toBe("");
      ws.close();
      const offered = await opened(new WebSocket(server.url));
      expect(server.sockets.at(-1)!.headers["sec-websocket-extensions"]).toMatch(/permessage-deflate/);
      offered.close();
    });

    it("origin and headers are sent", async () => {
      const ws = await opened(new WebSocket(server.url, { origin: "https://app.example", headers: { "X-Trace": "7" } }));
      const seen = server.sockets.at(-1)!.headers;
      expect(seen.origin).toBe("https://app.example");
      expect(seen["x-trace"]).toBe("7");
      ws.close();
    });

    it("ws's maxPayload is taken as maxLength: a larger message closes with 1009", async () => {
      const ws = await opened(new WebSocket(server.url, { maxPayload: 8 } as never));
      const peer = closed(server.sockets.at(-1)!);
      const done = closed(ws);
      ws.send("0123456789"); // the echo comes back larger than 8 bytes
      expect((await peer).code).toBe(1009); // the close frame we sent
      expect(await done).toEqual({ code: 1006, wasClean: false }); // WHATWG: we failed the connection
    });

    it("an option no form knows is a TypeError naming it; options twice is a TypeError", () => {
      const error = (fn: () => unknown) => {
        try {
          fn();
        } catch (e) {
          return e;
        }
        return null;
      };
      const unknown = error(() => new WebSocket("ws://127.0.0.1:2/", { followRedirects: true } as never));
      expect(unknown).toBeInstanceOf(TypeError);
      expect(String((unknown as Error).message)).toMatch(/followRedirects/);
      expect(error(() => new WebSocket("ws://127.0.0.1:2/", [], { maxRedirects: 5 } as never))).toBeInstanceOf(TypeError);
      expect(error(() => new (WebSocket as unknown as new (...a: unknown[]) => unknown)("ws://127.0.0.1:2/", {}, {}))).toBeInstanceOf(TypeError);
    });
  });

  describe("close()", () => {
    it("a reason without a code goes out with 1000; no arguments send no status (1005)", async () => {
      const ws = await opened(new WebSocket(server.url));
      const peer = closed(server.sockets.at(-1)!);
      ws.close(undefined, "bye");
      expect((await peer).code).toBe(1000);
      const bare = await opened(new WebSocket(server.url));
      const barePeer = closed(server.sockets.at(-1)!);
      bare.close();
      expect((await barePeer).code).toBe(1005);
    });
  });

  describe("typed events", () => {
    it("on('message') gets a MessageEvent and on('close') a CloseEvent, without casts", async () => {
      const ws = await opened(new WebSocket(server.url));
      const data = new Promise<string>((resolve) => ws.on("message", (event) => resolve(event.data as string)));
      const code = new Promise<number>((resolve) => ws.on("close", (event) => resolve(event.code)));
      ws.send("typed");
      expect(await data).toBe("typed");
      ws.close(4001);
      expect(await code).toBe(4001);
    });
  });

  describe("node:http from the default import", () => {
    it("WebSocket.isWebSocket(req) and new WebSocket(req, socket, head, protocols, options) serve a client", async () => {
      const httpServer = http.createServer((_req, res) => res.writeHead(404).end());
      httpServer.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Uint8Array) => {
        if (!WebSocket.isWebSocket(req)) return socket.destroy();
        const ws = new WebSocket(req, socket, head, ["chat"], { binaryType: "arraybuffer" });
        sockets.push(ws);
        ws.onmessage = (event) => ws.send(`echo ${event.data as string}`);
      });
      await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
      try {
        const port = (httpServer.address() as { port: number }).port;
        const client = await opened(new WebSocket(`ws://127.0.0.1:${port}/`, ["other", "chat"]));
        expect(client.protocol).toBe("chat");
        const reply = new Promise<string>((resolve) => client.once("message", (event) => resolve(event.data as string)));
        client.send("hi");
        expect(await reply).toBe("echo hi");
        client.close();
        await closed(client);
      } finally {
        for (const ws of sockets) ws.terminate();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      }
    });

    it("EventSourceServer answers a node:http request with an event stream", async () => {
      const httpServer = http.createServer((req, res) => {
        if (!EventSourceServer.isEventSource(req)) return void res.writeHead(404).end();
        const es = new EventSourceServer(req, res, { retry: 1, ping: 0 });
        es.send("hello", { event: "greeting", id: "1" });
        es.close();
      });
      await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
      try {
        const port = (httpServer.address() as { port: number }).port;
        const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { Accept: "text/event-stream" } });
        expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
        expect(await response.text()).toBe("retry: 1000\nevent: greeting\nid: 1\ndata: hello\n\n");
      } finally {
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      }
    });
  });
});
