/**
 * One raw connection to a standalone WebSocket server (Deno.listen,
 * Bun.listen): the whole handshake runs in our core, so every option,
 * extension and limit of the WebSocket applies.
 *
 *   ByteSocket --bytes--> HttpHeadParser (limits; its timeout: handshake-deadlines.ts)
 *        -> requestOf(head): a fetch Request      (request.ts, linear in the head;
 *                                                 lazy-request.ts: built on first read)
 *        -> verify(request)?                     (403 when refused)
 *        -> acceptUpgrade: 101, or 400/405/426   (accept.ts)   
 *        -> WebSocket.accept(...) -> onSocket(ws, request)
 *
 * Runtimes supply the listener and a ByteSocket per connection; they
 * decide nothing here.
 */
import type { Extension } from "../../core/websocket/extensions/extension.ts";
import { createErrorResponse } from "../../core/websocket/handshake/server.ts";
import { HttpHeadParser, type HttpLimits, type HttpRequestHead } from "../../core/http/head-parser.ts";
import { encodeLatin1 } from "../../core/http/serializer.ts";
import { serverExtensions, type PerMessageDeflateSetting } from "../client/extension-options.ts";
import { acceptUpgrade, type AcceptOptions, type ProtocolChooser } from "./accept.ts";
import { requestOf } from "./request.ts";
import { lazyRequestOf } from "./lazy-request.ts";
import type { ByteSocket, ByteSocketHandler } from "../transport/byte-socket.ts";
import { WebSocket, type AcceptedSocket, type WebSocketOptions } from "../websocket/websocket.ts";
import { HandshakeDeadlines, type HandshakeWaiter } from "./handshake-deadlines.ts";
import { heartbeatSettings, idleHeartbeat, type HeartbeatOptions } from "../websocket/heartbeat.ts";
import { startTimer } from "../websocket/timers.ts";

/** Options of a runtime's standalone `listen()` server: the handshake's and every accepted socket's. */
export interface StandaloneServerOptions {
  /** Subprotocols the server speaks, or a function that picks one of the client's. */
  protocols?: ProtocolChooser;
  /** Extensions to accept, faye style. */
  extensions?: Extension[];
  /** permessage-deflate (ws's option): off unless set; needs the compressor a runtime entry registers. */
  perMessageDeflate?: PerMessageDeflateSetting;
  /** Largest message accepted, in bytes (default 2^26 - 1); larger ones close with 1009. */
  maxLength?: number;
  /** Most frames one message may take (default 2^17; 0 for no limit); more close with 1008. */
  maxFragments?: number;
  /** Extra headers for the 101 response. */
  headers?: Record<string, string>;
  /** Seconds between keep-alive pings, with no timeout (faye's `ping`); 0 or absent for none. */
  ping?: number;
  /** Ping every `interval` ms; drop a socket that stays silent `timeout` ms after a ping (1006, WS_ERR_HEARTBEAT_TIMEOUT). */
  heartbeat?: HeartbeatOptions;
  /** Seconds of silence tolerated, as Deno's and Bun's idleTimeout: heartbeat { interval: idleTimeout * 500, timeout: idleTimeout * 500 }. */
  idleTimeout?: number;
  /** Milliseconds the peer gets to finish a close before TCP is dropped (default 30000). */
  closeTimeout?: number;
  /** Initial binaryType of accepted sockets. */
  binaryType?: WebSocketOptions["binaryType"];
  /** Each socket's lowWaterMark: when "drain" fires (docs/flow-control.md). */
  lowWaterMark?: number;
  /** Each socket's send cap in bytes: a peer that reads too slowly is dropped with 1008 (default off; docs/flow-control.md). */
  backpressureLimit?: number;
  /** Runs before the handshake is answered; false (or a throw) refuses it with 403. */
  verify?: (request: Request) => boolean | Promise<boolean>;
  /** Milliseconds to wait for a complete request head (default 30000): a client that sends none, or half of one, is dropped unanswered. */
  handshakeTimeout?: number;
  /** Request head limits (line length, header count, total size). */
  limits?: Partial<HttpLimits>;
  /** Also answer hixie-75/76 and hybi-08 clients (off by default; docs/legacy-drafts.md). */
  allowDrafts?: boolean;
}

/** What serveConnection takes: the server's options, whether it is TLS, and how its requests are built. */
export interface ConnectionSettings extends StandaloneServerOptions {
  secure?: boolean;
  /** Build each `request` on first read (lazy-request.ts); a runtime whose console reads through a Proxy opts in (Node). */
  lazyRequest?: boolean;
}

/** Called with each socket once its handshake is answered (its open event follows) and the request it came with. */
export type ConnectionListener<W> = (socket: W, request: Request) => void;

const DEFAULT_HANDSHAKE_TIMEOUT = 30_000;
const DEFAULT_CLOSE_TIMEOUT = 30_000;

/** Throws for options that could never work (checked once, before listening). */
export function checkServerOptions(options: StandaloneServerOptions): void {
  serverExtensions(options);
  heartbeatSettings(options.heartbeat ?? idleHeartbeat(options.idleTimeout), options.ping);
}

function refuse(socket: ByteSocket, status: number, reason: string, closeTimeout: number): void {
  socket.write([encodeLatin1(createErrorResponse(status, reason))]);
  socket.end();
  lingerThenDrop(socket, closeTimeout);
}

/** A refused client gets closeTimeout ms to go away after our answer. */
function lingerThenDrop(socket: ByteSocket, closeTimeout: number): void {
  const timer = startTimer(() => socket.destroy(), closeTimeout);
  socket.attach({
    onData() {},
    onEnd() { timer.clear(); socket.destroy(); },
    onClose() { timer.clear(); },
    onDrain() {},
  });
}

type WebSocketMaker<W> = { accept(accepted: AcceptedSocket, options?: WebSocketOptions): W };

/**
 * Serves one accepted connection: reads the request head, answers the
 * handshake and hands the open WebSocket (of `WebSocketClass`) to `onSocket`.
 */
export function serveConnection<W extends WebSocket>(
  socket: ByteSocket,
  options: ConnectionSettings,
  onSocket: ConnectionListener<W>,
  WebSocketClass: WebSocketMaker<W> = WebSocket as never,
): void {
  const connection = new Handshake(socket, options, perServer(options), onSocket, WebSocketClass);
  socket.attach(connection);
}

/**
 * One connection until its head is read: the socket's handler, and a
 * waiter in the server's handshake deadlines (one object, no closures).
 */
class Handshake<W extends WebSocket> implements ByteSocketHandler, HandshakeWaiter {
  deadline = 0;
  newer: HandshakeWaiter | null = null;
  older: HandshakeWaiter | null = null;
  readonly #parser: HttpHeadParser<"request">;
  #done = false;

  constructor(
    readonly socket: ByteSocket,
    readonly options: ConnectionSettings,
    readonly server: PerServer,
    readonly onSocket: ConnectionListener<W>,
    readonly WebSocketClass: WebSocketMaker<W>,
  ) {
    this.#parser = new HttpHeadParser("request", options.limits);
    server.deadlines.add(this);
  }

  /** No complete head in time (a slow or idle client): dropped unanswered. */
  expire(): void {
    this.#done = true;
    this.socket.destroy();
  }

  #stop(): void {
    this.#done = true;
    this.server.deadlines.remove(this);
  }

  onData(chunk: Uint8Array): void {
    if (this.#done) return;
    const result = this.#parser.feed(chunk);
    if (result.status === "incomplete") return;
    this.#stop();
    if (result.status === "error") {
      const tooLarge = result.error.code === "WS_ERR_HTTP_LIMIT";
      refuse(this.socket, tooLarge ? 431 : 400, result.error.message, this.server.closeTimeout);
      return;
    }
    this.socket.pause();
    void this.#answer(result.head, result.rest);
  }

  onEnd(): void {
    if (!this.#done) { this.#stop(); this.socket.destroy(); }
  }

  onClose(): void {
    if (!this.#done) this.#stop();
  }

  onDrain(): void {}

  async #answer(head: HttpRequestHead, rest: Uint8Array): Promise<void> {
    const { socket, options, server } = this;
    const secure = options.secure ?? false;
    let request: Request;
    try {
      request = options.lazyRequest ? lazyRequestOf(head, secure) : requestOf(head, secure);
    } catch (err) {
      refuse(socket, 400, (err as Error).message ?? "Invalid request", server.closeTimeout);
      return;
    }
    if (options.verify) {
      let ok = false;
      try {
        ok = await options.verify(request);
      } catch {
        ok = false;
      }
      if (!ok) return refuse(socket, 403, "Forbidden", server.closeTimeout);
    }
    let accepted;
    try {
      accepted = acceptUpgrade(head, socket, rest.length > 0 ? rest : undefined, server.accept);
    } catch (err) {
      return refuse(socket, 500, (err as Error)?.message ?? "Internal Server Error", server.closeTimeout);
    }
    if (accepted.error) {
      lingerThenDrop(socket, server.closeTimeout); // already answered with 400/405/426
      return;
    }
    const ws = this.WebSocketClass.accept(accepted, server.socketOptions);
    this.onSocket(ws, request);
  }
}

/** What acceptUpgrade and WebSocket.accept take, made once per server's options rather than per connection. */
interface PerServer {
  accept: AcceptOptions;
  socketOptions: WebSocketOptions;
  closeTimeout: number;
  /** Every connection still waiting for its head, under one timer. */
  deadlines: HandshakeDeadlines;
}

const perServerOptions = new WeakMap<StandaloneServerOptions, PerServer>();

function perServer(options: ConnectionSettings): PerServer {
  let made = perServerOptions.get(options);
  if (made === undefined) {
    made = {
      accept: {
        protocols: options.protocols,
        extensions: options.extensions,
        perMessageDeflate: options.perMessageDeflate,
        maxLength: options.maxLength,
        headers: options.headers,
        secure: options.secure ?? false,
        allowDrafts: options.allowDrafts,
      },
      socketOptions: {
        maxLength: options.maxLength,
        maxFragments: options.maxFragments,
        ping: options.ping,
        heartbeat: options.heartbeat ?? idleHeartbeat(options.idleTimeout),
        closeTimeout: options.closeTimeout,
        binaryType: options.binaryType,
        lowWaterMark: options.lowWaterMark,
        backpressureLimit: options.backpressureLimit,
      },
      closeTimeout: options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT,
      deadlines: new HandshakeDeadlines(options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT),
    };
    perServerOptions.set(options, made);
  }
  return made;
}

/** What a runtime's `listen()` returns. */
export interface WebSocketServer<W = WebSocket> {
  /** The address the server listens on. */
  readonly hostname: string;
  /** The port it listens on (the one the OS chose when asked for port 0). */
  readonly port: number;
  /** ws://hostname:port (wss:// with TLS). */
  readonly url: string;
  /** The open sockets; closing the server leaves them open (close them yourself). */
  readonly clients: ReadonlySet<W>;
  /**
   * Resolves once the server accepts connections; rejects with the bind
   * error. Deno and Bun bind inside `listen()` (it is resolved at once);
   * Node binds a named host a moment later, so a port-0 server's `port`
   * and `url` are known after `await server.ready`.
   */
  readonly ready: Promise<void>;
  /** Stops accepting connections. */
  close(): Promise<void>;
}

/** Where a runtime's `listen()` listens, and its TLS pair (PEM text, or bytes where the runtime takes them). */
export interface ListenAddress<Pem = string> {
  /** The address to listen on. Default "0.0.0.0". */
  hostname?: string;
  /** Default 0: any free port (read it from `server.port`). */
  port?: number;
  /** PEM certificate chain: serve wss://. */
  cert?: Pem;
  /** PEM private key for `cert`; give both or neither. */
  key?: Pem;
}

/** What every runtime's `listen()` starts from: its options checked, and the client set its sockets join. */
export function prepareListen<Pem>(options: StandaloneServerOptions & ListenAddress<Pem>, onSocket: ConnectionListener<WebSocket>) {
  const { hostname = "0.0.0.0", port = 0, cert, key, ...serverOptions } = options;
  const secure = cert !== undefined || key !== undefined;
  if (secure && (cert === undefined || key === undefined)) throw new TypeError("listen() needs both cert and key for TLS");
  checkServerOptions(serverOptions);
  const clients = new Set<WebSocket>();
  return { hostname, port, cert, key, secure, clients, handle: trackClients(clients, onSocket), settings: { ...serverOptions, secure } };
}

const ONCE = { once: true } as const;

/** Wraps `onSocket` so each socket sits in `clients` until its close event. */
export function trackClients<W extends EventTarget>(clients: Set<W>, onSocket: ConnectionListener<W>): ConnectionListener<W> {
  // One listener for every socket of the server (the close event's target is the socket).
  const forget = (event: Event) => { clients.delete(event.target as W); };
  return (socket, request) => {
    clients.add(socket);
    socket.addEventListener("close", forget, ONCE);
    onSocket(socket, request);
  };
}

/** ws://host:port for a listener address (IPv6 in brackets). */
export function serverUrl(hostname: string, port: number, secure: boolean): string {
  return `${secure ? "wss" : "ws"}://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}
