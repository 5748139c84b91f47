/**
 * WebSocket peers to test against, on 127.0.0.1 and port 0. Each starter
 * returns `{ url, port, close }`; `close` destroys every open connection so
 * nothing keeps a runner alive. node:http works on Node, Deno and Bun, so
 * these run under all three.
 *
 *   startHookServer  node:http + our faye-style upgrade hook (the Node entry, on every runtime;
 *                    test/peers/our-server.ts starts the running runtime's own server)
 *   startWsServer    ws's WebSocketServer on its own node:http server
 *   startFayeServer  faye-websocket in node:http's upgrade event
 *   startRawServer   a net.Server whose connections the test drives by hand
 *
 * The three WebSocket servers echo every message (text as text, binary as
 * binary) unless `echo: false`; `onConnection` sees each socket first.
 * Pass `tls: { key, cert }` for https / wss.
 */
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { Duplex } from "node:stream";
import faye from "faye-websocket";
import type { ProtocolChooser } from "../../src/web/server/accept.ts";
import type { WebSocket, ServerWebSocketOptions } from "../../src/runtime/node/index.ts";
import { ws } from "./ws.ts";
import type WsWebSocket from "ws";

export interface PeerServer {
  /** ws://127.0.0.1:PORT (or wss://) with no path. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface TlsPair {
  key: string | Uint8Array;
  cert: string | Uint8Array;
}

type AnyServer = http.Server | https.Server | net.Server;

/** Listens on 127.0.0.1:0 and tracks sockets so close() can end them all. */
async function listen(server: AnyServer, scheme: "ws" | "wss", extraClose?: () => void): Promise<PeerServer> {
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  server.on("connection", track);
  server.on("secureConnection", track);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        extraClose?.();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function httpServer(tls: TlsPair | undefined): http.Server | https.Server {
  if (!tls) return http.createServer();
  const options: https.ServerOptions = { key: tls.key as string, cert: tls.cert as string };
  return https.createServer(options);
}

// --------------------------------------------------------------- ours --

export interface HookServerOptions {
  /** The faye-style `protocols` argument: a list or a chooser function. */
  protocols?: ProtocolChooser | string | null;
  options?: ServerWebSocketOptions;
  /** Echo every message back (default true). */
  echo?: boolean;
  tls?: TlsPair;
  /** Sees each server-side socket right after construction. */
  onConnection?(ws: WebSocket, req: http.IncomingMessage, socket: Duplex): void;
  /** Runs before the WebSocket is built (instrument the socket here). */
  beforeUpgrade?(req: http.IncomingMessage, socket: Duplex, head: Uint8Array): void;
  /** Plain HTTP requests (default: 404). */
  onRequest?: http.RequestListener;
}

export interface HookServer extends PeerServer {
  /** Server-side sockets, in connection order. */
  sockets: WebSocket[];
}

export async function startHookServer(opts: HookServerOptions = {}): Promise<HookServer> {
  // Loaded here, not at the top: on Deno and Bun a test file that does not
  // start this server runs with the runtime's own entry alone.
  const { WebSocket } = await import("../../src/runtime/node/index.ts");
  const server = httpServer(opts.tls);
  const sockets: WebSocket[] = [];
  server.on("request", opts.onRequest ?? ((_req, res) => res.writeHead(404).end()));
  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Uint8Array) => {
    if (!WebSocket.isWebSocket(req)) {
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    opts.beforeUpgrade?.(req, socket, head);
    const socketWs = new WebSocket(req, socket, head, opts.protocols, opts.options);
    sockets.push(socketWs);
    if (opts.echo !== false) {
      socketWs.binaryType = "uint8array";
      socketWs.addEventListener("message", (event) => socketWs.send((event as MessageEvent).data as string | Uint8Array));
    }
    opts.onConnection?.(socketWs, req, socket);
  });
  const peer = await listen(server, opts.tls ? "wss" : "ws", () => {
    for (const s of sockets) s.terminate();
  });
  return { ...peer, sockets };
}

// ----------------------------------------------------------------- ws --

export interface WsServerOptions {
  handleProtocols?: (protocols: Set<string>, req: http.IncomingMessage) => string | false;
  verifyClient?: (info: { origin: string; secure: boolean; req: http.IncomingMessage }) => boolean;
  maxPayload?: number;
  echo?: boolean;
  tls?: TlsPair;
  onConnection?(socket: WsWebSocket, req: http.IncomingMessage): void;
}

export async function startWsServer(opts: WsServerOptions = {}): Promise<PeerServer> {
  const server = httpServer(opts.tls);
  const wss = new ws.WebSocketServer({
    server,
    handleProtocols: opts.handleProtocols,
    verifyClient: opts.verifyClient,
    maxPayload: opts.maxPayload ?? 256 * 1024 * 1024,
    perMessageDeflate: false,
  });
  wss.on("connection", (socket, req) => {
    if (opts.echo !== false) socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
    opts.onConnection?.(socket, req);
  });
  return listen(server, opts.tls ? "wss" : "ws", () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
  });
}

// --------------------------------------------------------------- faye --

/** faye-websocket's server socket: the parts the tests use. */
export interface FayeSocket {
  protocol: string;
  readyState: number;
  send(data: string | Uint8Array): boolean;
  ping(data: string, callback?: () => void): boolean;
  close(code?: number, reason?: string): void;
  on(type: string, listener: (event: { data?: unknown; code?: number; reason?: string }) => void): void;
}

export interface FayeServerOptions {
  protocols?: string[];
  options?: Record<string, unknown>;
  echo?: boolean;
  tls?: TlsPair;
  onConnection?(socket: FayeSocket, req: http.IncomingMessage): void;
}

const Faye = faye as unknown as new (
  req: http.IncomingMessage, socket: Duplex, head: Uint8Array, protocols?: string[], options?: Record<string, unknown>,
) => FayeSocket;
const fayeIsWebSocket = (faye as unknown as { isWebSocket(req: http.IncomingMessage): boolean }).isWebSocket;

export async function startFayeServer(opts: FayeServerOptions = {}): Promise<PeerServer> {
  const server = httpServer(opts.tls);
  const open: FayeSocket[] = [];
  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Uint8Array) => {
    if (!fayeIsWebSocket(req)) return void socket.destroy();
    const socketWs = new Faye(req, socket, head, opts.protocols, { maxLength: 256 * 1024 * 1024, ...opts.options });
    open.push(socketWs);
    // faye hands binary messages over as Buffers and sends Buffers as binary.
    if (opts.echo !== false) socketWs.on("message", (event) => socketWs.send(event.data as string | Uint8Array));
    opts.onConnection?.(socketWs, req);
  });
  return listen(server, opts.tls ? "wss" : "ws");
}

// ---------------------------------------------------------------- raw --

/** A TCP server that hands each connection to `onSocket`, for peers that misbehave on purpose. */
export async function startRawServer(onSocket: (socket: net.Socket) => void): Promise<PeerServer> {
  const server = net.createServer({ allowHalfOpen: true }, onSocket);
  return listen(server, "ws");
}
