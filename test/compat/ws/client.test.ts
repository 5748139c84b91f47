/**
 * omnisocket/ws's WebSocket as ws documents it, mostly against the real
 * `ws` server: events and their arguments, send callbacks, pause/resume,
 * binaryType, the EventTarget shim, close rules, handshake failures,
 * handshakeTimeout, redirects, protocolVersion 8 and ws+unix.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createTcpServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import { describe, expect, it, until } from "../../harness.ts";
import { closeServer, next, RealWs, WebSocket } from "./entry.ts";

/** A real ws echo server (text stays text, binary stays binary). */
async function realServer(options: Record<string, unknown> = {}): Promise<{ wss: InstanceType<typeof RealWs.WebSocketServer>; url: string }> {
  const wss = new RealWs.WebSocketServer({ port: 0, host: "127.0.0.1", ...options });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  return { wss, url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}` };
}

function httpServer(handler: (req: IncomingMessage, res: import("node:http").ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port })));
}

describe("omnisocket/ws WebSocket against the real ws", () => {
  for (const perMessageDeflate of [false, true]) {
    it(`echoes text and binary with Buffers and isBinary (deflate ${perMessageDeflate})`, async () => {
      const { wss, url } = await realServer({ perMessageDeflate });
      const ws = new WebSocket(url);
      const upgraded = next(ws, "upgrade");
      await next(ws, "open");
      const [res] = await upgraded;
      expect((res as IncomingMessage).statusCode).toBe(101);
      expect(ws.readyState).toBe(WebSocket.OPEN);
      expect(ws.extensions).toBe(perMessageDeflate ? "permessage-deflate" : "");
      ws.send("héllo");
      const [text, textBinary] = await next(ws, "message");
      expect(Buffer.isBuffer(text)).toBe(true);
      expect(String(text)).toBe("héllo");
      expect(textBinary).toBe(false);
      ws.send(new Uint8Array([1, 2, 3]));
      const [bin, isBinary] = await next(ws, "message");
      expect([...(bin as Buffer)]).toEqual([1, 2, 3]);
      expect(isBinary).toBe(true);
      ws.send("x".repeat(5000), { compress: true });
      expect(String((await next(ws, "message"))[0]).length).toBe(5000);
      ws.close(4000, "done");
      const [code, reason] = await next(ws, "close");
      expect(code).toBe(4000);
      expect(Buffer.isBuffer(reason)).toBe(true);
      expect(ws.readyState).toBe(WebSocket.CLOSED);
      await closeServer(wss);
    });
  }

  it("calls send callbacks with null once written, with an error after close, and throws while CONNECTING", async () => {
    const { wss, url } = await realServer();
    const ws = new WebSocket(url);
    expect(() => ws.send("early")).toThrow("WebSocket is not open: readyState 0 (CONNECTING)");
    await next(ws, "open");
    const results: unknown[] = [];
    await new Promise<void>((resolve) => ws.send(Buffer.alloc(256 * 1024), (err) => { results.push(err); resolve(); }));
    expect(results).toEqual([null]);
    const closed = next(ws, "close");
    ws.close();
    const errors: Array<Error | undefined> = [];
    ws.send("late", (err) => errors.push(err));
    ws.ping(undefined, undefined, (err) => errors.push(err));
    expect(ws.bufferedAmount).toBeGreaterThanOrEqual(4); // plus what the socket still holds
    await until(() => errors.length === 2);
    expect(errors.map((e) => e?.message)).toEqual([
      "WebSocket is not open: readyState 2 (CLOSING)",
      "WebSocket is not open: readyState 2 (CLOSING)",
    ]);
    await closed;
    await closeServer(wss);
  });

  it("a send callback hears of an error when the socket goes before its bytes are written", async () => {
    const wss = new RealWs.WebSocketServer({ port: 0, host: "127.0.0.1" });
    await next(wss, "listening");
    const serverSide = next(wss, "connection");
    const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, { perMessageDeflate: false });
    await next(ws, "open");
    const [peer] = (await serverSide) as [InstanceType<typeof RealWs.WebSocket>];
    peer.pause(); // the peer reads nothing: the bytes pile up on our side
    const results: Array<Error | null | undefined> = [];
    const big = Buffer.alloc(32 * 1024 * 1024);
    ws.send(big, (err) => results.push(err));
    ws.send(big, (err) => results.push(err));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(results).toEqual([]); // not written yet
    const closed = next(ws, "close");
    ws.terminate();
    await closed;
    await until(() => results.length === 2);
    expect(results.every((err) => err instanceof Error)).toBe(true);
    peer.terminate();
    await closeServer(wss);
  });

  it("sends fin: false fragments as one message, Blobs in order, numbers as text", async () => {
    const { wss, url } = await realServer();
    const ws = new WebSocket(url);
    await next(ws, "open");
    const got: string[] = [];
    ws.on("message", (data, isBinary) => got.push(`${String(data)} ${isBinary}`));
    ws.send("a", { fin: false });
    ws.send("b", { fin: false });
    ws.send("c", { fin: true });
    ws.send(new Blob(["blob"]));
    ws.send("after the blob");
    ws.send(42);
    await until(() => got.length === 4);
    expect(got).toEqual(["abc false", "blob true", "after the blob false", "42 false"]);
    ws.close();
    await next(ws, "close");
    await closeServer(wss);
  });

  it("connects through createConnection, and masks with generateMask", async () => {
    const { wss, url } = await realServer();
    const { connect: netConnect } = await import("node:net");
    const made: string[] = [];
    const masks: number[] = [];
    const ws = new WebSocket(url, {
      createConnection: (options: object) => {
        made.push(String((options as { port: number }).port));
        return netConnect(options as { port: number; host: string });
      },
      generateMask: (mask: Buffer) => {
        mask.fill(0);
        masks.push(mask.length);
      },
    });
    await next(ws, "open");
    ws.send("masked with zeros");
    expect(String((await next(ws, "message"))[0])).toBe("masked with zeros");
    expect(made).toEqual([new URL(url).port]);
    expect(masks.length > 0 && masks.every((n) => n === 4)).toBe(true);
    ws.close();
    await next(ws, "close");
    await closeServer(wss);
  });

  it("allowSynchronousEvents: false gives each message a turn of its own, as ws does", async () => {
    const { createHash } = await import("node:crypto");
    const server = createServer();
    server.on("upgrade", (req: IncomingMessage, socket: Socket) => {
      const accept = createHash("sha1").update(String(req.headers["sec-websocket-key"]) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
      socket.on("error", () => undefined);
      socket.on("data", () => undefined);
      // The 101 and two text messages in one write, so one read holds both.
      socket.write(Buffer.concat([
        Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`),
        Buffer.from([0x81, 0x01, 0x61, 0x81, 0x01, 0x62]),
      ]));
      socket.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
    const run = (Client: typeof RealWs.WebSocket, allowSynchronousEvents: boolean) => new Promise<string[]>((resolve) => {
      const log: string[] = [];
      const ws = new Client(url, { allowSynchronousEvents, perMessageDeflate: false });
      ws.on("message", (data) => {
        log.push(String(data));
        void Promise.resolve().then(() => log.push(`microtask after ${String(data)}`));
      });
      ws.on("error", () => undefined);
      ws.on("close", () => resolve(log));
    });
    for (const allow of [true, false]) {
      const theirs = await run(RealWs.WebSocket, allow);
      const ours = await run(WebSocket as unknown as typeof RealWs.WebSocket, allow);
      expect(ours).toEqual(theirs);
      expect(theirs).toEqual(allow ? ["a", "b", "microtask after a", "microtask after b"] : ["a", "microtask after a", "b", "microtask after b"]);
    }
    await new Promise((resolve) => server.close(resolve));
  });

  it("finishRequest may change the request's headers before it calls end()", async () => {
    const { wss, url } = await realServer();
    const seen: string[] = [];
    wss.on("headers", (_h, req) => seen.push(String(req.headers["x-late"])));
    let given: unknown;
    // As in ws, finishRequest runs inside the constructor.
    const ws = new WebSocket(url, {
      finishRequest: (request: { setHeader(name: string, value: string): void; end(): void }, socket: unknown) => {
        given = socket;
        request.setHeader("X-Late", "added in finishRequest");
        setTimeout(() => request.end(), 10);
      },
    });
    await next(ws, "open");
    expect(given).toBe(ws);
    expect(seen).toEqual(["added in finishRequest"]);
    ws.close();
    await next(ws, "close");
    await closeServer(wss);
  });

  it("close() during the handshake: error, then close 1006", async () => {
    const { wss, url } = await realServer();
    const ws = new WebSocket(url);
    const events: string[] = [];
    ws.on("error", (err) => events.push(err.message));
    const closed = next(ws, "close");
    ws.close();
    expect((await closed)[0]).toBe(1006);
    expect(events).toEqual(["WebSocket was closed before the connection was established"]);
    await closeServer(wss);
  });

  it("terminate() during the handshake: error, then close 1006", async () => {
    const { wss, url } = await realServer();
    const ws = new WebSocket(url);
    const events: string[] = [];
    ws.on("open", () => events.push("open"));
    ws.on("error", (err) => events.push(`error ${err.message}`));
    const closed = next(ws, "close");
    ws.terminate();
    const [code] = await closed;
    expect(code).toBe(1006);
    expect(events).toEqual(["error WebSocket was closed before the connection was established"]);
    await closeServer(wss);
  });

  it("pause() holds messages back until resume()", async () => {
    const wss = new RealWs.WebSocketServer({ port: 0, host: "127.0.0.1" });
    await next(wss, "listening");
    const serverSide = next(wss, "connection");
    const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
    await next(ws, "open");
    const [peer] = (await serverSide) as [InstanceType<typeof RealWs.WebSocket>];
    ws.pause();
    expect(ws.isPaused).toBe(true);
    const got: string[] = [];
    ws.on("message", (data) => got.push(String(data)));
    for (const m of ["a", "b", "c"]) peer.send(m);
    await new Promise<void>((resolve) => peer.ping("sync", undefined, () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(got).toEqual([]);
    ws.resume();
    expect(ws.isPaused).toBe(false);
    await until(() => got.length === 3);
    expect(got).toEqual(["a", "b", "c"]);
    ws.terminate();
    await closeServer(wss);
  });

  it("gives binary data as binaryType says; text stays a Buffer", async () => {
    const { wss, url } = await realServer();
    const ws = new WebSocket(url);
    await next(ws, "open");
    const seen: string[] = [];
    for (const type of ["arraybuffer", "fragments", "blob", "nodebuffer"] as const) {
      ws.binaryType = type;
      ws.send(Buffer.from("ab"));
      const [data] = await next(ws, "message");
      seen.push(data instanceof ArrayBuffer ? "ArrayBuffer" : Array.isArray(data) ? `Buffer[${data.length}]` : Buffer.isBuffer(data) ? "Buffer" : typeof Blob !== "undefined" && data instanceof Blob ? "Blob" : typeof data);
    }
    ws.binaryType = "arraybuffer";
    ws.send("text");
    const [text] = await next(ws, "message");
    seen.push(Buffer.isBuffer(text) ? "Buffer" : typeof text);
    ws.binaryType = "bogus" as never;
    expect(ws.binaryType).toBe("arraybuffer");
    expect(seen).toEqual(["ArrayBuffer", "Buffer[1]", "Blob", "Buffer", "Buffer"]);
    ws.close();
    await next(ws, "close");
    await closeServer(wss);
  });

  it("has ws's EventTarget shim: onmessage gets text as a string, addEventListener once", async () => {
    const { wss, url } = await realServer();
    const ws = new WebSocket(url);
    const log: string[] = [];
    ws.onopen = (event) => { log.push(`open ${event.type} ${event.target === ws}`); ws.send("hi"); };
    ws.onmessage = (event) => log.push(`message ${typeof event.data} ${String(event.data)}`);
    ws.addEventListener("message", () => log.push("once"), { once: true });
    const listener = () => log.push("removed");
    ws.addEventListener("message", listener);
    ws.removeEventListener("message", listener);
    expect(typeof ws.onmessage).toBe("function");
    await until(() => log.length >= 3);
    ws.send("again");
    await until(() => log.length >= 4);
    ws.onclose = (event) => log.push(`close ${event.code} ${event.wasClean}`);
    ws.close(1000);
    await until(() => log.length >= 5);
    expect(log).toEqual(["open open true", "message string hi", "once", "message string again", "close 1000 true"]);
    await closeServer(wss);
  });

  it("checks close codes and reasons as ws does", async () => {
    const { wss, url } = await realServer();
    const ws = new WebSocket(url);
    await next(ws, "open");
    expect(() => ws.close(1005)).toThrow("First argument must be a valid error code number");
    expect(() => ws.close(1000, "x".repeat(124))).toThrow("The message must not be greater than 123 bytes");
    expect(() => ws.ping(Buffer.alloc(126))).toThrow("The data size must not be greater than 125 bytes");
    ws.close(1001);
    expect((await next(ws, "close"))[0]).toBe(1001);
    await closeServer(wss);
  });

  it("emits ping and pong with their data; autoPong: false leaves pings unanswered", async () => {
    const wss = new RealWs.WebSocketServer({ port: 0, host: "127.0.0.1" });
    await next(wss, "listening");
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    for (const autoPong of [true, false]) {
      const serverSide = next(wss, "connection");
      const ws = new WebSocket(url, { autoPong });
      await next(ws, "open");
      const [peer] = (await serverSide) as [InstanceType<typeof RealWs.WebSocket>];
      const pongs: string[] = [];
      peer.on("pong", (data) => pongs.push(String(data)));
      peer.ping("p1");
      const [ping] = await next(ws, "ping");
      expect(String(ping)).toBe("p1");
      ws.pong("unsolicited");
      await until(() => pongs.includes("unsolicited"));
      expect(pongs).toEqual(autoPong ? ["p1", "unsolicited"] : ["unsolicited"]);
      ws.ping("p2");
      expect(String((await next(ws, "pong"))[0])).toBe("p2");
      const closed = next(ws, "close");
      ws.terminate();
      await closed;
    }
    await closeServer(wss);
  });

  it("rejects unknown options with a TypeError naming them, and bad URLs with a SyntaxError", () => {
    expect(() => new WebSocket("ws://127.0.0.1:1", { threshold: 10 } as never)).toThrow(/Unknown WebSocket option "threshold".*perMessageDeflate/);
    expect(() => new WebSocket("ws://127.0.0.1:1", { perMessageDeflate: { treshold: 1 } } as never)).toThrow(/"treshold"/);
    expect(() => new WebSocket("not a url")).toThrow(SyntaxError);
    expect(() => new WebSocket("ftp://example.com")).toThrow(SyntaxError);
    expect(() => new WebSocket("ws://example.com/#frag")).toThrow("The URL contains a fragment identifier");
    expect(() => new WebSocket("ws://127.0.0.1:1", ["a", "a"])).toThrow("An invalid or duplicated subprotocol was specified");
    expect(() => new WebSocket("ws://127.0.0.1:1", { protocolVersion: 9 })).toThrow(RangeError);
  });

  it("reports a refused handshake as ws does, or hands it to an unexpected-response listener", async () => {
    const { server, port } = await httpServer((_req, res) => {
      res.writeHead(403, { "x-why": "nope" });
      res.end("forbidden");
    });
    server.on("upgrade", (_req, socket: Socket) => socket.end("HTTP/1.1 403 Forbidden\r\nx-why: nope\r\nContent-Length: 0\r\n\r\n"));
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    const refused = next(ws, "close");
    const [err] = await next(ws, "error");
    expect((err as Error).message).toBe("Unexpected server response: 403");
    expect((await refused)[0]).toBe(1006);
    const ws2 = new WebSocket(`ws://127.0.0.1:${port}`);
    const [req, res] = await next(ws2, "unexpected-response");
    expect((res as IncomingMessage).statusCode).toBe(403);
    expect((res as IncomingMessage).headers["x-why"]).toBe("nope");
    const closed = next(ws2, "close");
    (req as { destroy(): void }).destroy();
    expect((await closed)[0]).toBe(1006);
    await new Promise((resolve) => server.close(resolve));
  });

  it("handshakeTimeout fails a handshake the server never answers", async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
    const ws = new WebSocket(`ws://127.0.0.1:${(silent.address() as { port: number }).port}`, { handshakeTimeout: 100 });
    const closed = next(ws, "close");
    const [err] = await next(ws, "error");
    expect((err as Error).message).toBe("Opening handshake has timed out");
    expect((await closed)[0]).toBe(1006);
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it("follows 301/302/307/308 redirects, dropping credentials on another host", async () => {
    const { wss, url } = await realServer();
    const seen: Array<Record<string, string | undefined>> = [];
    wss.on("headers", (_headers, req) => seen.push({ authorization: req.headers.authorization, cookie: req.headers.cookie, host: req.headers.host }));
    const target = url.replace("ws://127.0.0.1", "http://localhost");
    let status = [301, 302, 307, 308];
    const { server, port } = await httpServer(() => undefined);
    server.on("upgrade", (req, socket: Socket) => {
      const code = status.shift() ?? 302;
      const location = req.url === "/same" ? `ws://127.0.0.1:${port}/final` : req.url === "/final" ? url + "/here" : `${target}/there`;
      socket.end(`HTTP/1.1 ${code} Moved\r\nLocation: ${location}\r\nContent-Length: 0\r\n\r\n`);
    });
    // Cross-host: 127.0.0.1 -> localhost.
    const ws = new WebSocket(`ws://127.0.0.1:${port}/start`, { followRedirects: true, headers: { Authorization: "Basic x", Cookie: "a=b", "X-Keep": "1" } });
    const redirects: string[] = [];
    await next(ws, "open");
    expect(ws.url).toBe(`${target.replace("http", "ws")}/there`);
    ws.terminate();
    expect(seen.pop()).toEqual({ authorization: undefined, cookie: undefined, host: target.slice("http://".length) });
    // Same host, twice: credentials stay.
    status = [307, 308];
    const ws2 = new WebSocket(`ws://127.0.0.1:${port}/same`, { followRedirects: true, headers: { Authorization: "Basic x" } });
    ws2.on("redirect", (u) => redirects.push(String(u)));
    await next(ws2, "open");
    expect(redirects).toEqual([`ws://127.0.0.1:${port}/final`, `${url}/here`]);
    ws2.terminate();
    expect(seen.pop()?.authorization).toBe("Basic x");
    // Too many.
    status = [302, 302];
    const ws3 = new WebSocket(`ws://127.0.0.1:${port}/same`, { followRedirects: true, maxRedirects: 1 });
    expect(((await next(ws3, "error"))[0] as Error).message).toBe("Maximum redirects exceeded");
    // Not followed unless asked.
    status = [301];
    const ws4 = new WebSocket(`ws://127.0.0.1:${port}/start`);
    expect(((await next(ws4, "error"))[0] as Error).message).toBe("Unexpected server response: 301");
    await new Promise((resolve) => server.close(resolve));
    await closeServer(wss);
  });

  it("speaks hybi-8 (protocolVersion: 8) to ws, which accepts it", async () => {
    const { wss, url } = await realServer();
    const versions: string[] = [];
    wss.on("headers", (_h, req) => versions.push(String(req.headers["sec-websocket-version"])));
    const ws = new WebSocket(url, { protocolVersion: 8, origin: "http://example.com" });
    await next(ws, "open");
    ws.send("eight");
    expect(String((await next(ws, "message"))[0])).toBe("eight");
    expect(versions).toEqual(["8"]);
    ws.close();
    await next(ws, "close");
    await closeServer(wss);
  });

  it("connects to ws+unix: URLs", async () => {
    const path = join(tmpdir(), `omnisocket-ws-${process.pid}-${Date.now()}.sock`);
    const server = createServer();
    const wss = new RealWs.WebSocketServer({ server });
    const paths: string[] = [];
    wss.on("connection", (peer, req) => {
      paths.push(String(req.url));
      peer.on("message", (data) => peer.send(data));
    });
    await new Promise<void>((resolve) => server.listen(path, () => resolve()));
    const ws = new WebSocket(`ws+unix:${path}:/over/unix?x=1`);
    await next(ws, "open");
    ws.send("via unix");
    expect(String((await next(ws, "message"))[0])).toBe("via unix");
    expect(paths).toEqual(["/over/unix?x=1"]);
    ws.close();
    await next(ws, "close");
    wss.close();
    await new Promise((resolve) => server.close(resolve));
  });
});
