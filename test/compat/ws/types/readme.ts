// ws's README examples as TypeScript users write them against @types/ws.
// types.test.ts type-checks this file twice: with "omnisocket/ws" mapped to
// our entry, and mapped to @types/ws; both must pass unchanged.
import { createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { readFileSync } from "node:fs";
import type { ClientRequest, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import WebSocket, { WebSocketServer, createWebSocketStream } from "omnisocket/ws";

export function compression(): WebSocketServer {
  return new WebSocketServer({
    port: 8080,
    perMessageDeflate: {
      zlibDeflateOptions: { chunkSize: 1024, memLevel: 7, level: 3 },
      zlibInflateOptions: { chunkSize: 10 * 1024 },
      clientNoContextTakeover: true,
      serverNoContextTakeover: true,
      serverMaxWindowBits: 10,
      concurrencyLimit: 10,
      threshold: 1024,
    },
  });
}

export function client(): WebSocket {
  const ws = new WebSocket("ws://www.host.com/path", { perMessageDeflate: false });
  ws.on("error", console.error);
  ws.on("open", function open() {
    ws.send("something");
    const array = new Float32Array(5);
    for (let i = 0; i < array.length; ++i) array[i] = i / 2;
    ws.send(array);
  });
  ws.on("message", function message(data: WebSocket.RawData, isBinary: boolean) {
    console.log("received: %s %s", data, isBinary);
  });
  ws.on("close", (code: number, reason: Buffer) => console.log(code, reason.toString()));
  ws.on("upgrade", (res: IncomingMessage) => console.log(res.headers));
  return ws;
}

export function simpleServer(): void {
  const wss = new WebSocketServer({ port: 8080 });
  wss.on("connection", function connection(ws: WebSocket, req: IncomingMessage) {
    ws.on("error", console.error);
    ws.on("message", function message(data) {
      console.log("received: %s from %s", data, req.socket.remoteAddress);
    });
    ws.send("something");
  });
}

export function externalServer(): void {
  const server = createHttpsServer({ cert: readFileSync("/path/to/cert.pem"), key: readFileSync("/path/to/key.pem") });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws) => ws.send("something"));
  server.listen(8080);
}

export function sharedServer(): void {
  const server = createServer();
  const wss1 = new WebSocketServer({ noServer: true });
  const wss2 = new WebSocketServer({ noServer: true });
  server.on("upgrade", function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
    const { pathname } = new URL(request.url ?? "/", "wss://base.url");
    if (pathname === "/foo") {
      wss1.handleUpgrade(request, socket, head, function done(ws) {
        wss1.emit("connection", ws, request);
      });
    } else if (pathname === "/bar") {
      wss2.handleUpgrade(request, socket, head, (ws) => wss2.emit("connection", ws, request));
    } else {
      socket.destroy();
    }
  });
}

export function broadcast(): void {
  const wss = new WebSocketServer({ port: 8080, clientTracking: true });
  wss.on("connection", function connection(ws) {
    ws.on("message", function message(data, isBinary) {
      wss.clients.forEach(function each(client) {
        if (client !== ws && client.readyState === WebSocket.OPEN) {
          client.send(data, { binary: isBinary });
        }
      });
    });
  });
}

export function verify(): WebSocketServer {
  return new WebSocketServer({
    port: 8080,
    verifyClient: (info, done) => done(info.origin === "https://a.example", 403, "Forbidden", { "X-Why": "origin" }),
    handleProtocols: (protocols: Set<string>) => (protocols.has("chat") ? "chat" : false),
    maxPayload: 1024,
  });
}

interface AliveWebSocket extends WebSocket {
  isAlive: boolean;
}

export function heartbeat(): void {
  const wss = new WebSocketServer({ port: 8080 });
  wss.on("connection", function connection(ws: AliveWebSocket) {
    ws.isAlive = true;
    ws.on("pong", function heartbeat(this: WebSocket) {
      (this as AliveWebSocket).isAlive = true;
    });
  });
  const interval = setInterval(function ping() {
    wss.clients.forEach(function each(ws) {
      const alive = ws as AliveWebSocket;
      if (alive.isAlive === false) return ws.terminate();
      alive.isAlive = false;
      ws.ping();
    });
  }, 30000);
  wss.on("close", function close() {
    clearInterval(interval);
  });
}

export function roundTrip(): void {
  const ws = new WebSocket("wss://websocket-echo.com/", { origin: "https://websocket.org", handshakeTimeout: 1000 });
  ws.on("open", () => ws.send(Date.now()));
  ws.on("message", (data) => console.log(`Round-trip time: ${Date.now() - Number(data)} ms`));
  ws.ping("x", undefined, (err?: Error) => console.log(err));
  ws.close(1000, "done");
}

export function streams(): void {
  const ws = new WebSocket("wss://websocket-echo.com/");
  const duplex = createWebSocketStream(ws, { encoding: "utf8" });
  duplex.on("error", console.error);
  duplex.pipe(process.stdout);
  process.stdin.pipe(duplex);
}

export function finishRequest(): WebSocket {
  return new WebSocket("ws://a.example", {
    finishRequest(request: ClientRequest) {
      request.setHeader("x-late", "1");
      request.end();
    },
  });
}

export function namespaceTypes(): void {
  const wss: WebSocketServer = new WebSocketServer({ noServer: true });
  const options: WebSocket.ClientOptions = { followRedirects: true, maxRedirects: 3 };
  new WebSocket("ws://a.example", ["chat"], options).binaryType = "arraybuffer";
  wss.close();
}
