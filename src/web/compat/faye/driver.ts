/**
 * faye-websocket's socket life cycle over omnisocket's engine: the same
 * Protocol (or LegacyProtocol) and engine driver (Connection) as the WHATWG
 * class, with faye's rules on top. Runtime-free; the Node face
 * (src/runtime/node/compat/faye/) turns the host calls into faye's events.
 *
 *   client: openClient() --ClientResult--\
 *   server: acceptUpgrade() --Accepted----+--> Connection(engine, ByteSocket)
 *                                                   |            ^
 *        host.open/message/error/close/drain <------+            +-- send/ping/close/pause/resume
 *
 * faye's rules, as websocket-driver 0.8 and faye 0.11 implement them:
 * - send() and ping() before the handshake completes are queued and go out
 *   on open; after close() they return false.
 * - send() returns false when the socket's write buffer is past its
 *   high-water mark (the message is still sent); `drain` follows.
 * - close() while connecting ends at once, with a close event that carries
 *   the given code (1000 by default); once open it sends a Close and the
 *   close event reports the peer's answer. 30 s without one: 1006.
 * - A protocol error fires `error` (while open) and closes with the error's
 *   code (1002, 1007, 1009 ...) and message as the reason; a connection
 *   that just drops closes with 1006.
 * - Keep-alive pings (`ping` seconds) carry "1", "2", ... as faye's do.
 */
import { WebSocketError } from "../../../core/shared/errors.ts";
import type { Extension } from "../../../core/websocket/extensions/extension.ts";
import { LegacyProtocol } from "../../../core/websocket/legacy/protocol.ts";
import { Protocol, ReadyState, type CloseInfo, type ProtocolEvent } from "../../../core/websocket/protocol.ts";
import type { WireProtocol } from "../../../core/websocket/wire-protocol.ts";
import { HandshakeError, openClient, type ClientResult } from "../../client/connect.ts";
import type { HeartbeatOptions } from "../../websocket/heartbeat.ts";
import type { ProxyOptions } from "../../transport/byte-socket.ts";
import { Connection, type ConnectionOwner } from "../../websocket/connection.ts";
import { parseWebSocketUrl } from "../../websocket/url.ts";
import type { AcceptedSocket } from "../../websocket/websocket.ts";

/** faye's socket options (checked against faye's list by the face). */
export interface FayeSocketOptions {
  /** Extra handshake headers (request or response). */
  headers?: Record<string, string>;
  /** websocket-extensions style extensions (e.g. the permessage-deflate npm package). */
  extensions?: Extension[];
  /** Largest incoming message, in bytes (default 2^26 - 1). */
  maxLength?: number;
  /** Seconds between keep-alive pings. */
  ping?: number;
  /** Ours: ping every `interval` ms, drop the peer when `timeout` ms pass after a ping with nothing read (docs/flow-control.md). */
  heartbeat?: HeartbeatOptions;
  /** Client, ours: milliseconds from dialing to the 101 (default 30000, 0 for none). */
  handshakeTimeout?: number;
  /** Client: an HTTP proxy, `{ origin, headers, tls }`. */
  proxy?: ProxyOptions;
  /** Client: TLS options for wss:. */
  tls?: Record<string, unknown>;
  /** Client: shorthand for `tls.ca`. */
  ca?: unknown;
  /** Client: options for the TCP connect. */
  net?: Record<string, unknown>;
  /** Server: also answer hixie-75/76 and hybi-08 clients. */
  allowDrafts?: boolean;
}

/** What the face does with the driver's news. */
export interface FayeHost {
  open(): void;
  message(data: string | Uint8Array): void;
  error(message: string): void;
  close(code: number, reason: string): void;
  drain(): void;
}

/** faye's API.CLOSE_TIMEOUT: how long close() waits for the peer's answer. */
export const CLOSE_TIMEOUT = 30_000;

const utf8 = new TextEncoder();
const decoder = new TextDecoder();

function keyOf(data: Uint8Array): string {
  return decoder.decode(data);
}

export class FayeDriver implements ConnectionOwner {
  readyState: number = ReadyState.CONNECTING;
  protocol = "";
  version = "hybi-13";
  statusCode: number | undefined;
  headers: Record<string, string> | undefined;

  readonly #host: FayeHost;
  readonly #options: FayeSocketOptions;
  /** The URL as the face reports it (in network errors too). */
  readonly #url: string;
  #connection: Connection | null = null;
  /** Sends and pings made before the handshake completed. */
  #queue: (() => void)[] = [];
  #paused = false;
  /** [reason, code] for the close event, as faye keeps them. */
  #closeParams: [string, number] | null = null;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #pingId = 0;
  #pings = new Map<string, () => void>();
  /** Client: aborts the handshake; server: the socket to drop before open. */
  #abort: AbortController | null = null;
  #pendingSocket: { destroy(): void } | null = null;

  constructor(host: FayeHost, url: string, options: FayeSocketOptions) {
    this.#host = host;
    this.#url = url;
    this.#options = options;
    const ping = options.ping;
    if (ping) {
      this.#pingTimer = setInterval(() => {
        this.#pingId += 1;
        this.ping(String(this.#pingId));
      }, ping * 1000);
    }
  }

  // ------------------------------------------------------------- starting --

  /** Server: the upgrade was answered (or refused) on `accepted.socket`. */
  startServer(accepted: AcceptedSocket): void {
    if (accepted.version) this.version = accepted.version;
    if (accepted.error) {
      // faye: the handshake error is reported; the close (1006) follows once
      // the connection is gone, which the refusal makes happen at once.
      const message = accepted.error.message;
      queueMicrotask(() => {
        this.#emitError(message);
        this.#finalize();
      });
      return;
    }
    this.#pendingSocket = accepted.socket;
    const engine: WireProtocol = accepted.legacy
      ? new LegacyProtocol({ ...accepted.legacy, maxLength: this.#options.maxLength })
      : new Protocol({
        role: "server",
        maxLength: this.#options.maxLength,
        extensions: accepted.extensions,
        onWake: () => this.#connection?.flush(),
        echoCloseReason: true,
      });
    // faye opens on the next tick, then reads the bytes that came with the request.
    queueMicrotask(() => {
      if (this.readyState !== ReadyState.CONNECTING) return;
      this.#pendingSocket = null;
      this.protocol = accepted.protocol;
      this.#open(engine, accepted.socket, accepted.head);
    });
  }

  /** Client: connects to `url` and runs the handshake. */
  startClient(protocols: string[]): void {
    const url = this.#url;
    const parsed = parseWebSocketUrl(url);
    const options = this.#options;
    const headers: Record<string, string> = { ...options.headers };
    // websocket-driver: credentials in the URL become Basic Authorization.
    const credentials = /^wss?:\/\/([^@/?#]*)@/i.exec(url)?.[1];
    if (credentials && !Object.keys(headers).some((h) => h.toLowerCase() === "authorization")) {
      headers.Authorization = `Basic ${btoa(String.fromCharCode(...utf8.encode(decodeURIComponent(credentials))))}`;
    }
    this.#abort = new AbortController();
    openClient(
      parsed,
      protocols,
      { headers, maxLength: options.maxLength, tls: options.tls, ca: options.ca, net: options.net, proxy: options.proxy, handshakeTimeout: options.handshakeTimeout },
      this.#abort.signal,
      options.extensions ?? [],
      true,
    ).then((result) => this.#clientOpened(result), (err: unknown) => this.#clientFailed(err));
  }

  #clientOpened(result: ClientResult): void {
    this.#abort = null;
    this.statusCode = result.statusCode;
    this.headers = result.headers;
    if (this.readyState !== ReadyState.CONNECTING) {
      result.socket.destroy();
      return;
    }
    this.protocol = result.protocol;
    const engine = new Protocol({
      role: "client",
      maxLength: this.#options.maxLength,
      extensions: result.extensions,
      onWake: () => this.#connection?.flush(),
      echoCloseReason: true,
    });
    this.#open(engine, result.socket, result.leftover);
  }

  #clientFailed(err: unknown): void {
    this.#abort = null;
    if (this.readyState === ReadyState.CLOSED) return;
    if (err instanceof HandshakeError) {
      if (err.statusCode !== undefined) this.statusCode = err.statusCode;
      if (err.headers) this.headers = err.headers;
      if (err.statusCode === undefined && /closed before/.test(err.message)) {
        // The server hung up without answering: faye closes with 1006, no error.
        this.#finalize();
        return;
      }
      // websocket-driver: "Error during WebSocket handshake: ...", then a
      // close with 1002 (protocol_error) and that message as the reason.
      const detail = err.statusCode !== undefined && err.statusCode !== 101
        ? `Unexpected response code: ${err.statusCode}`
        : err.message;
      const message = `Error during WebSocket handshake: ${detail}`;
      this.#emitError(message);
      this.#closeParams = [message, 1002];
      this.#finalize();
      return;
    }
    // faye: "Network error: <url>: <cause>", then close 1006.
    const cause = err instanceof Error ? err.message : String(err);
    this.#emitError(`Network error: ${this.#url}: ${cause}`);
    this.#finalize();
  }

  #open(engine: WireProtocol, socket: AcceptedSocket["socket"], leftover: Uint8Array | undefined): void {
    const connection = new Connection(engine, socket, this, { closeTimeout: CLOSE_TIMEOUT, ping: 0, heartbeat: this.#options.heartbeat });
    if (this.#paused) connection.pauseReading();
    this.#connection = connection;
    this.readyState = ReadyState.OPEN;
    // websocket-driver flushes its queue before it emits open.
    const queue = this.#queue;
    this.#queue = [];
    for (const step of queue) step();
    this.#host.open();
    connection.start(leftover);
  }

  // ---------------------------------------------------------------- API --

  /** faye's send(): text for strings, binary for bytes; false once closing. */
  send(data: string | Uint8Array): boolean {
    if (this.readyState > ReadyState.OPEN) return false;
    if (this.readyState === ReadyState.CONNECTING) {
      this.#queue.push(() => { this.#sendNow(data); });
      return true;
    }
    this.#sendNow(data);
    return !this.#connection?.writeBlocked;
  }

  #sendNow(data: string | Uint8Array): boolean {
    const connection = this.#connection;
    if (!connection || connection.protocol.state !== ReadyState.OPEN) return false;
    try {
      if (typeof data === "string") {
        connection.countSent(connection.protocol.sendText(data));
      } else {
        connection.countSent(data.length);
        connection.protocol.sendBinary(data);
      }
    } catch (err) {
      // A draft socket has no binary frames: faye's draft drivers answer false.
      if (err instanceof WebSocketError) return false;
      throw err;
    }
    connection.flush();
    return true;
  }

  /** faye's ping(): `callback` runs on the pong with the same payload. */
  ping(message: string | Uint8Array = "", callback?: () => void): boolean {
    if (this.readyState > ReadyState.OPEN) return false;
    if (this.readyState === ReadyState.CONNECTING) {
      this.#queue.push(() => { this.#pingNow(message, callback); });
      return true;
    }
    return this.#pingNow(message, callback);
  }

  #pingNow(message: string | Uint8Array, callback: (() => void) | undefined): boolean {
    const connection = this.#connection;
    if (!connection || connection.protocol.state !== ReadyState.OPEN || !connection.protocol.canPing) return false;
    const bytes = typeof message === "string" ? utf8.encode(message) : message;
    // RFC 6455 section 5.5: a control frame carries at most 125 bytes.
    if (bytes.length > 125) return false;
    if (callback) this.#pings.set(keyOf(bytes), callback);
    connection.protocol.sendPing(bytes);
    connection.flush();
    return true;
  }

  /** faye's close(): the code is checked by the face. */
  close(code: number, reason: string): void {
    if (this.readyState < ReadyState.CLOSING) {
      this.#closeTimer = setTimeout(() => this.#beginClose("", 1006), CLOSE_TIMEOUT);
    }
    const state = this.readyState;
    if (state !== ReadyState.CLOSED) this.readyState = ReadyState.CLOSING;
    if (state === ReadyState.CONNECTING) {
      // websocket-driver: closing before the handshake ends the socket at
      // once, with a close event that carries the given code and reason.
      this.#closeParams = [reason, code];
      this.#abort?.abort();
      this.#pendingSocket?.destroy();
      this.#pendingSocket = null;
      this.#finalize();
      return;
    }
    const connection = this.#connection;
    if (state === ReadyState.OPEN && connection && connection.protocol.state === ReadyState.OPEN) {
      connection.protocol.sendClose(code, reason);
      connection.flush();
    }
  }

  /** Stops reading from the network until resume() (faye's pause()). */
  pause(): void {
    this.#paused = true;
    this.#connection?.pauseReading();
  }

  resume(): void {
    this.#paused = false;
    this.#connection?.resumeReading();
  }

  /** Application bytes given to send() and not yet handed to the network. */
  get bufferedAmount(): number {
    return this.#connection?.bufferedAmount ?? 0;
  }

  // ------------------------------------------------- ConnectionOwner --

  handleEvent(event: ProtocolEvent): void {
    switch (event.type) {
      case "text":
      case "binary":
        // faye drops messages that arrive after close() was called.
        if (this.readyState !== ReadyState.OPEN) return;
        this.#host.message(event.data);
        return;
      case "pong": {
        const key = keyOf(event.data);
        const callback = this.#pings.get(key);
        if (callback) {
          this.#pings.delete(key);
          callback();
        }
        return;
      }
      case "close":
        // The peer's Close (its own or its answer to ours): faye reports its
        // code, 1000 when it carried none.
        this.#closeParams ??= [event.reason, event.code === 1005 ? 1000 : event.code];
        if (this.readyState === ReadyState.OPEN) this.readyState = ReadyState.CLOSING;
        return;
      case "error":
        this.#emitError(event.error.message);
        this.#closeParams ??= [event.error.message, event.error.closeCode ?? 1002];
        if (this.readyState === ReadyState.OPEN) this.readyState = ReadyState.CLOSING;
        return;
      case "ping":
        return; // the engine answers; faye's API has no ping event
    }
  }

  handleClosed(_info: CloseInfo, error: WebSocketError | null): void {
    // Our heartbeat dropped the peer: say why, then close (1006) as for any lost connection.
    if (error?.code === "WS_ERR_HEARTBEAT_TIMEOUT") this.#emitError(error.message);
    this.#finalize();
  }

  handleDrain(): void {
    if (this.readyState <= ReadyState.OPEN) this.#host.drain();
  }

  // ------------------------------------------------------------ closing --

  #emitError(message: string): void {
    // faye: errors are reported only while connecting or open.
    if (this.readyState >= ReadyState.CLOSING) return;
    this.#host.error(message);
  }

  #beginClose(reason: string, code: number): void {
    if (this.readyState === ReadyState.CLOSED) return;
    this.readyState = ReadyState.CLOSING;
    this.#closeParams = [reason, code];
    if (this.#connection) this.#connection.destroy();
    else this.#finalize();
  }

  #finalize(): void {
    if (this.readyState === ReadyState.CLOSED) return;
    this.readyState = ReadyState.CLOSED;
    clearTimeout(this.#closeTimer);
    clearInterval(this.#pingTimer);
    this.#pings.clear();
    this.#queue = [];
    if (this.#connection && this.#connection.protocol.state !== ReadyState.CLOSED) this.#connection.destroy();
    const [reason, code] = this.#closeParams ?? ["", 1006];
    this.#host.close(code, reason);
  }
}
