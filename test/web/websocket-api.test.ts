/**
 * The WHATWG surface of our WebSocket (websockets standard, "The WebSocket
 * interface"): constructor checks, constants, send/close exceptions,
 * bufferedAmount, binaryType, event handler slots, the faye-style
 * on/off/once on the same EventTarget, and the event objects. Client and
 * server are the running runtime's own (test/entry.ts, test/peers/our-server.ts).
 */
import { Buffer } from "node:buffer";
import type net from "node:net";
import { afterAll, beforeAll, describe, expect, it, until } from "../harness.ts";
import { CloseEvent, ErrorEvent, MessageEvent, WebSocket, type WebSocketOptions } from "../entry.ts";
import { flags } from "../runtime-flags.ts";
import { answerHandshake, FrameLog } from "../peers/raw.ts";
import { startOurServer, type OurServer } from "../peers/our-server.ts";
import { startRawServer, type PeerServer } from "../peers/servers.ts";

let server: OurServer;
const extra: PeerServer[] = [];
const sockets: WebSocket[] = [];

function open(url = server.url, protocols?: string | string[], options?: WebSocketOptions): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols, options);
  sockets.push(ws);
  return new Promise((resolve, reject) => {
    ws.addEventListener("open", () => resolve(ws), { once: true });
    ws.addEventListener("error", (e) => reject((e as ErrorEvent).error), { once: true });
  });
}

function nextMessage(ws: WebSocket): Promise<MessageEvent> {
  return new Promise((resolve) => ws.addEventListener("message", (e) => resolve(e as MessageEvent), { once: true }));
}

function closed(ws: WebSocket): Promise<CloseEvent> {
  return new Promise((resolve) => ws.addEventListener("close", (e) => resolve(e as CloseEvent), { once: true }));
}

function domName(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DOMException);
    return (err as DOMException).name;
  }
  return "(no exception)";
}

describe("WebSocket (WHATWG API)", () => {
  beforeAll(async () => { server = await startOurServer(); });
  afterAll(async () => {
    for (const s of sockets) s.terminate();
    await server.close();
    for (const s of extra) await s.close();
  });

  describe("constructor", () => {
    it("throws SyntaxError for an unparsable URL, a non-ws scheme and a fragment", () => {
      expect(domName(() => new WebSocket("not a url"))).toBe("SyntaxError");
      expect(domName(() => new WebSocket("ftp://127.0.0.1/"))).toBe("SyntaxError");
      expect(domName(() => new WebSocket("file:///tmp/x"))).toBe("SyntaxError");
      expect(domName(() => new WebSocket("ws://127.0.0.1/#frag"))).toBe("SyntaxError");
      expect(domName(() => new WebSocket("ws://127.0.0.1/#"))).toBe("SyntaxError");
    });

    it("throws SyntaxError for duplicate or invalid subprotocols", () => {
      const url = "ws://127.0.0.1:2/";
      expect(domName(() => new WebSocket(url, ["chat", "chat"]))).toBe("SyntaxError");
      expect(domName(() => new WebSocket(url, ["a b"]))).toBe("SyntaxError");
      expect(domName(() => new WebSocket(url, ["a,b"]))).toBe("SyntaxError");
      expect(domName(() => new WebSocket(url, ""))).toBe("SyntaxError");
      expect(domName(() => new WebSocket(url, ["é"]))).toBe("SyntaxError");
    });

    it("maps http: to ws: and https: to wss:, and keeps path and query", async () => {
      const port = server.port;
      const ws = await open(`http://127.0.0.1:${port}/p/a?q=1`);
      expect(ws.url).toBe(`ws://127.0.0.1:${port}/p/a?q=1`);
      expect(server.sockets.at(-1)!.url).toBe(`ws://127.0.0.1:${port}/p/a?q=1`);
      const secure = new WebSocket("https://127.0.0.1:2/x");
      sockets.push(secure);
      secure.onerror = () => {};
      expect(secure.url).toBe("wss://127.0.0.1:2/x");
      ws.close();
    });

    it("has the readyState constants on the class and on instances", () => {
      expect([WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED]).toEqual([0, 1, 2, 3]);
      const ws = new WebSocket("ws://127.0.0.1:2/");
      sockets.push(ws);
      ws.onerror = () => {};
      expect([ws.CONNECTING, ws.OPEN, ws.CLOSING, ws.CLOSED]).toEqual([0, 1, 2, 3]);
      expect(ws.readyState).toBe(WebSocket.CONNECTING);
      expect(ws.protocol).toBe("");
      expect(ws.extensions).toBe("");
      expect(ws.binaryType).toBe("blob");
      expect(ws.bufferedAmount).toBe(0);
    });

    it("fires open asynchronously: a listener added after the constructor sees it", async () => {
      const ws = new WebSocket(server.url);
      sockets.push(ws);
      expect(ws.readyState).toBe(WebSocket.CONNECTING);
      await new Promise<void>((resolve) => { ws.onopen = () => resolve(); });
      expect(ws.readyState).toBe(WebSocket.OPEN);
      ws.close();
    });

    it(`server side (${flags.server}): open fires after the socket is handed over`, async () => {
      const seen: string[] = [];
      const s = await startOurServer({
        onConnection(ws) {
          seen.push(`constructed ${ws.readyState}`);
          ws.addEventListener("open", () => seen.push(`open ${ws.readyState}`));
        },
      });
      extra.push(s);
      const ws = await open(s.url);
      await until(() => seen.length === 2);
      expect(seen).toEqual(["constructed 0", "open 1"]);
      ws.close();
    });
  });

  describe("send() and close()", () => {
    it("send() while CONNECTING throws InvalidStateError", () => {
      const ws = new WebSocket(server.url);
      sockets.push(ws);
      expect(domName(() => ws.send("too early"))).toBe("InvalidStateError");
      ws.close();
    });

    it("close() refuses codes other than 1000 and 3000-4999 with InvalidAccessError", async () => {
      const ws = await open();
      for (const code of [0, 999, 1001, 1005, 1006, 2000, 2999, 5000]) {
        expect(domName(() => ws.close(code))).toBe("InvalidAccessError");
      }
      expect(ws.readyState).toBe(WebSocket.OPEN);
      expect(domName(() => ws.close(1000, "é".repeat(62)))).toBe("SyntaxError"); // 124 bytes
      expect(ws.readyState).toBe(WebSocket.OPEN);
      const done = closed(ws);
      ws.close(4999, "é".repeat(61) + "x"); // 123 bytes: allowed
      expect(ws.readyState).toBe(WebSocket.CLOSING);
      const event = await done;
      expect(event.code).toBe(4999);
    });

    it("close() while CLOSING or CLOSED does nothing; send() then only grows bufferedAmount", async () => {
      const ws = await open();
      const done = closed(ws);
      ws.close(3001);
      ws.close(3002);
      expect(ws.readyState).toBe(WebSocket.CLOSING);
      ws.send("abc");
      expect(ws.bufferedAmount).toBeGreaterThanOrEqual(3);
      const event = await done;
      expect(event.code).toBe(3001);
      const before = ws.bufferedAmount;
      ws.send(new Uint8Array(10));
      expect(ws.bufferedAmount).toBe(before + 10);
      ws.close();
    });

    it("send(Blob) keeps its place: messages sent after it wait for it", async () => {
      const ws = await open();
      ws.binaryType = "arraybuffer";
      const got: unknown[] = [];
      ws.onmessage = (e) => got.push(typeof e.data === "string" ? e.data : new TextDecoder().decode(e.data as ArrayBuffer));
      ws.send(new Blob(["first ", new Uint8Array([0x62, 0x6c, 0x6f, 0x62])]));
      ws.send("second");
      ws.send(new Blob(["third"]));
      ws.send(new TextEncoder().encode("fourth"));
      await until(() => got.length === 4);
      expect(got).toEqual(["first blob", "second", "third", "fourth"]);
      ws.close();
    });

    it("sends ArrayBuffer, typed-array views (their window only) and DataView as binary", async () => {
      const ws = await open();
      ws.binaryType = "uint8array";
      const got: Uint8Array[] = [];
      ws.onmessage = (e) => got.push(e.data as Uint8Array);
      const backing = new Uint8Array([9, 1, 2, 3, 9]);
      ws.send(backing.buffer);
      ws.send(backing.subarray(1, 4));
      ws.send(new DataView(backing.buffer, 2, 2));
      ws.send(new Uint16Array([0x0201]));
      await until(() => got.length === 4);
      expect(got).toEqual([
        new Uint8Array([9, 1, 2, 3, 9]),
        new Uint8Array([1, 2, 3]),
        new Uint8Array([2, 3]),
        new Uint8Array(new Uint16Array([0x0201]).buffer),
      ]);
      ws.close();
    });
  });

  describe("bufferedAmount", () => {
    it("grows while the peer does not read, and falls back to 0 once it does", async () => {
      let peer!: net.Socket;
      const s = await startRawServer((socket) => {
        peer = socket;
        void answerHandshake(socket).then(() => socket.pause());
      });
      extra.push(s);
      const ws = await open(s.url);
      await until(() => peer?.isPaused());
      const chunk = new Uint8Array(1024 * 1024);
      for (let i = 0; i < 24; i++) ws.send(chunk);
      const first = ws.bufferedAmount;
      expect(first).toBeGreaterThan(0);
      for (let i = 0; i < 8; i++) ws.send(chunk);
      expect(ws.bufferedAmount).toBeGreaterThan(first);
      const log = new FrameLog();
      peer.on("data", (c: Uint8Array) => log.push(c));
      peer.resume();
      await until(() => ws.bufferedAmount === 0, 30_000, "bufferedAmount back to 0");
      await until(() => log.frames.length === 32, 30_000, "all frames read");
      ws.terminate();
    }, 60_000);
  });

  describe("binaryType", () => {
    const payload = new Uint8Array([0, 1, 2, 253, 254, 255]);

    async function receiveAs(type: string): Promise<unknown> {
      const ws = await open();
      ws.binaryType = type as WebSocket["binaryType"];
      ws.send(payload);
      const { data } = await nextMessage(ws);
      ws.close();
      return data;
    }

    it("blob by default", async () => {
      const data = await receiveAs("blob");
      expect(data).toBeInstanceOf(Blob);
      expect(new Uint8Array(await (data as Blob).arrayBuffer())).toEqual(payload);
    });

    it("arraybuffer", async () => {
      const data = await receiveAs("arraybuffer");
      expect(data).toBeInstanceOf(ArrayBuffer);
      expect(new Uint8Array(data as ArrayBuffer)).toEqual(payload);
    });

    it("uint8array (a plain Uint8Array)", async () => {
      const data = await receiveAs("uint8array");
      expect((data as object).constructor).toBe(Uint8Array);
      expect(data).toEqual(payload);
    });

    it(`nodebuffer: ${flags.nodeBuffer ? "a Buffer" : "not known here, so the default stays"}`, async () => {
      const data = await receiveAs("nodebuffer");
      if (flags.nodeBuffer) {
        expect(Buffer.isBuffer(data)).toBe(true);
        expect(new Uint8Array(data as Buffer)).toEqual(payload);
      } else {
        expect(data).toBeInstanceOf(Blob);
      }
    });

    it("ignores values it does not know", () => {
      const ws = new WebSocket(server.url);
      sockets.push(ws);
      ws.binaryType = "arraybuffer";
      ws.binaryType = "bogus" as WebSocket["binaryType"];
      expect(ws.binaryType).toBe("arraybuffer");
      ws.close();
    });

    it("text stays a string whatever the binaryType", async () => {
      const ws = await open();
      ws.binaryType = "arraybuffer";
      ws.send("text");
      expect((await nextMessage(ws)).data).toBe("text");
      ws.close();
    });
  });

  describe("event handlers and listeners", () => {
    function target(): WebSocket {
      const ws = new WebSocket("ws://127.0.0.1:2/");
      sockets.push(ws);
      ws.addEventListener("error", () => {});
      return ws;
    }

    it("an on<event> slot holds one handler: the second assignment replaces the first; null removes it", () => {
      const ws = target();
      const calls: string[] = [];
      const first = () => calls.push("first");
      const second = () => calls.push("second");
      ws.onmessage = first;
      ws.onmessage = second;
      expect(ws.onmessage).toBe(second);
      ws.dispatchEvent(new MessageEvent("message", { data: 1 }));
      expect(calls).toEqual(["second"]);
      ws.onmessage = null;
      expect(ws.onmessage).toBeNull();
      ws.dispatchEvent(new MessageEvent("message", { data: 2 }));
      expect(calls).toEqual(["second"]);
      ws.onmessage = "not a function" as unknown as null;
      expect(ws.onmessage).toBeNull();
    });

    it("on/once/off, addEventListener and on<event> share one EventTarget, in registration order", () => {
      const ws = target();
      const calls: string[] = [];
      const a = () => calls.push("addEventListener");
      const b = () => calls.push("on");
      ws.addEventListener("message", a);
      ws.on("message", b);
      ws.onmessage = () => calls.push("onmessage");
      ws.once("message", () => calls.push("once"));
      ws.dispatchEvent(new MessageEvent("message"));
      expect(calls).toEqual(["addEventListener", "on", "onmessage", "once"]);
      calls.length = 0;
      ws.off("message", a); // added with addEventListener, removed with off
      ws.removeEventListener("message", b); // added with on, removed the WHATWG way
      ws.dispatchEvent(new MessageEvent("message"));
      expect(calls).toEqual(["onmessage"]);
    });

    it("on() returns the socket for chaining and gets the Event itself", () => {
      const ws = target();
      let got: Event | null = null;
      expect(ws.on("custom", (e) => { got = e; })).toBe(ws);
      const event = new Event("custom");
      ws.dispatchEvent(event);
      expect(got).toBe(event);
    });

    it("onopen, onmessage and onclose fire on a real connection", async () => {
      const ws = new WebSocket(server.url);
      sockets.push(ws);
      const calls: string[] = [];
      ws.onopen = (e) => { calls.push(`open ${e.type}`); ws.send("x"); };
      ws.onmessage = (e) => { calls.push(`message ${String(e.data)}`); ws.close(1000, "done"); };
      await new Promise<void>((resolve) => { ws.onclose = (e) => { calls.push(`close ${e.code}`); resolve(); }; });
      expect(calls).toEqual(["open open", "message x", "close 1000"]);
    });
  });

  describe("event objects", () => {
    it("MessageEvent: data, origin of the URL, empty lastEventId, no source or ports, the runtime's MessageEvent", async () => {
      const ws = await open(server.url + "/path");
      ws.send("hello");
      const event = await nextMessage(ws);
      expect(event).toBeInstanceOf(Event);
      expect(event).toBeInstanceOf(MessageEvent);
      expect(event.type).toBe("message");
      expect(event.data).toBe("hello");
      expect(event.origin).toBe(`ws://127.0.0.1:${server.port}`);
      expect(event.lastEventId).toBe("");
      expect(event.source).toBe(null);
      expect(event.ports).toEqual([]);
      expect(event.target).toBe(ws);
      expect(event.currentTarget).toBe(null);
      expect([event.bubbles, event.cancelable, event.defaultPrevented]).toEqual([false, false, false]);
      // Whichever way the runtime's event was made (on Bun, without its slow constructor).
      const tag = (o: unknown) => Object.prototype.toString.call(o);
      expect(tag(event)).toBe(tag(new MessageEvent("message")));
      expect(event.constructor).toBe(MessageEvent);
      ws.close();
    });

    it("CloseEvent: code, reason, wasClean", async () => {
      const ws = await open();
      const s = server.sockets.at(-1)!;
      const done = closed(ws);
      s.close(4321, "reason ünïcode");
      const event = await done;
      expect(event).toBeInstanceOf(Event);
      expect(event).toBeInstanceOf(CloseEvent);
      expect(event.type).toBe("close");
      expect(event.code).toBe(4321);
      expect(event.reason).toBe("reason ünïcode");
      expect(event.wasClean).toBe(true);
      expect(event.target).toBe(ws);
    });

    it("close() with no code sends no code: the peer and we see 1005", async () => {
      const ws = await open();
      const s = server.sockets.at(-1)!;
      const theirs = closed(s);
      const done = closed(ws);
      ws.close();
      expect((await theirs).code).toBe(1005);
      expect((await done).code).toBe(1005);
    });

    it("ErrorEvent: message and error on a failed connection, before close", async () => {
      const s = await startRawServer((socket) => socket.once("data", () => socket.end("HTTP/1.1 500 Oops\r\n\r\n")));
      extra.push(s);
      const ws = new WebSocket(s.url);
      sockets.push(ws);
      const order: string[] = [];
      let error!: ErrorEvent;
      ws.onerror = (e) => { error = e as ErrorEvent; order.push("error"); };
      const close = await new Promise<CloseEvent>((resolve) => { ws.onclose = (e) => { order.push("close"); resolve(e); }; });
      expect(order).toEqual(["error", "close"]);
      expect(error).toBeInstanceOf(Event);
      expect(error).toBeInstanceOf(ErrorEvent);
      expect(error.type).toBe("error");
      expect(error.message).toMatch("500");
      expect(error.error).toBeInstanceOf(Error);
      expect(close.code).toBe(1006);
      expect(close.wasClean).toBe(false);
      expect(close.reason).toBe("");
    });
  });
});
