/**
 * Our servers on the running runtime, for the shared suite:
 *
 *   startOurServer(opts)   the runtime's main server form (flags.server):
 *                            Node  node:http + our faye-style upgrade hook
 *                            Deno  listen(): our engine on Deno.listen
 *                            Bun   listen(): our engine on Bun.listen
 *   ourListen(opts, cb)    the runtime's listen() (node:net, Deno.listen,
 *                          Bun.listen), resolved once it listens
 *   serverForms()          every server form the runtime has, for the
 *                          scenarios of runtime-scenarios.ts: the above, plus
 *                          Deno.serve's upgrade(), Bun.serve's handler, and the
 *                          node:http hook on Deno and Bun too
 *   nativeWebSocket        the runtime's own WebSocket client
 *
 * Each server echoes every message (text as text, binary as binary) unless
 * `echo: false`; `onConnection` sees each socket before its open event.
 */
import { WebSocket as UndiciWebSocket } from "undici/index.js";
import { runtime } from "../harness.ts";
import { bun, deno, node, type WebSocket } from "../entry.ts";
import { flags } from "../runtime-flags.ts";
import type { ProtocolChooser } from "../../src/web/server/accept.ts";
import type { ConnectionListener, StandaloneServerOptions, WebSocketServer } from "../../src/web/server/standalone.ts";
import type { HeartbeatOptions } from "../../src/web/websocket/heartbeat.ts";
import type { BunHandler, BunServer } from "../../src/runtime/bun/index.ts";
import { arrivals, SERVER_PROTOCOLS, type ServerForm, type ServerSide } from "./runtime-scenarios.ts";
import { startHookServer, type PeerServer, type TlsPair } from "./servers.ts";

/** Options every server form of ours takes (listen() and the node:http hook alike). */
export type OurSocketOptions = Pick<
  StandaloneServerOptions,
  "extensions" | "perMessageDeflate" | "maxLength" | "maxFragments" | "headers" | "ping" | "closeTimeout" | "binaryType" | "heartbeat" | "idleTimeout"
  | "lowWaterMark" | "backpressureLimit"
>;

/** Options every server form takes (each maps them to what its runtime has: docs/flow-control.md). */
export interface FormOptions {
  heartbeat?: HeartbeatOptions;
}

export interface OurServerOptions {
  /** Subprotocols the server speaks, or a function that picks one of the client's. */
  protocols?: ProtocolChooser;
  options?: OurSocketOptions;
  /** Echo every message back (default true). */
  echo?: boolean;
  tls?: TlsPair;
  /** Sees each server-side socket as it is accepted, before its open event; `url` is the request's path and query. */
  onConnection?(ws: WebSocket, request: { url: string }): void;
}

export interface OurServer extends PeerServer {
  /** Server-side sockets, in connection order. */
  sockets: WebSocket[];
}

/** Options of every runtime's listen(). */
export interface ListenOptions extends StandaloneServerOptions {
  hostname?: string;
  port?: number;
  cert?: string;
  key?: string;
}

type Listen = (options: ListenOptions, onSocket: ConnectionListener<WebSocket>) => WebSocketServer<WebSocket>;

/** The running runtime's listen() as it is (port and url may wait for `ready` on Node). */
export const runtimeListen: Listen = (deno?.listen ?? bun?.listen ?? node!.listen) as unknown as Listen;

/** The running runtime's listen(), resolved once the server listens (so `port` and `url` are known). */
export async function ourListen(options: ListenOptions, onSocket: ConnectionListener<WebSocket>): Promise<WebSocketServer<WebSocket>> {
  const server = runtimeListen(options, onSocket);
  await server.ready;
  return server;
}

function echoing(ws: WebSocket): void {
  ws.binaryType = "uint8array";
  ws.addEventListener("message", (event) => ws.send((event as MessageEvent).data as string | Uint8Array));
}

/** The running runtime's main server form (see flags.server), on 127.0.0.1 and port 0. */
export async function startOurServer(opts: OurServerOptions = {}): Promise<OurServer> {
  if (flags.server !== "node:http hook") return await startListenServer(opts);
  return await startHookServer({
    protocols: opts.protocols,
    options: opts.options,
    echo: false,
    tls: opts.tls,
    onConnection: (ws, req) => accepted(opts, ws, req.url ?? "/"),
  });
}

/** The running runtime's listen() (node:net, Deno.listen, Bun.listen) on 127.0.0.1 and port 0, with the options of startOurServer. */
export async function startListenServer(opts: OurServerOptions = {}): Promise<OurServer> {
  const sockets: WebSocket[] = [];
  const tls = opts.tls ? { cert: String(opts.tls.cert), key: String(opts.tls.key) } : {};
  const server = await ourListen({ hostname: "127.0.0.1", port: 0, protocols: opts.protocols, ...opts.options, ...tls }, (ws, request) => {
    sockets.push(ws);
    const url = new URL(request.url);
    accepted(opts, ws, url.pathname + url.search);
  });
  return {
    url: server.url,
    port: server.port,
    sockets,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      await server.close();
    },
  };
}

function accepted(opts: OurServerOptions, ws: WebSocket, url: string): void {
  if (opts.echo !== false) echoing(ws);
  opts.onConnection?.(ws, { url });
}

// ------------------------------------------------------------- clients --

/** The runtime's own WebSocket client (see flags.nativeClient). */
export const nativeWebSocket: new (url: string, protocols?: string | string[]) => globalThis.WebSocket =
  flags.nativeClient === "undici"
    ? (UndiciWebSocket as unknown as new (url: string, protocols?: string | string[]) => globalThis.WebSocket)
    : globalThis.WebSocket;

// ---------------------------------------------------------------- forms --

export interface NamedForm {
  name: string;
  start(options?: FormOptions): Promise<ServerForm>;
}

interface DenoServeApi {
  serve(
    options: { hostname: string; port: number; onListen?: () => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
}

interface BunServeApi {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request, server: BunServer): Response | undefined | Promise<Response | undefined>;
    websocket: BunHandler["websocket"];
  }): { port: number; stop(closeActiveConnections?: boolean): void };
}

async function listenForm(options: FormOptions = {}): Promise<ServerForm> {
  const queue = arrivals();
  const server = await ourListen({ hostname: "127.0.0.1", port: 0, protocols: SERVER_PROTOCOLS, ...options }, (ws) => queue.arrived(ws));
  return { url: server.url, pings: true, next: queue.next, close: () => server.close() };
}

async function hookForm(options: FormOptions = {}): Promise<ServerForm> {
  const queue = arrivals();
  const server = await startHookServer({ protocols: SERVER_PROTOCOLS, options, echo: false, onConnection: (ws) => queue.arrived(ws as ServerSide) });
  return { url: server.url, pings: true, next: queue.next, close: () => server.close() };
}

function denoServeForm(options: FormOptions = {}): Promise<ServerForm> {
  const { upgrade, isWebSocketRequest } = deno!;
  const queue = arrivals();
  const api = (globalThis as unknown as { Deno: DenoServeApi }).Deno;
  const server = api.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    if (!isWebSocketRequest(request)) return new Response("not a websocket", { status: 400 });
    const { socket, response } = upgrade(request, { protocols: SERVER_PROTOCOLS, ...options });
    queue.arrived(socket);
    return response;
  });
  return Promise.resolve({ url: `ws://127.0.0.1:${server.addr.port}`, pings: false, next: queue.next, close: () => server.shutdown() });
}

function bunServe(handler: BunHandler, fetch: (request: Request, server: BunServer) => Response | undefined) {
  const api = (globalThis as unknown as { Bun: BunServeApi }).Bun;
  return api.serve({ hostname: "127.0.0.1", port: 0, fetch, websocket: handler.websocket });
}

/** Bun.serve, the socket taken from the value upgrade() returns. */
function bunServeReturnedForm(options: FormOptions = {}): Promise<ServerForm> {
  const { upgrade, websocket } = bun!;
  const queue = arrivals();
  const server = bunServe({ upgrade, websocket }, (request, server) => {
    const socket = upgrade(request, server, { protocols: SERVER_PROTOCOLS, ...options });
    if (socket) return void queue.arrived(socket);
    return new Response("not a websocket", { status: 400 });
  });
  return Promise.resolve({ url: `ws://127.0.0.1:${server.port}`, pings: true, next: queue.next, close: () => Promise.resolve(server.stop(true)) });
}

/** Bun.serve, sockets from createBunHandler({ open }). */
function bunServeHandlerForm(options: FormOptions = {}): Promise<ServerForm> {
  const queue = arrivals();
  const handler = bun!.createBunHandler({ protocols: SERVER_PROTOCOLS, open: (ws) => queue.arrived(ws), ...options });
  const server = bunServe(handler, (request, server) => {
    if (handler.upgrade(request, server)) return;
    return new Response("not a websocket", { status: 400 });
  });
  return Promise.resolve({ url: `ws://127.0.0.1:${server.port}`, pings: true, next: queue.next, close: () => Promise.resolve(server.stop(true)) });
}

/** Every server form of ours on the running runtime. */
export function serverForms(): NamedForm[] {
  const hook = { name: "node:http upgrade hook", start: hookForm };
  if (runtime === "deno") {
    return [
      { name: "listen() (Deno.listen, our engine)", start: listenForm },
      { name: "upgrade() in Deno.serve", start: denoServeForm },
      hook,
    ];
  }
  if (runtime === "bun") {
    return [
      { name: "listen() (Bun.listen, our engine)", start: listenForm },
      { name: "Bun.serve, socket returned by upgrade()", start: bunServeReturnedForm },
      { name: "Bun.serve, createBunHandler({ open })", start: bunServeHandlerForm },
      hook,
    ];
  }
  return [hook, { name: "listen() (node:net, our engine)", start: listenForm }];
}
