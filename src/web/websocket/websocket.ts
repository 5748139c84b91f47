/**
 * The WebSocket class: the browser's API (WHATWG websockets standard), one
 * class for both ends of a connection, plus the faye-style extras.
 *
 *   new WebSocket(url, protocols, options)        client: connect + handshake
 *   runtime upgrade hook -> WebSocket.accept(...)  server: socket already upgraded
 *          |                                   |
 *          +-----------> Connection <----------+
 *                   (Protocol <-> ByteSocket)
 *                             |
 *          open / message / error / close  (one EventTarget dispatch path)
 */
import { isValidCloseCode } from "../../core/websocket/close.ts";
import { WebSocketError } from "../../core/shared/errors.ts";
import type { Extension } from "../../core/websocket/extensions/extension.ts";
import { Protocol, ReadyState, type CloseInfo, type ProtocolEvent } from "../../core/websocket/protocol.ts";
import type { WireProtocol } from "../../core/websocket/wire-protocol.ts";
import { LegacyProtocol } from "../../core/websocket/legacy/protocol.ts";
import type { LegacyDraft, LegacyKeys } from "../../core/websocket/legacy/handshake.ts";
import { openClient, type ClientResult } from "../client/connect.ts";
import { clientExtensions, type PerMessageDeflateSetting } from "../client/extension-options.ts";
import { Connection } from "./engine-driver.ts";
import { CloseEvent, ErrorEvent, MessageEvent } from "../events/events.ts";
import { WebSocketHandlers } from "../events/dual-event-target.ts";
import { binaryConverter, type BinaryType } from "./binary.ts";
import { parseWebSocketUrl, validateProtocols } from "./url.ts";
import type { ByteSocket, ProxySetting } from "../transport/byte-socket.ts";

export type { BinaryType } from "./binary.ts";

export interface WebSocketOptions {
  /** Extra request headers (client) or response headers (server). */
  headers?: Record<string, string>;
  /** Largest message accepted, in bytes (default 2^26 - 1). Larger ones close with 1009. */
  maxLength?: number;
  /**
   * Most frames one message may take (default 2^17; 0 for no limit). More
   * close with 1008 (`WS_ERR_TOO_MANY_FRAGMENTS`); memory is bounded by
   * `maxLength` whatever the count, as fragments are joined as they come.
   */
  maxFragments?: number;
  /** Seconds between keep-alive pings; 0 or absent for none. */
  ping?: number;
  /** Extensions to offer (client) or accept (server). */
  extensions?: Extension[];
  /**
   * permessage-deflate (RFC 7692) with ws's options: `false`, `true` or
   * `{ threshold, serverMaxWindowBits, ... }`. Clients offer it unless
   * `false`; servers accept it only when set. See ../client/extension-options.ts.
   */
  perMessageDeflate?: PerMessageDeflateSetting;
  /** Milliseconds to wait for the peer to finish a close before dropping TCP (default 30000). */
  closeTimeout?: number;
  /** Initial binaryType. */
  binaryType?: BinaryType;
  /** Client: TLS options (ca, servername, rejectUnauthorized, cert, key ...). */
  tls?: Record<string, unknown>;
  /** Client: extra options for the runtime's TCP connect. */
  net?: Record<string, unknown>;
  /** Client: trusted CA certificate(s), a shorthand for `tls.ca`. */
  ca?: unknown;
  /**
   * Client: an HTTP proxy to tunnel through with CONNECT (RFC 9110 section
   * 9.3.6): `{ origin: "http://[user:pass@]host:port" (or https:), headers, tls }`,
   * or "env" for HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY. See docs/proxies.md.
   */
  proxy?: ProxySetting;
  /** Client: Origin header value. */
  origin?: string;
  /** Random source for keys and masks (tests). */
  random?: (buffer: Uint8Array) => Uint8Array;
  /** Client: 13 (RFC 6455, the default), or 8 for hybi-08 servers (ws's `protocolVersion`). */
  protocolVersion?: 13 | 8;
}

/** What a runtime's server hook hands over once it has answered the handshake. */
export interface AcceptedSocket {
  socket: ByteSocket;
  /** Request URL as the client asked for it (ws:// or wss://). */
  url: string;
  protocol: string;
  extensionsHeader: string;
  extensions: import("../../core/websocket/extensions/extension.ts").ActiveExtension[];
  /** Bytes that arrived after the request head. */
  head?: Uint8Array;
  /** Request headers, lower-cased names. */
  headers: Record<string, string>;
  /** Set when the handshake was refused (already answered with an HTTP error). */
  error?: Error;
  /** The protocol version spoken (faye's `version`): "hybi-13" when absent, "hybi-8", "hixie-75", "hixie-76". */
  version?: string;
  /** A hixie-75/76 connection (accepted with `allowDrafts`): the engine to run instead of RFC 6455. */
  legacy?: { draft: LegacyDraft; keys?: LegacyKeys };
}

const utf8 = new TextEncoder();

/** Internal constructor token for server-side sockets (runtime hooks only). */
export const ACCEPT: unique symbol = Symbol("omnisocket.accept");
const DEFAULT_CLOSE_TIMEOUT = 30_000;

function invalidState(message: string): DOMException {
  return new DOMException(message, "InvalidStateError");
}

export class WebSocket extends WebSocketHandlers {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  declare readonly CONNECTING: 0;
  declare readonly OPEN: 1;
  declare readonly CLOSING: 2;
  declare readonly CLOSED: 3;

  #version = "hybi-13";

  #url: string;
  #readyState: number = ReadyState.CONNECTING;
  #protocol = "";
  #extensions = "";
  #binaryType: BinaryType = "blob";
  #options: WebSocketOptions;
  #connection: Connection | null = null;
  #discarded = 0;
  #pings = new Map<string, (() => void)[]>();
  #sendQueue: Promise<void> | null = null;
  #origin: string;
  /** Client: aborts the handshake when close() comes first. */
  #connecting: AbortController | null = null;
  /** Client: status code and headers of the handshake response. */
  statusCode: number | undefined;
  headers: Record<string, string> = {};

  constructor(url: string | URL, protocols?: string | string[], options?: WebSocketOptions);
  constructor(token: typeof ACCEPT, accepted: AcceptedSocket, options?: WebSocketOptions);
  constructor(url: string | URL | typeof ACCEPT, second?: string | string[] | AcceptedSocket, options: WebSocketOptions = {}) {
    super();
    this.#options = options;
    if (options.binaryType) this.binaryType = options.binaryType;
    if (url === ACCEPT) {
      const accepted = second as AcceptedSocket;
      this.#url = accepted.url;
      this.#origin = new URL(accepted.url).origin;
      this.#protocol = accepted.protocol;
      this.#extensions = accepted.extensionsHeader;
      this.headers = accepted.headers;
      if (accepted.version) this.#version = accepted.version;
      if (accepted.error) {
        const error = accepted.error;
        queueMicrotask(() => this.#finishClose({ code: 1006, reason: "", wasClean: false }, true, error));
      } else {
        this.#startServer(accepted);
      }
      return;
    }
    // WHATWG "new WebSocket(url, protocols)" steps 1-7: SyntaxError on a bad
    // URL, scheme, fragment or protocol list.
    const parsed = parseWebSocketUrl(url);
    const list = validateProtocols(second as string | string[] | undefined);
    this.#url = parsed.href;
    this.#origin = parsed.origin;
    if (options.protocolVersion === 8) this.#version = "hybi-8";
    this.#connecting = new AbortController();
    const extensions = clientExtensions(options); // throws on bad options, synchronously
    openClient(parsed, list, options, this.#connecting.signal, extensions).then(
      (result) => this.#clientOpened(result),
      (err: unknown) => this.#clientFailed(err),
    );
  }

  /** Wraps a socket whose upgrade a runtime hook already answered. */
  static accept(accepted: AcceptedSocket, options?: WebSocketOptions): WebSocket {
    return new this(ACCEPT, accepted, options);
  }

  /** faye: the protocol version spoken ("hybi-13", "hybi-8", "hixie-75", "hixie-76"). */
  get version(): string { return this.#version; }
  get url(): string { return this.#url; }
  get readyState(): number { return this.#readyState; }
  get protocol(): string { return this.#protocol; }
  get extensions(): string { return this.#extensions; }
  get bufferedAmount(): number {
    return this.#discarded + (this.#connection?.bufferedAmount ?? 0);
  }
  get binaryType(): BinaryType { return this.#binaryType; }
  set binaryType(type: BinaryType) {
    // WHATWG: unknown values are ignored; ours also knows a few more.
    if (binaryConverter(type)) this.#binaryType = type;
  }

  /** WHATWG send(): string as text; ArrayBuffer, views and Blob as binary. */
  send(data: string | ArrayBufferLike | ArrayBufferView | Blob, options?: { compress?: boolean }): void {
    if (this.#readyState === ReadyState.CONNECTING) throw invalidState("Still in CONNECTING state.");
    // hixie-75/76 have text frames only: binary data is refused here, before
    // anything is queued (a Blob's bytes would otherwise fail later, unseen).
    if (this.#version.startsWith("hixie-") && typeof data !== "string" && isBinaryData(data)) {
      throw new WebSocketError("WS_ERR_LEGACY_BINARY", `${this.#version} has no binary messages; send text`);
    }
    if (typeof Blob !== "undefined" && data instanceof Blob) {
      // A Blob's bytes come later; everything sent after it waits its turn.
      const bytes = data.arrayBuffer();
      this.#enqueue(() => bytes.then((b) => this.#sendNow(new Uint8Array(b), false, data.size, options)));
      return;
    }
    let text = false;
    let payload: Uint8Array | string;
    if (typeof data === "string") {
      text = true;
      payload = data;
    } else if (ArrayBuffer.isView(data)) {
      payload = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } else if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && data instanceof SharedArrayBuffer)) {
      payload = new Uint8Array(data);
    } else {
      payload = String(data);
      text = true;
    }
    if (this.#sendQueue) this.#enqueue(() => this.#sendNow(payload, text, 0, options));
    else this.#sendNow(payload, text, 0, options);
  }

  /** WHATWG close(code, reason). */
  close(code?: number, reason?: string): void {
    if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
      throw new DOMException(`The close code must be 1000 or in 3000-4999; got ${code}.`, "InvalidAccessError");
    }
    if (reason !== undefined && utf8.encode(reason).length > 123) {
      throw new DOMException("The close reason must be 123 bytes of UTF-8 or less.", "SyntaxError");
    }
    this.#close(code, reason ?? "");
  }

  /** faye: sends a ping; `callback` runs when the matching pong arrives. False when not open. */
  ping(data: string | Uint8Array = "", callback?: () => void): boolean {
    // The engine may have closed already while its last events are still
    // being dispatched (readyState still OPEN): nothing can be sent then.
    if (this.#readyState !== ReadyState.OPEN || this.#connection?.protocol.state !== ReadyState.OPEN) return false;
    // hixie-75/76 have no ping frames (faye's driver answers false too).
    if (!this.#connection.protocol.canPing) return false;
    const bytes = typeof data === "string" ? utf8.encode(data) : data;
    if (bytes.length > 125) throw new RangeError("A ping payload is at most 125 bytes.");
    if (callback) {
      const key = keyOf(bytes);
      const list = this.#pings.get(key);
      if (list) list.push(callback);
      else this.#pings.set(key, [callback]);
    }
    this.#connection.protocol.sendPing(bytes);
    this.#connection.flush();
    return true;
  }

  /** Sends a pong (unsolicited pongs are allowed as heartbeats, RFC 6455 section 5.5.3). */
  pong(data: string | Uint8Array = ""): boolean {
    if (this.#readyState !== ReadyState.OPEN || this.#connection?.protocol.state !== ReadyState.OPEN) return false;
    if (!this.#connection.protocol.canPing) return false;
    this.#connection.protocol.sendPong(typeof data === "string" ? utf8.encode(data) : data);
    this.#connection.flush();
    return true;
  }

  /** Drops the TCP connection at once, with no closing handshake. */
  terminate(): void {
    if (this.#connection) this.#connection.destroy();
    else if (this.#readyState !== ReadyState.CLOSED) this.#close(undefined, "");
  }

  // ------------------------------------------------------------ internals --

  #enqueue(step: () => void | Promise<void>): void {
    const prev = this.#sendQueue ?? Promise.resolve();
    const next = prev.then(step).catch((err: unknown) => {
      queueMicrotask(() => { throw err; });
    });
    this.#sendQueue = next;
    next.then(() => { if (this.#sendQueue === next) this.#sendQueue = null; });
  }

  #sendNow(payload: Uint8Array | string, text: boolean, size: number, options?: { compress?: boolean }): void {
    const connection = this.#connection;
    if (this.#readyState !== ReadyState.OPEN || !connection || connection.protocol.state !== ReadyState.OPEN) {
      // WHATWG: data sent after closing still counts in bufferedAmount.
      this.#discarded += size || (typeof payload === "string" ? utf8.encode(payload).length : payload.length);
      return;
    }
    if (text) {
      // The string goes straight into its frame; the engine says how many bytes it made.
      connection.countSent(connection.protocol.sendText(payload as string, options));
    } else {
      connection.countSent((payload as Uint8Array).length);
      connection.protocol.sendBinary(payload as Uint8Array, options);
    }
    connection.flush();
  }

  #close(code: number | undefined, reason: string): void {
    const state = this.#readyState;
    if (state === ReadyState.CLOSING || state === ReadyState.CLOSED) return;
    this.#readyState = ReadyState.CLOSING;
    const connection = this.#connection;
    if (!connection) {
      // WHATWG close() step 2: not yet established -> fail the WebSocket
      // connection (the handshake rejects; error and close 1006 follow).
      this.#connecting?.abort();
      return;
    }
    if (connection.protocol.state === ReadyState.OPEN) {
      connection.protocol.sendClose(code, reason);
      connection.flush();
    }
  }

  #startServer(accepted: AcceptedSocket): void {
    // A hixie-75/76 client (accepted with allowDrafts) gets the draft engine;
    // for -76 it answers the 8-byte key body when it arrives, holding sends until then.
    const protocol: WireProtocol = accepted.legacy
      ? new LegacyProtocol({ ...accepted.legacy, maxLength: this.#options.maxLength })
      : new Protocol({
        role: "server",
        maxLength: this.#options.maxLength,
        maxFragments: this.#options.maxFragments,
        extensions: accepted.extensions,
        onWake: () => this.#connection?.flush(),
      });
    this.#connection = this.#makeConnection(protocol, accepted.socket);
    // The open event fires after the constructor returns, so listeners added
    // right after construction see it; bytes that came with the request follow.
    queueMicrotask(() => {
      if (this.#readyState === ReadyState.CONNECTING) {
        this.#readyState = ReadyState.OPEN;
        this.dispatchEvent(new Event("open"));
      }
      this.#connection!.start(accepted.head);
    });
  }

  #clientOpened(result: ClientResult): void {
    this.#connecting = null;
    this.statusCode = result.statusCode;
    this.headers = result.headers;
    if (this.#readyState !== ReadyState.CONNECTING) {
      // close() was called during the handshake: fail the connection.
      result.socket.destroy();
      this.#finishClose({ code: 1006, reason: "", wasClean: false }, true);
      return;
    }
    this.#protocol = result.protocol;
    this.#extensions = result.extensionsHeader;
    const protocol = new Protocol({
      role: "client",
      maxLength: this.#options.maxLength,
      maxFragments: this.#options.maxFragments,
      extensions: result.extensions,
      random: this.#options.random,
      onWake: () => this.#connection?.flush(),
    });
    this.#connection = this.#makeConnection(protocol, result.socket);
    this.#readyState = ReadyState.OPEN;
    this.dispatchEvent(new Event("open"));
    this.#connection.start(result.leftover);
  }

  #clientFailed(err: unknown): void {
    this.#connecting = null;
    const e = err as { statusCode?: number; headers?: Record<string, string> };
    if (e?.statusCode !== undefined) this.statusCode = e.statusCode;
    if (e?.headers) this.headers = e.headers;
    this.#finishClose({ code: 1006, reason: "", wasClean: false }, true, err);
  }

  #makeConnection(protocol: WireProtocol, socket: ByteSocket): Connection {
    return new Connection(protocol, socket, {
      handleEvent: (event) => this.#handleEvent(event),
      handleClosed: (info, error) => this.#finishClose(info, error !== null || !info.wasClean && info.code === 1006, error),
    }, {
      closeTimeout: this.#options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT,
      ping: this.#options.ping ?? 0,
    });
  }

  #handleEvent(event: ProtocolEvent): void {
    switch (event.type) {
      case "text":
      case "binary": {
        // WHATWG: messages are delivered only while OPEN.
        if (this.#readyState !== ReadyState.OPEN) return;
        const data = event.type === "text" ? event.data : binaryConverter(this.#binaryType)!(event.data);
        this.dispatchEvent(new MessageEvent("message", { data, origin: this.#origin }));
        return;
      }
      case "ping":
        this.dispatchEvent(Object.assign(new Event("ping"), { data: event.data }));
        return;
      case "pong": {
        const key = keyOf(event.data);
        const waiting = this.#pings.get(key);
        if (waiting) {
          this.#pings.delete(key);
          for (const cb of waiting) cb();
        }
        this.dispatchEvent(Object.assign(new Event("pong"), { data: event.data }));
        return;
      }
      case "close":
        // The peer started or answered the closing handshake.
        if (this.#readyState === ReadyState.OPEN) this.#readyState = ReadyState.CLOSING;
        return;
      case "error":
        return; // reported with the close, below
    }
  }

  #finishClose(info: CloseInfo, failed: boolean, error?: unknown): void {
    if (this.#readyState === ReadyState.CLOSED) return;
    this.#readyState = ReadyState.CLOSED;
    this.#pings.clear();
    // WHATWG "the WebSocket connection is closed": error first if it failed.
    if (failed) {
      const message = (error as Error | undefined)?.message ?? "WebSocket connection failed";
      this.dispatchEvent(new ErrorEvent("error", { message, error }));
    }
    this.dispatchEvent(new CloseEvent("close", { wasClean: info.wasClean, code: info.code, reason: info.reason }));
  }
}

for (const [name, value] of [["CONNECTING", 0], ["OPEN", 1], ["CLOSING", 2], ["CLOSED", 3]] as const) {
  Object.defineProperty(WebSocket.prototype, name, { value, enumerable: true });
}

function isBinaryData(data: unknown): boolean {
  return (typeof Blob !== "undefined" && data instanceof Blob) || ArrayBuffer.isView(data) || data instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== "undefined" && data instanceof SharedArrayBuffer);
}

function keyOf(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

export { isValidCloseCode };
export type { WebSocketError };
