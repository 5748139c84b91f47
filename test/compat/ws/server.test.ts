/**
 * omnisocket/ws's WebSocketServer as ws documents it, mostly with the real
 * `ws` client: interop with and without compression, verifyClient,
 * handleProtocols, maxPayload, close(cb), the headers event, path,
 * clientTracking, wsClientError, a WebSocket subclass, noServer and
 * server modes, and createWebSocketStream's backpressure.
 */
import { Buffer } from "node:buffer";
import { createServer, request, type IncomingMessage } from "node:http";
import { connect } from "node:net";
import { Readable } from "node:stream";
import { describe, expect, it, until } from "../../harness.ts";
import { closeServer, createWebSocketStream, listen, next, RealWs, WebSocket, WebSocketServer } from "./entry.ts";

type Real = InstanceType<typeof RealWs.WebSocket>;

function echo(wss: WebSocketServer): void {
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
}

describe("omnisocket/ws WebSocketServer", () => {
  for (const perMessageDeflate of [false, true]) {
    for (const client of ["ws", "omnisocket/ws"]) {
      it(`echoes for a ${client} client (deflate ${perMessageDeflate})`, async () => {
        const { wss, url } = await listen({ perMessageDeflate });
        const connected = next(wss, "connection");
        echo(wss);
        const Client = (client === "ws" ? RealWs.WebSocket : WebSocket) as typeof RealWs.WebSocket;
        const ws = new Client(url + "/echo?x=1", { perMessageDeflate });
        await next(ws, "open");
        const [serverSide, req] = (await connected) as [WebSocket, IncomingMessage];
        expect(req.url).toBe("/echo?x=1");
        expect(serverSide.readyState).toBe(WebSocket.OPEN);
        expect(serverSide.extensions).toBe(perMessageDeflate ? "permessage-deflate" : "");
        expect(ws.extensions).toBe(perMessageDeflate ? "permessage-deflate" : "");
        expect(wss.clients.size).toBe(1);
        const big = "big ".repeat(100_000);
        ws.send(big);
        expect(String((await next(ws, "message"))[0])).toBe(big);
        ws.send(Buffer.from([9, 8, 7]));
        const [data, isBinary] = await next(ws, "message");
        expect([...(data as Buffer)]).toEqual([9, 8, 7]);
        expect(isBinary).toBe(true);
        const serverClosed = next(serverSide, "close");
        ws.close(4001, "bye");
        const [code, reason] = await serverClosed;
        expect([code, String(reason)]).toEqual([4001, "bye"]);
        await until(() => wss.clients.size === 0);
        await closeServer(wss);
      });
    }
  }

  it("accepts hybi-08 clients as ws does (Sec-WebSocket-Origin for verifyClient)", async () => {
    const origins: string[] = [];
    const { wss, url } = await listen({ verifyClient: (info: { origin: string }) => { origins.push(info.origin); return true; } });
    echo(wss);
    for (const Client of [RealWs.WebSocket, WebSocket] as Array<typeof RealWs.WebSocket>) {
      const ws = new Client(url, { protocolVersion: 8, origin: "http://eight.example" });
      await next(ws, "open");
      ws.send("hybi-08");
      expect(String((await next(ws, "message"))[0])).toBe("hybi-08");
      const closed = next(ws, "close");
      ws.close();
      await closed;
    }
    expect(origins).toEqual(["http://eight.example", "http://eight.example"]);
    await closeServer(wss);
  });

  it("verifyClient: sync refusal is 401; async refusal carries code, message and headers", async () => {
    const infos: Array<{ origin: string; secure: boolean }> = [];
    const { wss, url } = await listen({
      verifyClient: (info: { origin: string; secure: boolean; req: IncomingMessage }, cb: (ok: boolean, code?: number, message?: string, headers?: Record<string, string>) => void) => {
        infos.push({ origin: info.origin, secure: info.secure });
        if (info.req.url === "/ok") cb(true);
        else cb(false, 403, "Go away", { "X-Reason": "test" });
      },
    });
    const refused = new RealWs.WebSocket(url + "/no", { origin: "http://a.example" });
    refused.on("error", () => undefined); // terminate() below, while CONNECTING
    const [, res] = (await next(refused, "unexpected-response")) as [unknown, IncomingMessage];
    expect(res.statusCode).toBe(403);
    expect(res.headers["x-reason"]).toBe("test");
    let body = "";
    res.on("data", (chunk: Buffer) => { body += chunk; });
    await next(res, "end");
    expect(body).toBe("Go away");
    refused.terminate();
    const ok = new RealWs.WebSocket(url + "/ok");
    await next(ok, "open");
    ok.terminate();
    expect(infos).toEqual([{ origin: "http://a.example", secure: false }, { origin: undefined as unknown as string, secure: false }]);
    await closeServer(wss);

    const sync = await listen({ verifyClient: () => false });
    const ws = new RealWs.WebSocket(sync.url);
    expect(((await next(ws, "error"))[0] as Error).message).toBe("Unexpected server response: 401");
    await closeServer(sync.wss);
  });

  it("handleProtocols gets a Set and the request; false means no subprotocol", async () => {
    const calls: string[] = [];
    const { wss, url } = await listen({
      handleProtocols: (protocols: Set<string>, req: IncomingMessage) => {
        calls.push(`${[...protocols].join(",")} ${req.url}`);
        return req.url === "/none" ? false : "b";
      },
    });
    const ws = new RealWs.WebSocket(url + "/pick", ["a", "b"]);
    await next(ws, "open");
    expect(ws.protocol).toBe("b");
    ws.terminate();
    const refused = new RealWs.WebSocket(url + "/none", ["a"]);
    expect(((await next(refused, "error"))[0] as Error).message).toBe("Server sent no subprotocol");
    const plain = new RealWs.WebSocket(url + "/plain");
    await next(plain, "open");
    expect(plain.protocol).toBe("");
    plain.terminate();
    expect(calls).toEqual(["a,b /pick", "a /none"]);
    await closeServer(wss);
  });

  for (const perMessageDeflate of [false, true]) {
    it(`maxPayload closes with 1009 (deflate ${perMessageDeflate})`, async () => {
      const { wss, url } = await listen({ maxPayload: 100, perMessageDeflate: perMessageDeflate ? { threshold: 0 } : false });
      const errors: string[] = [];
      wss.on("connection", (ws) => ws.on("error", (err: Error & { code?: string }) => errors.push(String(err.code))));
      const ws = new RealWs.WebSocket(url, { perMessageDeflate: perMessageDeflate ? { threshold: 0 } : false });
      await next(ws, "open");
      ws.send("a".repeat(100));
      ws.send("a".repeat(101));
      const [code] = await next(ws, "close");
      expect(code).toBe(1009);
      expect(errors).toEqual(["WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"]);
      await closeServer(wss);
    });
  }

  it("close(cb) waits for the clients of a server it does not own; connections stay open", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const wss = new WebSocketServer({ server });
    echo(wss);
    const ws = new RealWs.WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}`);
    await next(ws, "open");
    let closed = false;
    wss.close(() => { closed = true; });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    ws.send("still here");
    expect(String((await next(ws, "message"))[0])).toBe("still here");
    ws.close();
    await until(() => closed);
    const again: unknown[] = [];
    wss.close((err) => again.push((err as Error | undefined)?.message));
    await until(() => again.length === 1);
    expect(again).toEqual(["The server is not running"]);
    await new Promise((resolve) => server.close(resolve));
  });

  it("emits headers with the 101's lines; changes reach the wire", async () => {
    const { wss, url } = await listen();
    wss.on("headers", (headers: string[], req: IncomingMessage) => {
      expect(headers[0]).toBe("HTTP/1.1 101 Switching Protocols");
      headers.push(`Set-Cookie: path=${req.url}`);
    });
    const ws = new RealWs.WebSocket(url + "/cookie");
    const [res] = (await next(ws, "upgrade")) as [IncomingMessage];
    expect(res.headers["set-cookie"]).toEqual(["path=/cookie"]);
    ws.terminate();
    await closeServer(wss);
  });

  it("path: other paths get 400; plain HTTP gets 426", async () => {
    const { wss, url } = await listen({ path: "/only" });
    const ws = new RealWs.WebSocket(url + "/other");
    expect(((await next(ws, "error"))[0] as Error).message).toBe("Unexpected server response: 400");
    const ok = new RealWs.WebSocket(url + "/only?q");
    await next(ok, "open");
    ok.terminate();
    const status = await new Promise<number | undefined>((resolve) => {
      request(url.replace("ws:", "http:") + "/only", (res) => { res.resume(); resolve(res.statusCode); }).end();
    });
    expect(status).toBe(426);
    await closeServer(wss);
  });

  it("wsClientError gets invalid requests when listened to", async () => {
    const { wss, url } = await listen();
    const seen: string[] = [];
    wss.on("wsClientError", (err: Error, socket: { destroy(): void }) => {
      seen.push(err.message);
      socket.destroy();
    });
    const port = Number(new URL(url).port);
    const socket = connect(port, "127.0.0.1");
    socket.write("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
    await next(socket, "close");
    expect(seen).toEqual(["Invalid Sec-WebSocket-Key header"]);
    await closeServer(wss);
  });

  it("uses the WebSocket subclass given, without client tracking when off", async () => {
    class Mine extends WebSocket {
      mine = true;
    }
    const { wss, url } = await listen({ WebSocket: Mine, clientTracking: false });
    expect(wss.clients).toBe(undefined);
    const connected = next(wss, "connection");
    const ws = new RealWs.WebSocket(url);
    ws.on("error", () => undefined); // terminate() below may come before its open
    const [serverSide] = await connected;
    expect(serverSide instanceof Mine).toBe(true);
    expect((serverSide as Mine).mine).toBe(true);
    expect((serverSide as Mine).url).toBe(undefined);
    ws.terminate();
    await closeServer(wss);
  });

  it("checks its options as ws does, and refuses unknown ones", () => {
    expect(() => new WebSocketServer({})).toThrow('One and only one of the "port", "server", or "noServer" options must be specified');
    expect(() => new WebSocketServer({ noServer: true, port: 1 })).toThrow(TypeError);
    expect(() => new WebSocketServer({ noServer: true, threshold: 1 } as never)).toThrow(/Unknown WebSocketServer option "threshold"/);
    const wss = new WebSocketServer({ noServer: true });
    expect(() => wss.address()).toThrow('The server is operating in "noServer" mode');
    wss.close();
  });

  it("handleUpgrade in noServer mode; a second call with the same socket throws", async () => {
    const wss = new WebSocketServer({ noServer: true });
    echo(wss);
    const server = createServer();
    const errors: string[] = [];
    server.on("upgrade", (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
      try {
        wss.handleUpgrade(req, socket, head, () => undefined);
      } catch (err) {
        errors.push((err as Error).message);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}`);
    await next(ws, "open");
    ws.send("noServer");
    expect(String((await next(ws, "message"))[0])).toBe("noServer");
    expect(errors).toEqual(["server.handleUpgrade() was called more than once with the same socket, possibly due to a misconfiguration"]);
    const closed = next(ws, "close");
    ws.close();
    await closed;
    wss.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it("createWebSocketStream pauses the socket while its reader is full", async () => {
    const { wss, url } = await listen();
    const connected = next(wss, "connection");
    const ws = new WebSocket(url);
    const duplex = createWebSocketStream(ws, { readableHighWaterMark: 16 });
    const [serverSide] = (await connected) as [WebSocket];
    await until(() => ws.readyState === WebSocket.OPEN);
    for (let i = 0; i < 20; i++) serverSide.send(`message ${i}`);
    await until(() => ws.isPaused, 5000, "the socket to pause");
    const chunks: string[] = [];
    duplex.on("data", (chunk: Buffer) => chunks.push(String(chunk)));
    await until(() => chunks.length === 20);
    expect(chunks[19]).toBe("message 19");
    expect(ws.isPaused).toBe(false);
    const got: string[] = [];
    serverSide.on("message", (data: Buffer) => got.push(String(data)));
    const closed = next(ws, "close");
    Readable.from(["x", "y"]).pipe(duplex); // then end(): the socket closes
    await until(() => got.length === 2);
    expect(got).toEqual(["x", "y"]);
    expect((await closed)[0]).toBe(1005);
    await closeServer(wss);
  });
});

// Keeps the type checker honest about the peer's type.
export type { Real };
