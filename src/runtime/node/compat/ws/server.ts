/**
 * ws 8's WebSocketServer over our server-side handshake (acceptUpgrade in
 * src/web/server/accept.ts) and engine.
 *
 *   port    -> a node:http server of its own (426 for plain requests), listening
 *   server  -> the given http/https server's "upgrade" event
 *   noServer-> the caller calls handleUpgrade(req, socket, head, cb)
 *
 *   handleUpgrade: validateClientRequest (400/405/426, or wsClientError)
 *     -> shouldHandle (path) -> verifyClient (sync, or async with code/message/headers)
 *     -> completeUpgrade: handleProtocols(Set, req), permessage-deflate,
 *        emit("headers", lines, req), 101 -> new options.WebSocket(null) -> cb(ws, req)
 *
 * node:http exists on Node, Deno and Bun, so the same code serves all three
 * (docs/ws.md says what differs).
 */
import { EventEmitter } from "node:events";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { createErrorResponse, validateClientRequest } from "../../../../core/websocket/handshake/server.ts";
import { encodeLatin1 } from "../../../../core/http/serializer.ts";
import type { HttpRequestHead } from "../../../../core/http/head-parser.ts";
import { maxLengthOf, withServerDefaults } from "../../../../web/compat/ws/options.ts";
import { acceptUpgrade } from "../../../../web/server/accept.ts";
import { getRawListener, type RawListen, type RawServer } from "../../../../web/server/raw-listener.ts";
import { NodeByteSocket } from "../../socket.ts";
import { requestHead } from "../../upgrade.ts";
import type { PerMessageDeflateOptions } from "./client.ts";
import { RawUpgradeSocket, serveRawConnection } from "./raw-upgrade.ts";
import { kAttach, socketSettings, WebSocket } from "./websocket.ts";

/** What `verifyClient` is given about a handshake. */
export interface VerifyClientInfo<R = http.IncomingMessage> {
  /** The Origin header (Sec-WebSocket-Origin from a hybi-08 client); undefined when absent. */
  origin: string;
  /** True when the request came over TLS. */
  secure: boolean;
  /** The upgrade request. */
  req: R;
}
/** `verifyClient(info)`: true accepts the handshake, false answers 401. */
export type VerifyClientCallbackSync<R = http.IncomingMessage> = (info: VerifyClientInfo<R>) => boolean;
/** `verifyClient(info, callback)`: `callback(false, code, message, headers)` refuses with that response (default 401), `callback(true)` accepts. */
export type VerifyClientCallbackAsync<R = http.IncomingMessage> = (
  info: VerifyClientInfo<R>,
  callback: (res: boolean, code?: number, message?: string, headers?: http.OutgoingHttpHeaders) => void,
) => void;

/** ws's WebSocketServer options: exactly one of `port`, `server` and `noServer`. An unknown name is a TypeError. */
export interface ServerOptions<T extends typeof WebSocket = typeof WebSocket, R extends typeof http.IncomingMessage = typeof http.IncomingMessage> {
  /** With `port`: the address to listen on (default: all). */
  host?: string | undefined;
  /** Listen on this port with a node:http server of the server's own (0: any free port). */
  port?: number | undefined;
  /** With `port`: the listen backlog. */
  backlog?: number | undefined;
  /** Take the upgrade requests of this node:http or node:https server. */
  server?: http.Server | import("node:https").Server | undefined;
  /** Runs before the handshake is answered: accept or refuse, synchronously or through the callback. */
  verifyClient?: VerifyClientCallbackAsync<InstanceType<R>> | VerifyClientCallbackSync<InstanceType<R>> | undefined;
  /** Picks the subprotocol from those the client offered; false for none. One not offered answers 500. */
  handleProtocols?: ((protocols: Set<string>, request: InstanceType<R>) => string | false) | undefined;
  /** Accept only requests for this path (others get 400). */
  path?: string | undefined;
  /** No server at all: pass upgrades to handleUpgrade() yourself. */
  noServer?: boolean | undefined;
  /** `true` (default) emits a chunk's events at once; `false` gives each event a turn of its own, as ws does. */
  allowSynchronousEvents?: boolean | undefined;
  /** Answer pings with pongs (default true). */
  autoPong?: boolean | undefined;
  /** Keep the open sockets in `clients` (default true). */
  clientTracking?: boolean | undefined;
  /** Milliseconds to wait for the peer's Close frame before dropping the connection (default 30000). */
  closeTimeout?: number | undefined;
  /** permessage-deflate: off by default; `true` or an object accepts it. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions | undefined;
  /** Largest message accepted, in bytes (default 100 MiB; 0 for no limit); larger ones close with 1009. */
  maxPayload?: number | undefined;
  /** Accepted; the engine's own bound on buffered chunks applies. */
  maxBufferedChunks?: number | undefined;
  /** Most frames one message may take (default 16384; 0 for no limit); more close with 1008. */
  maxFragments?: number | undefined;
  /** Accepted; the engine's own bound applies. */
  maxPendingAutoPongs?: number | undefined;
  /** `true` hands text on without checking it is UTF-8 (default false). */
  skipUTF8Validation?: boolean | undefined;
  /** The class of the sockets handed out (a subclass of WebSocket). */
  WebSocket?: T | undefined;
}

const RUNNING = 0;
const CLOSING = 1;
const CLOSED = 2;
const kUsed = Symbol("omnisocket.ws.used");
const HYBI_13_AND_8 = { versions: [13, 8] as const };
/** The request head handleUpgrade built, for completeUpgrade to use again. */
const heads = new WeakMap<http.IncomingMessage, HttpRequestHead>();

type Socket = Duplex & { [kUsed]?: boolean; encrypted?: boolean; authorized?: boolean };

/**
 * ws 8's WebSocketServer: answers upgrades on its own node:http server
 * (`port`), on yours (`server`), or when you call handleUpgrade()
 * (`noServer`); emits `connection(ws, request)` for each socket.
 */
export class WebSocketServer<T extends typeof WebSocket = typeof WebSocket> extends EventEmitter {
  /** The options given, with ws's defaults filled in. */
  readonly options: ServerOptions<T> & { WebSocket: T; maxPayload: number };
  /** The open sockets (with `clientTracking`, the default). */
  clients!: Set<InstanceType<T>>;
  #server: http.Server | import("node:https").Server | null = null;
  /** `port` mode on a runtime's own listener (Deno, Bun). */
  #raw: RawServer | null = null;
  #removeListeners: (() => void) | null = null;
  #state = RUNNING;
  #shouldEmitClose = false;

  /** Starts the server; with `port`, `callback` runs once it listens. Throws ws's TypeError unless exactly one of port, server and noServer is given. */
  constructor(options: ServerOptions<T>, callback?: () => void) {
    super();
    const merged = withServerDefaults({ WebSocket: WebSocket as T, ...options });
    if (merged.perMessageDeflate === true) merged.perMessageDeflate = {};
    this.options = merged as typeof this.options;
    const raw = merged.port != null ? getRawListener() : null;
    if (raw) {
      this.#listenRaw(raw, merged.host ?? undefined, merged.port!, callback);
    } else if (merged.port != null) {
      const server = http.createServer((_req, res) => {
        const body = http.STATUS_CODES[426]!;
        res.writeHead(426, { "Content-Length": body.length, "Content-Type": "text/plain" });
        res.end(body);
      });
      server.listen(merged.port, merged.host ?? undefined, merged.backlog ?? undefined, callback);
      this.#server = server;
    } else if (merged.server) {
      this.#server = merged.server;
    }
    if (this.#server) {
      const server = this.#server;
      const onListening = () => this.emit("listening");
      const onError = (err: Error) => this.emit("error", err);
      const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
        this.handleUpgrade(req, socket, head, (ws, request) => this.emit("connection", ws, request));
      };
      server.on("listening", onListening);
      server.on("error", onError);
      server.on("upgrade", onUpgrade);
      this.#removeListeners = () => {
        server.removeListener("listening", onListening);
        server.removeListener("error", onError);
        server.removeListener("upgrade", onUpgrade);
      };
    }
    if (merged.clientTracking) this.clients = new Set();
  }

  /**
   * `port` mode on Deno and Bun: their own listener (Deno.listen,
   * Bun.listen), the request head read by our parser (raw-upgrade.ts).
   */
  #listenRaw(listen: RawListen, host: string | undefined, port: number, callback: (() => void) | undefined): void {
    try {
      this.#raw = listen({ host, port }, (connection) => serveRawConnection(connection, (req, socket, head) => {
        this.handleUpgrade(req, socket as unknown as Duplex, head, (ws, request) => this.emit("connection", ws, request));
      }));
    } catch (err) {
      process.nextTick(() => this.emit("error", err));
      return;
    }
    if (callback) this.once("listening", callback);
    process.nextTick(() => this.emit("listening"));
  }

  /** The listening address (ws: throws in noServer mode, null before listening). */
  address(): AddressInfo | string | null {
    if (this.options.noServer) throw new Error('The server is operating in "noServer" mode');
    if (this.#raw) return { ...this.#raw.address };
    if (!this.#server) return null;
    return this.#server.address();
  }

  /**
   * Stops accepting connections; `close` is emitted once the server (its
   * own one, in `port` mode) and, with client tracking, every client are closed.
   * Open connections are not closed (as in ws 8).
   */
  close(cb?: (err?: Error) => void): void {
    if (this.#state === CLOSED) {
      if (cb) this.once("close", () => cb(new Error("The server is not running")));
      process.nextTick(() => this.#emitClose());
      return;
    }
    if (cb) this.once("close", cb);
    if (this.#state === CLOSING) return;
    this.#state = CLOSING;
    const raw = this.#raw;
    if (raw) {
      // Like node:http's close in port mode: done once the clients are gone too.
      this.#raw = null;
      void raw.close().then(() => {
        if (this.clients && this.clients.size > 0) this.#shouldEmitClose = true;
        else this.#emitClose();
      });
    } else if (this.options.noServer || this.options.server) {
      this.#removeListeners?.();
      this.#removeListeners = null;
      this.#server = null;
      if (this.clients && this.clients.size > 0) this.#shouldEmitClose = true;
      else process.nextTick(() => this.#emitClose());
    } else {
      const server = this.#server!;
      this.#removeListeners?.();
      this.#removeListeners = null;
      this.#server = null;
      server.close(() => this.#emitClose());
    }
  }

  /** ws: true when `path` is unset or the request's pathname equals it. */
  shouldHandle(req: http.IncomingMessage): boolean {
    if (this.options.path) {
      const url = req.url ?? "";
      const index = url.indexOf("?");
      const pathname = index !== -1 ? url.slice(0, index) : url;
      if (pathname !== this.options.path) return false;
    }
    return true;
  }

  /** Answers an upgrade request; `cb(ws, req)` gets the open socket. */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, cb: (client: InstanceType<T>, request: http.IncomingMessage) => void): void {
    socket.on("error", destroyOnError);
    // ws takes hybi-13 and hybi-08 clients.
    const parsedHead = requestHead(req);
    heads.set(req, parsedHead);
    const checked = validateClientRequest(parsedHead, HYBI_13_AND_8);
    if (!checked.ok) {
      return this.#abortOrEmitClientError(req, socket, checked.status, checked.reason, Object.fromEntries(checked.headers));
    }
    if (!this.shouldHandle(req)) return abortHandshake(socket, 400);
    const protocols = new Set(checked.protocols);
    const verify = this.options.verifyClient;
    if (verify) {
      const raw = req.socket as Socket;
      const info = { origin: checked.origin ?? (undefined as unknown as string), secure: Boolean(raw.authorized || raw.encrypted), req };
      if (verify.length === 2) {
        (verify as VerifyClientCallbackAsync)(info, (verified, code, message, headers) => {
          if (!verified) return abortHandshake(socket, code || 401, message, headers);
          this.completeUpgrade({}, checked.key, protocols, req, socket, head, cb);
        });
        return;
      }
      if (!(verify as VerifyClientCallbackSync)(info)) return abortHandshake(socket, 401);
    }
    this.completeUpgrade({}, checked.key, protocols, req, socket, head, cb);
  }

  /**
   * Writes the 101 and hands the socket to a new `options.WebSocket`. The
   * first two arguments are ws's (negotiated extensions, key); the engine
   * derives both from `req` again.
   */
  completeUpgrade(
    _extensions: object,
    _key: string,
    protocols: Set<string>,
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    cb: (client: InstanceType<T>, request: http.IncomingMessage) => void,
  ): void {
    // The client sent FIN already: nothing to upgrade.
    if (!socket.readable || !socket.writable) return void socket.destroy();
    const raw = socket as Socket;
    if (raw[kUsed]) {
      throw new Error("server.handleUpgrade() was called more than once with the same socket, possibly due to a misconfiguration");
    }
    if (this.#state > RUNNING) return abortHandshake(socket, 503);
    raw[kUsed] = true;
    const options = this.options;
    const ws = new (options.WebSocket as T)(null) as InstanceType<T>;
    const handleProtocols = options.handleProtocols;
    const chooser = protocols.size === 0
      ? undefined
      : () => (handleProtocols ? handleProtocols(protocols, req as never) : protocols.values().next().value) || undefined;
    const secure = Boolean(raw.encrypted);
    const leftover = head && head.length > 0 ? new Uint8Array(head.buffer, head.byteOffset, head.byteLength) : undefined;
    socket.removeListener("error", destroyOnError);
    const byteSocket = socket instanceof RawUpgradeSocket ? socket.byteSocket : new NodeByteSocket(socket as never);
    // The head handleUpgrade read, unless completeUpgrade is called on its own.
    const parsedHead = heads.get(req) ?? requestHead(req);
    heads.delete(req);
    const accepted = acceptUpgrade(parsedHead, byteSocket, leftover, {
      protocols: chooser,
      perMessageDeflate: options.perMessageDeflate as never,
      maxLength: maxLengthOf(options.maxPayload),
      secure,
      // hybi-08 as ws accepts it; handleUpgrade has already refused anything
      // but a hybi-13 or hybi-08 request, so no hixie draft gets here.
      allowDrafts: true,
      // The 101 as lines only when someone listens for them.
      editResponse: this.listenerCount("headers") > 0 ? (lines) => void this.emit("headers", lines, req) : undefined,
    });
    if (accepted.error) {
      // Already answered (500 for a handleProtocols pick the client never offered, 400 ...).
      endThenDestroy(socket);
      return;
    }
    const settings = socketSettings(options);
    ws[kAttach](accepted, settings);
    if (this.clients) this.#track(ws);
    cb(ws, req);
  }

  /** Keeps `ws` in `clients` while it is open (its own scope: the listener holds nothing of the request). */
  #track(ws: InstanceType<T>): void {
    this.clients.add(ws);
    ws.on("close", () => {
      this.clients.delete(ws);
      if (this.#shouldEmitClose && this.clients.size === 0) process.nextTick(() => this.#emitClose());
    });
  }

  #abortOrEmitClientError(req: http.IncomingMessage, socket: Duplex, code: number, message: string, headers?: Record<string, string>): void {
    if (this.listenerCount("wsClientError") > 0) {
      const err = new Error(message);
      this.emit("wsClientError", err, socket, req);
    } else {
      abortHandshake(socket, code, message, headers);
    }
  }

  #emitClose(): void {
    this.#state = CLOSED;
    this.emit("close");
  }
}

/** ws's server events, typed by name (as @types/ws declares them). */
export interface WebSocketServer<T extends typeof WebSocket = typeof WebSocket> {
  /** A handshake was accepted: the open socket and its request. */
  on(event: "connection", cb: (this: WebSocketServer<T>, websocket: InstanceType<T>, request: http.IncomingMessage) => void): this;
  /** The underlying server failed. */
  on(event: "error", cb: (this: WebSocketServer<T>, error: Error) => void): this;
  /** The 101 response's lines (status line first), just before they are written: a listener may change them. */
  on(event: "headers", cb: (this: WebSocketServer<T>, headers: string[], request: http.IncomingMessage) => void): this;
  /** `listening`: the server listens; `close`: the server has closed. */
  on(event: "close" | "listening", cb: (this: WebSocketServer<T>) => void): this;
  /** A request that is not a valid handshake (with a listener, the listener answers it). */
  on(event: "wsClientError", cb: (this: WebSocketServer<T>, error: Error, socket: Duplex, request: http.IncomingMessage) => void): this;
  /** Any other event. */
  on(event: string | symbol, listener: (this: WebSocketServer<T>, ...args: any[]) => void): this; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Runs once. A handshake was accepted: the open socket and its request. */
  once(event: "connection", cb: (this: WebSocketServer<T>, websocket: InstanceType<T>, request: http.IncomingMessage) => void): this;
  /** Runs once. The underlying server failed. */
  once(event: "error", cb: (this: WebSocketServer<T>, error: Error) => void): this;
  /** Runs once. The 101 response's lines (status line first), just before they are written: a listener may change them. */
  once(event: "headers", cb: (this: WebSocketServer<T>, headers: string[], request: http.IncomingMessage) => void): this;
  /** Runs once. `listening`: the server listens; `close`: the server has closed. */
  once(event: "close" | "listening", cb: (this: WebSocketServer<T>) => void): this;
  /** Runs once. Any other event. */
  once(event: string | symbol, listener: (this: WebSocketServer<T>, ...args: any[]) => void): this; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Removes a `connection` listener. */
  off(event: "connection", cb: (this: WebSocketServer<T>, websocket: InstanceType<T>, request: http.IncomingMessage) => void): this;
  /** Removes a listener of any event. */
  off(event: string | symbol, listener: (this: WebSocketServer<T>, ...args: any[]) => void): this; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

function endThenDestroy(socket: Duplex): void {
  if (socket instanceof RawUpgradeSocket) {
    const bytes = socket.byteSocket;
    if (bytes.flushed) bytes.flushed(() => bytes.destroy());
    else bytes.destroy();
    return;
  }
  if (socket.writableFinished) socket.destroy();
  else socket.once("finish", () => socket.destroy());
}

/** ws's refusal: an HTTP error response, then the socket goes. */
function abortHandshake(socket: Duplex, code: number, message?: string, headers?: http.OutgoingHttpHeaders): void {
  const extra: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) extra.push([name, String(v)]);
  }
  let response: string;
  try {
    response = createErrorResponse(code, message ?? http.STATUS_CODES[code] ?? "", extra);
  } catch {
    response = createErrorResponse(code, http.STATUS_CODES[code] ?? "");
  }
  socket.once("finish", () => socket.destroy());
  socket.end(encodeLatin1(response));
}
