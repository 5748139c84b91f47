/**
 * Our WebSocket API over a runtime's own server socket, for the servers
 * that never hand over raw bytes (Deno.serve, Bun.serve): the runtime runs
 * the protocol, this class gives its socket the same face as ours.
 *
 *   runtime adapter --HostEvents (opened/message/ping/pong/closed)--> HostedWebSocket
 *   HostedWebSocket --HostSocket (sendText/sendBinary/close/ping...)--> runtime socket
 *                                         |
 *          open / message / ping / pong / error / close  (one EventTarget dispatch path)
 *
 * What the runtime cannot do is refused loudly: ping()/pong() throw a
 * TypeError when the runtime neither sends pings nor reports pongs.
 */
import { ReadyState } from "../../core/websocket/protocol.ts";
import { binaryConverter, type BinaryType } from "./binary.ts";
import { CloseEvent, ErrorEvent, MessageEvent } from "../events/events.ts";
import { WebSocketHandlers } from "../events/dual-event-target.ts";

/** What a runtime's server socket does on our behalf. */
export interface HostSocket {
  sendText(data: string): void;
  sendBinary(data: Uint8Array): void;
  /** Starts the closing handshake (RFC 6455 section 7.1.2). */
  close(code: number | undefined, reason: string): void;
  /** Drops the connection without a closing handshake, as far as the runtime allows. */
  terminate(): void;
  /** Present only when the runtime can send pings and report their pongs. */
  ping?(data: Uint8Array): void;
  pong?(data: Uint8Array): void;
  /** Bytes queued by the runtime (and the adapter) but not yet sent. */
  readonly bufferedAmount: number;
}

/** What the runtime adapter reports, in order. */
export interface HostEvents {
  /** The 101 went out: from now on `host` carries the connection. */
  opened(host: HostSocket): void;
  message(data: string | Uint8Array): void;
  ping(data: Uint8Array): void;
  pong(data: Uint8Array): void;
  /** The connection is gone (RFC 6455 section 7.1.4); `error` when it failed. */
  closed(code: number, reason: string, wasClean: boolean, error?: unknown): void;
}

export interface HostedInit {
  /** ws:// or wss:// URL of the request. */
  url: string;
  protocol: string;
  extensions: string;
  /** Request headers, lower-cased names. */
  headers: Record<string, string>;
  /** The runtime API behind it, for error messages ("Deno.upgradeWebSocket"). */
  hostName: string;
  /** False when the runtime gives no access to ping and pong frames. */
  pings: boolean;
  binaryType?: BinaryType;
}

function invalidState(message: string): DOMException {
  return new DOMException(message, "InvalidStateError");
}

function keyOf(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

export class HostedWebSocket extends WebSocketHandlers {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  declare readonly CONNECTING: 0;
  declare readonly OPEN: 1;
  declare readonly CLOSING: 2;
  declare readonly CLOSED: 3;

  /** faye: the protocol version spoken. */
  readonly version = "hybi-13";
  /** Server side: no handshake response status. */
  readonly statusCode: number | undefined = undefined;
  /** Request headers, lower-cased names. */
  readonly headers: Record<string, string>;

  readonly #init: HostedInit;
  readonly #origin: string;
  #host: HostSocket | null = null;
  #readyState: number = ReadyState.CONNECTING;
  #binaryType: BinaryType = "blob";
  #discarded = 0;
  #pendingClose: { code: number | undefined; reason: string } | null = null;
  #pings = new Map<string, (() => void)[]>();
  #sendQueue: Promise<void> | null = null;

  /** For runtime adapters: a socket in CONNECTING, and the sink its runtime reports into. */
  static create(init: HostedInit): { socket: HostedWebSocket; events: HostEvents } {
    const socket = new HostedWebSocket(init);
    return { socket, events: socket.#events() };
  }

  private constructor(init: HostedInit) {
    super();
    this.#init = init;
    this.headers = init.headers;
    this.#origin = new URL(init.url).origin;
    if (init.binaryType) this.binaryType = init.binaryType;
  }

  get url(): string { return this.#init.url; }
  get readyState(): number { return this.#readyState; }
  get protocol(): string { return this.#init.protocol; }
  get extensions(): string { return this.#init.extensions; }
  get bufferedAmount(): number { return this.#discarded + (this.#host?.bufferedAmount ?? 0); }
  get binaryType(): BinaryType { return this.#binaryType; }
  set binaryType(type: BinaryType) {
    // WHATWG: unknown values are ignored.
    if (binaryConverter(type)) this.#binaryType = type;
  }

  /** WHATWG send(): string as text; ArrayBuffer, views and Blob as binary. */
  send(data: string | ArrayBufferLike | ArrayBufferView | Blob): void {
    if (this.#readyState === ReadyState.CONNECTING) throw invalidState("Still in CONNECTING state.");
    if (typeof Blob !== "undefined" && data instanceof Blob) {
      // A Blob's bytes come later; everything sent after it waits its turn.
      const bytes = data.arrayBuffer();
      this.#enqueue(() => bytes.then((b) => this.#sendNow(new Uint8Array(b), false)));
      return;
    }
    let payload: string | Uint8Array;
    let text = false;
    if (typeof data === "string") {
      payload = data;
      text = true;
    } else if (ArrayBuffer.isView(data)) {
      payload = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } else if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && data instanceof SharedArrayBuffer)) {
      payload = new Uint8Array(data);
    } else {
      payload = String(data);
      text = true;
    }
    if (this.#sendQueue) this.#enqueue(() => this.#sendNow(payload, text));
    else this.#sendNow(payload, text);
  }

  /** WHATWG close(code, reason). */
  close(code?: number, reason?: string): void {
    if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
      throw new DOMException(`The close code must be 1000 or in 3000-4999; got ${code}.`, "InvalidAccessError");
    }
    if (reason !== undefined && new TextEncoder().encode(reason).length > 123) {
      throw new DOMException("The close reason must be 123 bytes of UTF-8 or less.", "SyntaxError");
    }
    const state = this.#readyState;
    if (state === ReadyState.CLOSING || state === ReadyState.CLOSED) return;
    this.#readyState = ReadyState.CLOSING;
    if (this.#host) this.#host.close(code, reason ?? "");
    else this.#pendingClose = { code, reason: reason ?? "" }; // sent as soon as the 101 is out
  }

  /** faye: sends a ping; `callback` runs when the matching pong arrives. False when not open. */
  ping(data: string | Uint8Array = "", callback?: () => void): boolean {
    this.#requirePings(callback ? "ping(data, callback)" : "ping()");
    const host = this.#host;
    if (this.#readyState !== ReadyState.OPEN || !host?.ping) return false;
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    if (bytes.length > 125) throw new RangeError("A ping payload is at most 125 bytes.");
    if (callback) {
      const key = keyOf(bytes);
      const list = this.#pings.get(key);
      if (list) list.push(callback);
      else this.#pings.set(key, [callback]);
    }
    host.ping(bytes);
    return true;
  }

  /** Sends an unsolicited pong (RFC 6455 section 5.5.3). */
  pong(data: string | Uint8Array = ""): boolean {
    this.#requirePings("pong()");
    const host = this.#host;
    if (this.#readyState !== ReadyState.OPEN || !host?.pong) return false;
    host.pong(typeof data === "string" ? new TextEncoder().encode(data) : data);
    return true;
  }

  /** Drops the connection without a closing handshake; the close event (1006) follows. */
  terminate(): void {
    if (this.#readyState === ReadyState.CLOSED) return;
    const host = this.#host;
    if (host) host.terminate();
    else this.#pendingClose = { code: undefined, reason: "" };
    this.#closed(1006, "", false);
  }

  // ------------------------------------------------------------ internals --

  #requirePings(what: string): void {
    if (this.#init.pings) return;
    throw new TypeError(
      `${what} is not available on sockets from ${this.#init.hostName}: the runtime sends its own pings and ` +
        "never reports pongs. Use the standalone server of this runtime's entry (listen()) or its node:http upgrade hook for ping/pong.",
    );
  }

  #enqueue(step: () => void | Promise<void>): void {
    const prev = this.#sendQueue ?? Promise.resolve();
    const next = prev.then(step).catch((err: unknown) => {
      queueMicrotask(() => { throw err; });
    });
    this.#sendQueue = next;
    next.then(() => { if (this.#sendQueue === next) this.#sendQueue = null; });
  }

  #sendNow(payload: string | Uint8Array, text: boolean): void {
    const host = this.#host;
    if (this.#readyState !== ReadyState.OPEN || !host) {
      // WHATWG: data sent after closing still counts in bufferedAmount.
      this.#discarded += typeof payload === "string" ? new TextEncoder().encode(payload).length : payload.length;
      return;
    }
    if (text) host.sendText(payload as string);
    else host.sendBinary(payload as Uint8Array);
  }

  #closed(code: number, reason: string, wasClean: boolean, error?: unknown): void {
    if (this.#readyState === ReadyState.CLOSED) return;
    this.#readyState = ReadyState.CLOSED;
    this.#pings.clear();
    // WHATWG "the WebSocket connection is closed": error first if it failed.
    if (error !== undefined || (!wasClean && code === 1006)) {
      const message = (error as Error | undefined)?.message ?? "WebSocket connection failed";
      this.dispatchEvent(new ErrorEvent("error", { message, error }));
    }
    this.dispatchEvent(new CloseEvent("close", { wasClean, code, reason }));
  }

  #events(): HostEvents {
    return {
      opened: (host) => {
        if (this.#readyState === ReadyState.CLOSED) {
          host.terminate(); // terminated before the runtime opened it
          return;
        }
        this.#host = host;
        const pending = this.#pendingClose;
        if (pending) {
          this.#pendingClose = null;
          host.close(pending.code, pending.reason);
          return;
        }
        this.#readyState = ReadyState.OPEN;
        this.dispatchEvent(new Event("open"));
      },
      message: (data) => {
        // WHATWG: messages are delivered only while OPEN.
        if (this.#readyState !== ReadyState.OPEN) return;
        const value = typeof data === "string" ? data : binaryConverter(this.#binaryType)!(data);
        this.dispatchEvent(new MessageEvent("message", { data: value, origin: this.#origin }));
      },
      ping: (data) => {
        if (this.#readyState === ReadyState.CLOSED) return;
        this.dispatchEvent(Object.assign(new Event("ping"), { data }));
      },
      pong: (data) => {
        if (this.#readyState === ReadyState.CLOSED) return;
        const key = keyOf(data);
        const waiting = this.#pings.get(key);
        if (waiting) {
          this.#pings.delete(key);
          for (const cb of waiting) cb();
        }
        this.dispatchEvent(Object.assign(new Event("pong"), { data }));
      },
      closed: (code, reason, wasClean, error) => this.#closed(code, reason, wasClean, error),
    };
  }
}

for (const [name, value] of [["CONNECTING", 0], ["OPEN", 1], ["CLOSING", 2], ["CLOSED", 3]] as const) {
  Object.defineProperty(HostedWebSocket.prototype, name, { value, enumerable: true });
}

/**
 * Throws a TypeError for every option in `options` that `host` cannot
 * honour: a runtime-run socket must not silently ignore a limit or an
 * extension the caller asked for. `why` explains the known ones.
 */
export function refuseUnsupportedOptions(
  options: object,
  supported: readonly string[],
  host: string,
  why: Readonly<Record<string, string>> = {},
): void {
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || supported.includes(key)) continue;
    const reason = why[key] ?? "it is not an option of this server integration";
    throw new TypeError(`The option "${key}" cannot be honoured by ${host}: ${reason}. Supported here: ${supported.join(", ")}.`);
  }
}
