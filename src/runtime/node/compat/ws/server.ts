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
import { maxLengthOf, withServerDefaults } from "../../../../web/compat/ws/options.ts";
import { acceptUpgrade } from "../../../../web/server/accept.ts";
import { getRawListener, type RawListen, type RawServer } from "../../../../web/server/raw-listener.ts";
import { NodeByteSocket } from "../../socket.ts";
import { requestHead } from "../../upgrade.ts";
import type { PerMessageDeflateOptions } from "./client.ts";
import { RawUpgradeSocket, serveRawConnection } from "./raw-upgrade.ts";
import { kAttach, WebSocket, type SocketSettings } from "./websocket.ts";

export interface VerifyClientInfo<R = http.IncomingMessage> {
  origin: string;
  secure: boolean;
  req: R;
}
export type VerifyClientCallbackSync<R = http.IncomingMessage> = (info: VerifyClientInfo<R>) => boolean;
export type VerifyClientCallbackAsync<R = http.IncomingMessage> = (
  info: VerifyClientInfo<R>,
  callback: (res: boolean, code?: number, message?: string, headers?: http.OutgoingHttpHeaders) => void,
) => void;

export interface ServerOptions<T extends typeof WebSocket = typeof WebSocket, R extends typeof http.IncomingMessage = typeof http.IncomingMessage> {
  host?: string | undefined;
  port?: number | undefined;
  backlog?: number | undefined;
  server?: http.Server | import("node:https").Server | undefined;
  verifyClient?: VerifyClientCallbackAsync<InstanceType<R>> | VerifyClientCallbackSync<InstanceType<R>> | undefined;
  handleProtocols?: ((protocols: Set<string>, request: InstanceType<R>) => string | false) | undefined;
  path?: string | undefined;
  noServer?: boolean | undefined;
  allowSynchronousEvents?: boolean | undefined;
  autoPong?: boolean | undefined;
  clientTracking?: boolean | undefined;
  closeTimeout?: number | undefined;
  perMessageDeflate?: boolean | PerMessageDeflateOptions | undefined;
  maxPayload?: number | undefined;
  maxBufferedChunks?: number | undefined;
  maxFragments?: number | undefined;
  maxPendingAutoPongs?: number | undefined;
  skipUTF8Validation?: boolean | undefined;
  WebSocket?: T | undefined;
}

const RUNNING = 0;
const CLOSING = 1;
const CLOSED = 2;
const kUsed = Symbol("omnisocket.ws.used");

type Socket = Duplex & { [kUsed]?: boolean; encrypted?: boolean; authorized?: boolean };

export class WebSocketServer<T extends typeof WebSocket = typeof WebSocket> extends EventEmitter {
  readonly options: ServerOptions<T> & { WebSocket: T; maxPayload: number };
  /** The open sockets (with `clientTracking`, the default). */
  clients!: Set<InstanceType<T>>;
  #server: http.Server | import("node:https").Server | null = null;
  /** `port` mode on a runtime's own listener (Deno, Bun). */
  #raw: RawServer | null = null;
  #removeListeners: (() => void) | null = null;
  #state = RUNNING;
  #shouldEmitClose = false;

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
    const checked = validateClientRequest(requestHead(req), { versions: [13, 8] });
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
    const accepted = acceptUpgrade(requestHead(req), byteSocket, leftover, {
      protocols: chooser,
      perMessageDeflate: options.perMessageDeflate as never,
      maxLength: maxLengthOf(options.maxPayload),
      secure,
      // hybi-08 as ws accepts it; handleUpgrade has already refused anything
      // but a hybi-13 or hybi-08 request, so no hixie draft gets here.
      allowDrafts: true,
      editResponse: (lines) => {
        this.emit("headers", lines, req);
      },
    });
    if (accepted.error) {
      // Already answered (500 for a handleProtocols pick the client never offered, 400 ...).
      endThenDestroy(socket);
      return;
    }
    const settings: SocketSettings = {
      maxPayload: options.maxPayload,
      maxFragments: options.maxFragments,
      autoPong: options.autoPong,
      closeTimeout: options.closeTimeout,
      skipUTF8Validation: options.skipUTF8Validation,
      allowSynchronousEvents: options.allowSynchronousEvents,
    };
    ws[kAttach](accepted, settings);
    if (this.clients) {
      this.clients.add(ws);
      ws.on("close", () => {
        this.clients.delete(ws);
        if (this.#shouldEmitClose && this.clients.size === 0) process.nextTick(() => this.#emitClose());
      });
    }
    cb(ws, req);
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

export interface WebSocketServer<T extends typeof WebSocket = typeof WebSocket> {
  on(event: "connection", cb: (this: WebSocketServer<T>, websocket: InstanceType<T>, request: http.IncomingMessage) => void): this;
  on(event: "error", cb: (this: WebSocketServer<T>, error: Error) => void): this;
  on(event: "headers", cb: (this: WebSocketServer<T>, headers: string[], request: http.IncomingMessage) => void): this;
  on(event: "close" | "listening", cb: (this: WebSocketServer<T>) => void): this;
  on(event: "wsClientError", cb: (this: WebSocketServer<T>, error: Error, socket: Duplex, request: http.IncomingMessage) => void): this;
  on(event: string | symbol, listener: (this: WebSocketServer<T>, ...args: any[]) => void): this; // eslint-disable-line @typescript-eslint/no-explicit-any
  once(event: "connection", cb: (this: WebSocketServer<T>, websocket: InstanceType<T>, request: http.IncomingMessage) => void): this;
  once(event: "error", cb: (this: WebSocketServer<T>, error: Error) => void): this;
  once(event: "headers", cb: (this: WebSocketServer<T>, headers: string[], request: http.IncomingMessage) => void): this;
  once(event: "close" | "listening", cb: (this: WebSocketServer<T>) => void): this;
  once(event: string | symbol, listener: (this: WebSocketServer<T>, ...args: any[]) => void): this; // eslint-disable-line @typescript-eslint/no-explicit-any
  off(event: "connection", cb: (this: WebSocketServer<T>, websocket: InstanceType<T>, request: http.IncomingMessage) => void): this;
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
