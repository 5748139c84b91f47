/**
 * permessage-deflate peers (RFC 7692), configured with ws's option names
 * and translated for each peer:
 *
 *   ws       perMessageDeflate: { ... }                       (same names)
 *   faye     extensions: [deflate.configure({ ... })]         (permessage-deflate npm)
 *   python   Server/ClientPerMessageDeflateFactory(...)        (python-websockets, see python-deflate.ts)
 *   ours     perMessageDeflate: { ... }
 *
 * Servers echo every message and keep, per connection, the negotiated
 * Sec-WebSocket-Extensions and the bytes on the wire (bytesRead /
 * bytesWritten show whether they were compressed): the TCP socket of a
 * peer's server, a wire tap in front of ours (./wire.ts), which is the
 * running runtime's own (./our-server.ts). Clients share one
 * small interface: opened, extensions(), send, next, close, closed.
 * node:http, ws, faye and child_process work on Node, Deno and Bun.
 */
import { Buffer } from "node:buffer";
import http from "node:http";
import type net from "node:net";
import { createRequire } from "node:module";
import faye from "faye-websocket";
import type { PermessageDeflateOptions } from "../../src/core/websocket/extensions/permessage-deflate/extension.ts";
import { WebSocket, type WebSocketOptions } from "../entry.ts";
import { startOurServer, type OurSocketOptions } from "./our-server.ts";
import { startFayeServer, type PeerServer } from "./servers.ts";
import { startWireTap, type Wire } from "./wire.ts";
import { ws } from "./ws.ts";
import { Inbox } from "./inbox.ts";

const require = createRequire(import.meta.url);

/** ws's `perMessageDeflate` value: off, defaults, or options. */
export type DeflateSetting = false | true | PermessageDeflateOptions;

/** Marks a setting a peer cannot express (the test skips that pair, loudly). */
export const UNSUPPORTED = "unsupported" as const;

// ------------------------------------------------------------ translation --

interface FayeDeflate {
  configure(options: Record<string, unknown>): FayeDeflate;
}

const fayeDeflate = require("permessage-deflate") as FayeDeflate;

/**
 * ws's names -> permessage-deflate npm's `configure` options, as seen from
 * `role`: its own compressor is `noContextTakeover` / `maxWindowBits`, the
 * peer's is `request...`. It cannot refuse a parameter (`false`), nor omit
 * client_max_window_bits from a client's offer.
 */
export function fayeExtensions(role: "client" | "server", setting: DeflateSetting): unknown[] | typeof UNSUPPORTED {
  if (setting === false) return [];
  if (setting === true) return [fayeDeflate];
  const own = role === "server" ? "server" : "client";
  const peer = role === "server" ? "client" : "server";
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(setting)) {
    if (value === undefined) continue;
    if (value === false || key === "threshold" || key === "concurrencyLimit") return UNSUPPORTED;
    if (key === `${own}NoContextTakeover`) config.noContextTakeover = value;
    else if (key === `${peer}NoContextTakeover`) config.requestNoContextTakeover = value;
    else if (key === `${own}MaxWindowBits`) {
      if (value !== true) config.maxWindowBits = value;
    } else if (key === `${peer}MaxWindowBits`) {
      if (value !== true) config.requestMaxWindowBits = value;
    } else return UNSUPPORTED;
  }
  return [fayeDeflate.configure(config)];
}

/**
 * ws's names -> python-websockets' factory arguments (null: compression
 * off). Python's server takes any request of the client, so `false` (refuse)
 * has no equivalent; a server's clientMaxWindowBits maps to
 * require_client_max_window_bits, which declines offers without it as ours does.
 */
export function pythonDeflate(role: "client" | "server", setting: DeflateSetting): Record<string, unknown> | null | typeof UNSUPPORTED {
  if (setting === false) return null;
  if (setting === true) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(setting)) {
    if (value === undefined) continue;
    switch (key) {
      case "serverNoContextTakeover":
      case "clientNoContextTakeover":
        if (value !== true) return UNSUPPORTED;
        out[key === "serverNoContextTakeover" ? "server_no_context_takeover" : "client_no_context_takeover"] = true;
        break;
      case "serverMaxWindowBits":
        if (typeof value !== "number") return UNSUPPORTED;
        out.server_max_window_bits = value;
        break;
      case "clientMaxWindowBits":
        if (role === "client") out.client_max_window_bits = value === false ? null : value;
        else if (typeof value === "number") Object.assign(out, { client_max_window_bits: value, require_client_max_window_bits: true });
        else return UNSUPPORTED;
        break;
      default:
        return UNSUPPORTED;
    }
  }
  return out;
}

// ---------------------------------------------------------------- servers --

export interface DeflateConnection {
  /** The Sec-WebSocket-Extensions the server answered ("" for none). */
  extensions: string;
  /** The bytes on the wire, from the server's side. */
  socket: Wire;
}

export interface DeflateServer extends PeerServer {
  connections: DeflateConnection[];
}

/**
 * Our server (the runtime's own, see ./our-server.ts) with `perMessageDeflate:
 * setting`, behind a wire tap; echoes with `echoOptions`.
 */
export async function startOurDeflateServer(
  setting: DeflateSetting | undefined,
  options: { extra?: OurSocketOptions; echoOptions?: { compress?: boolean } } = {},
): Promise<DeflateServer & { sockets: WebSocket[] }> {
  const connections: DeflateConnection[] = [];
  const server = await startOurServer({
    options: { ...options.extra, perMessageDeflate: setting },
    echo: false,
    onConnection(socketWs) {
      connections.push({ extensions: socketWs.extensions, socket: tap.wires[connections.length]! });
      socketWs.binaryType = "uint8array";
      socketWs.addEventListener("message", (event) => {
        socketWs.send((event as MessageEvent).data as string | Uint8Array, options.echoOptions);
      });
    },
  });
  const tap = await startWireTap(server.port);
  return {
    url: tap.url,
    port: tap.port,
    sockets: server.sockets,
    connections,
    close: async () => {
      await tap.close();
      await server.close();
    },
  };
}

/** ws's WebSocketServer with `perMessageDeflate: setting`. */
export async function startWsDeflateServer(setting: DeflateSetting): Promise<DeflateServer> {
  const server = http.createServer();
  const connections: DeflateConnection[] = [];
  const wss = new ws.WebSocketServer({ server, perMessageDeflate: setting as never, maxPayload: 64 * 1024 * 1024 });
  wss.on("connection", (socket, req) => {
    connections.push({ extensions: socket.extensions, socket: req.socket });
    socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  const sockets = new Set<net.Socket>();
  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    connections,
    close: () => new Promise<void>((resolve) => {
      for (const client of wss.clients) client.terminate();
      for (const s of sockets) s.destroy();
      wss.close();
      server.close(() => resolve());
    }),
  };
}

/** faye-websocket with permessage-deflate npm configured from `setting`. */
export async function startFayeDeflateServer(setting: DeflateSetting): Promise<DeflateServer> {
  const extensions = fayeExtensions("server", setting);
  if (extensions === UNSUPPORTED) throw new Error("faye cannot express this setting");
  const connections: DeflateConnection[] = [];
  const server = await startFayeServer({
    options: { extensions },
    onConnection(_socket, req) {
      // faye does not expose what it answered; the request's socket is the upgraded one.
      connections.push({ extensions: "", socket: req.socket as net.Socket });
    },
  });
  return { ...server, connections };
}

// ---------------------------------------------------------------- clients --

export interface DeflateMessage {
  text: boolean;
  data: string | Uint8Array;
}

export interface DeflateClient {
  name: string;
  opened: Promise<void>;
  /** The Sec-WebSocket-Extensions of the server's response, once open. */
  extensions(): string;
  send(data: string | Uint8Array): void;
  next(): Promise<DeflateMessage>;
  close(): void;
  closed: Promise<{ code: number }>;
}

function view(data: ArrayBuffer | Uint8Array): Uint8Array {
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** ws's client with `perMessageDeflate: setting`. */
export function wsDeflateClient(url: string, setting: DeflateSetting): DeflateClient {
  const socket = new ws.WebSocket(url, { perMessageDeflate: setting as never, maxPayload: 64 * 1024 * 1024 });
  const inbox = new Inbox<DeflateMessage>();
  socket.on("message", (data, isBinary) => {
    const b = view(data as Uint8Array);
    inbox.push(isBinary ? { text: false, data: b } : { text: true, data: new TextDecoder().decode(b) });
  });
  return {
    name: "ws",
    opened: new Promise((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    }),
    extensions: () => socket.extensions,
    send: (data) => socket.send(data, { binary: typeof data !== "string" }),
    next: () => inbox.next(),
    close: () => socket.close(1000),
    closed: new Promise((resolve) => socket.once("close", (code) => resolve({ code }))),
  };
}

interface FayeClientSocket {
  headers?: Record<string, string>;
  send(data: string | Buffer): boolean;
  close(code?: number): void;
  on(type: string, listener: (event: { data?: unknown; code?: number }) => void): void;
}

const FayeClient = (faye as unknown as { Client: new (url: string, protocols: string[], options: Record<string, unknown>) => FayeClientSocket }).Client;

/** faye's client with permessage-deflate npm configured from `setting`. */
export function fayeDeflateClient(url: string, setting: DeflateSetting): DeflateClient {
  const extensions = fayeExtensions("client", setting);
  if (extensions === UNSUPPORTED) throw new Error("faye cannot express this setting");
  const socket = new FayeClient(url, [], { extensions, maxLength: 64 * 1024 * 1024 });
  const inbox = new Inbox<DeflateMessage>();
  let open = false;
  socket.on("message", (event) => {
    const data = event.data as string | Uint8Array;
    inbox.push(typeof data === "string" ? { text: true, data } : { text: false, data: view(data) });
  });
  return {
    name: "faye",
    opened: new Promise((resolve, reject) => {
      socket.on("open", () => { open = true; resolve(); });
      socket.on("close", (e) => { if (!open) reject(new Error(`faye closed before open: ${e.code}`)); });
    }),
    extensions: () => socket.headers?.["sec-websocket-extensions"] ?? "",
    send: (data) => void socket.send(typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
    next: () => inbox.next(),
    close: () => socket.close(1000),
    closed: new Promise((resolve) => socket.on("close", (e) => resolve({ code: e.code! }))),
  };
}

/** Our client with `perMessageDeflate: setting` (undefined: the default). */
export function ourDeflateClient(url: string, setting: DeflateSetting | undefined, extra: WebSocketOptions = {}): DeflateClient & { socket: WebSocket } {
  const socket = new WebSocket(url, [], { binaryType: "uint8array", ...extra, perMessageDeflate: setting });
  const inbox = new Inbox<DeflateMessage>();
  socket.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data as string | Uint8Array;
    inbox.push({ text: typeof data === "string", data });
  });
  return {
    name: "ours",
    socket,
    opened: new Promise((resolve, reject) => {
      socket.addEventListener("open", () => resolve());
      socket.addEventListener("error", (e) => reject((e as ErrorEvent).error ?? new Error("our client failed")));
    }),
    extensions: () => socket.extensions,
    send: (data) => socket.send(data),
    next: () => inbox.next(),
    close: () => socket.close(1000),
    closed: new Promise((resolve) => socket.addEventListener("close", (e) => resolve({ code: (e as CloseEvent).code }))),
  };
}
