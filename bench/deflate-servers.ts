/**
 * The compressed echo servers bench/deflate-echo.ts compares, one per child
 * process, all with permessage-deflate at the same settings (threshold 0,
 * default windows, default zlib options, concurrency limit 10):
 *
 *   ours   node:http "upgrade" + new WebSocket(req, socket, head, null, { perMessageDeflate: { threshold: 0 } })
 *   ws     ws WebSocketServer({ noServer: true, perMessageDeflate: { threshold: 0 } }) on node:http;
 *          bufferutil when installed, WS_NO_BUFFER_UTIL=1 turns it off
 *   faye   faye-websocket with extensions: [permessage-deflate] (it compresses every message)
 *
 * Each echoes a message as it came, the way a user of that library writes
 * it. The child reports { type: "ready", port } over IPC and answers
 * { type: "cpu" } with its CPU time so far.
 *
 *   node --import tsx bench/deflate-servers.ts <ours|ws|faye>
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";

export type DeflateServerKind = "ours" | "ws" | "faye";

const require = createRequire(import.meta.url);

async function ours(): Promise<Server> {
  const { WebSocket } = await import("../src/runtime/node/index.ts");
  const server = createServer();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!WebSocket.isWebSocket(req)) return socket.destroy();
    const ws = new WebSocket(req, socket, head, null, { binaryType: "uint8array", perMessageDeflate: { threshold: 0 } });
    ws.onmessage = (event) => ws.send(event.data as string | Uint8Array);
  });
  return server;
}

async function wsServer(): Promise<Server> {
  const { WebSocketServer } = await import("ws");
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: { threshold: 0 } });
  wss.on("connection", (ws) => {
    ws.on("message", (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  });
  const server = createServer();
  server.on("upgrade", (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
  return server;
}

interface FayeSocket {
  on(type: "message", listener: (event: { data: string | Buffer }) => void): void;
  send(data: string | Buffer): boolean;
}

interface FayeModule {
  new (req: IncomingMessage, socket: Duplex, head: Buffer, protocols: null, options: { extensions: unknown[] }): FayeSocket;
  isWebSocket(req: IncomingMessage): boolean;
}

async function faye(): Promise<Server> {
  const FayeWebSocket = require("faye-websocket") as FayeModule;
  const deflate = require("permessage-deflate") as unknown;
  const server = createServer();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!FayeWebSocket.isWebSocket(req)) return socket.destroy();
    const ws = new FayeWebSocket(req, socket, head, null, { extensions: [deflate] });
    ws.on("message", (event) => ws.send(event.data));
  });
  return server;
}

const factories: Record<DeflateServerKind, () => Promise<Server>> = { ours, ws: wsServer, faye };

if (process.send) {
  const kind = process.argv[2] as DeflateServerKind;
  // Clients vanish mid-message when a run ends; that is not an error here.
  process.on("uncaughtException", (err: NodeJS.ErrnoException) => {
    if (err.code === "ECONNRESET" || err.code === "EPIPE") return;
    console.error(err);
    process.exit(1);
  });
  const make = factories[kind];
  if (!make) throw new Error(`unknown server kind ${kind}`);
  const server = await make();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.on("message", (message: { type: string }) => {
    if (message.type === "cpu") {
      const { user, system } = process.cpuUsage();
      process.send!({ type: "cpu", micros: user + system });
    } else if (message.type === "stop") {
      // End by emptying the event loop (a --cpu-prof profile is written at exit).
      server.close();
      process.disconnect();
      setTimeout(() => process.exit(0), 3000).unref();
    }
  });
  process.send({ type: "ready", port: (server.address() as AddressInfo).port });
}
