/**
 * The echo servers bench/echo.ts compares, one per child process:
 *
 *   ours    node:http "upgrade" + omnisocket's faye-style new WebSocket(req, socket, head);
 *           bufferutil masks when installed, OMNISOCKET_NO_BUFFER_UTIL=1 turns it off
 *   ours-listen  omnisocket's listen() on node:net (no node:http), the same echo code as ours
 *   ours-ws omnisocket/ws: the same ws-style echo code as the ws row, with only the module changed
 *   ws      ws WebSocketServer (noServer + handleUpgrade on the same node:http server);
 *           bufferutil is used when installed, WS_NO_BUFFER_UTIL=1 turns it off
 *   faye    faye-websocket on node:http "upgrade"
 *   tcp     a plain TCP echo (socket.pipe(socket)): the ceiling
 *
 * Each echoes a message as it came (text as text, binary as binary), the way
 * a user of that library would write it. The child reports its port over IPC
 * ({ type: "ready", port }) and answers { type: "cpu" } with its CPU time so
 * far, so echo.ts can tell how busy the server was during a measurement.
 *
 *   node --import tsx bench/echo-servers.ts <ours|ws|faye|tcp>
 */
import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import { createServer as createTcpServer, type AddressInfo, type Server } from "node:net";
import type { Duplex } from "node:stream";
import { pathToFileURL } from "node:url";

export type ServerKind = "ours" | "ours-listen" | "ours-ws" | "ws" | "faye" | "tcp";

const require = createRequire(import.meta.url);

async function ours(): Promise<Server> {
  // OMNISOCKET_ENTRY points at another checkout's Node entry (echo.ts --baseline).
  const entry = process.env.OMNISOCKET_ENTRY ? pathToFileURL(process.env.OMNISOCKET_ENTRY).href : "../src/runtime/node/index.ts";
  const { WebSocket } = (await import(entry)) as typeof import("../src/runtime/node/index.ts");
  const server = createHttpServer();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!WebSocket.isWebSocket(req)) return socket.destroy();
    const ws = new WebSocket(req, socket, head, null, { binaryType: "uint8array" });
    ws.onmessage = (event) => ws.send(event.data as string | Uint8Array);
  });
  return server;
}

/** listen() makes and binds its own node:net server; this answers as a bound Server does (address, close). */
async function oursListen(): Promise<Server> {
  const entry = process.env.OMNISOCKET_ENTRY ? pathToFileURL(process.env.OMNISOCKET_ENTRY).href : "../src/runtime/node/index.ts";
  const { listen } = (await import(entry)) as typeof import("../src/runtime/node/index.ts");
  const server = listen({ hostname: "127.0.0.1", port: 0, binaryType: "uint8array" }, (ws) => {
    ws.onmessage = (event) => ws.send(event.data as string | Uint8Array);
  });
  await server.ready;
  return { address: () => ({ address: "127.0.0.1", family: "IPv4", port: server.port }), close: () => void server.close() } as unknown as Server;
}

type WsModule = typeof import("ws");

/** ws's echo server code on the `ws` module given: the real ws, or omnisocket/ws with only the module changed. */
function wsStyle({ WebSocketServer }: WsModule): Server {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  wss.on("connection", (ws) => {
    ws.on("message", (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  });
  const server = createHttpServer();
  server.on("upgrade", (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
  return server;
}

const wsServer = async (): Promise<Server> => wsStyle(await import("ws"));
const oursWs = async (): Promise<Server> => wsStyle((await import("../src/runtime/node/compat/ws/index.ts")) as unknown as WsModule);

interface FayeSocket {
  on(type: "message", listener: (event: { data: string | Buffer }) => void): void;
  send(data: string | Buffer): boolean;
}

interface FayeModule {
  new (req: IncomingMessage, socket: Duplex, head: Buffer): FayeSocket;
  isWebSocket(req: IncomingMessage): boolean;
}

async function faye(): Promise<Server> {
  const FayeWebSocket = require("faye-websocket") as FayeModule;
  const server = createHttpServer();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!FayeWebSocket.isWebSocket(req)) return socket.destroy();
    const ws = new FayeWebSocket(req, socket, head);
    ws.on("message", (event) => ws.send(event.data));
  });
  return server;
}

async function tcp(): Promise<Server> {
  return createTcpServer((socket) => {
    socket.setNoDelay(true);
    socket.on("error", () => socket.destroy());
    socket.pipe(socket);
  });
}

const factories: Record<ServerKind, () => Promise<Server>> = { ours, "ours-listen": oursListen, "ours-ws": oursWs, ws: wsServer, faye, tcp };

export async function startServer(kind: ServerKind): Promise<Server> {
  const make = factories[kind];
  if (!make) throw new Error(`unknown server kind ${kind}`);
  const server = await make();
  if (kind === "ours-listen") return server; // bound already
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

if (process.send) {
  const kind = process.argv[2] as ServerKind;
  // Clients vanish mid-message when a run ends; that is not an error here.
  process.on("uncaughtException", (err: NodeJS.ErrnoException) => {
    if (err.code === "ECONNRESET" || err.code === "EPIPE") return;
    console.error(err);
    process.exit(1);
  });
  const server = await startServer(kind);
  const usingBufferutil = kind === "ws" && !process.env.WS_NO_BUFFER_UTIL && hasBufferutil();
  process.on("message", (message: { type: string }) => {
    if (message.type === "cpu") {
      const { user, system } = process.cpuUsage();
      process.send!({ type: "cpu", micros: user + system });
    } else if (message.type === "stop") {
      // End by emptying the event loop (a --cpu-prof profile is written at
      // exit); the timer is a fallback for a connection that lingers.
      server.close();
      process.disconnect();
      setTimeout(() => process.exit(0), 3000).unref();
    }
  });
  process.send({ type: "ready", port: (server.address() as AddressInfo).port, bufferutil: usingBufferutil });
}

function hasBufferutil(): boolean {
  try {
    require.resolve("bufferutil");
    return true;
  } catch {
    return false;
  }
}
