/**
 * The server end of one event stream, whatever carries its bytes: the API of
 * faye-websocket's `EventSource` (send, ping, close, url, lastEventId,
 * readyState, open/close events, on/off/once) on top of the core encoder.
 *
 *   send(data, {event, id}) --encodeEvent()--\
 *   ping()                  --encodeComment()-+--> transport.write(bytes)
 *   retry (preamble)        --encodeRetry()--/         |
 *                                                       v
 *   close() --> transport.end()        node:http response | ReadableStream
 *   client gone --> transportClosed() --> readyState CLOSED, "close" event
 *
 * Subclasses move the bytes (`EventSourceServer` for node:http,
 * `EventSourceStream` for fetch-style handlers); everything the two share
 * lives here, on web types only. `retry` and `ping` are in seconds, as in
 * faye-websocket.
 */
import { encodeComment, encodeEvent, encodeRetry } from "../../core/sse/encoder.ts";
import { DualEventTarget } from "../events/dual-event-target.ts";

/** Options every server-side event stream takes (faye-websocket's EventSource options). */
export interface EventSourceSessionOptions {
  /** Extra response headers (they may replace the defaults). */
  headers?: Record<string, string>;
  /** Seconds the client waits before reconnecting (sent first). Default 5. */
  retry?: number;
  /** Seconds between keep-alive comments; 0 turns them off. Default 10. */
  ping?: number;
}

/** The second argument of `send(data, options)` on a server-side event stream. */
export interface EventSourceSendOptions {
  /** Event type; the client dispatches "message" when absent. */
  event?: string;
  /** Event ID, reported back as `Last-Event-ID` when the client reconnects. */
  id?: string;
}

export const DEFAULT_RETRY = 5;
export const DEFAULT_PING = 10;

/** Response headers every event stream starts with. */
export const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache, no-store",
};

/** True for a GET whose `Accept` lists `text/event-stream` (faye's test, parameters allowed). */
export function acceptsEventStream(method: string | undefined, accept: string | null | undefined): boolean {
  if (method !== "GET" || !accept) return false;
  return accept.split(",").some((item) => item.split(";")[0]!.trim().toLowerCase() === "text/event-stream");
}

/**
 * `Last-Event-ID` as text. The client sends the ID "encoded as UTF-8"
 * (WHATWG 9.2.3, reestablish the connection, step 6.3) and HTTP stacks hand
 * header bytes over as Latin-1 code points; undo that when the bytes are
 * UTF-8. Some clients (undici, the `eventsource` package) send an ID of
 * Latin-1 characters as Latin-1 bytes: bytes that are not UTF-8 stay as
 * they came.
 */
export function decodeLastEventId(value: string | null | undefined): string {
  if (!value) return "";
  let ascii = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0xff) return value; // already decoded by the runtime
    if (c > 0x7f) ascii = false;
  }
  if (ascii) return value;
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return value;
  }
}

/**
 * The server end of one event stream, whatever carries its bytes: what
 * `EventSourceServer` (node:http) and `EventSourceStream` (fetch-style
 * servers) share. faye-websocket's API: send, ping, close, readyState,
 * open/close events, on/off/once.
 */
export abstract class EventSourceSession extends DualEventTarget {
  /** readyState: the stream has not started yet. */
  static readonly CONNECTING = 0;
  /** readyState: events can be sent. */
  static readonly OPEN = 1;
  /** readyState: unused; kept for faye's numbering (a stream goes from OPEN to CLOSED). */
  static readonly CLOSING = 2;
  /** readyState: the stream has ended; send() returns false. */
  static readonly CLOSED = 3;
  /** readyState: the stream has not started yet. */
  readonly CONNECTING = 0;
  /** readyState: events can be sent. */
  readonly OPEN = 1;
  /** readyState: unused; kept for faye's numbering (a stream goes from OPEN to CLOSED). */
  readonly CLOSING = 2;
  /** readyState: the stream has ended; send() returns false. */
  readonly CLOSED = 3;

  /** The URL the client asked for. */
  abstract readonly url: string;
  /** The `Last-Event-ID` the client sent ("" when none): where to resume. */
  abstract readonly lastEventId: string;
  /** Bytes written but not yet taken by the client's connection. */
  abstract readonly bufferedAmount: number;

  #readyState: number = EventSourceSession.CONNECTING;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  /** Seconds the client waits before reconnecting (`options.retry`). */
  protected readonly retry: number;
  /** Seconds between keep-alive comments, 0 for none (`options.ping`). */
  protected readonly pingInterval: number;

  /** Checks `retry` and `ping` (a TypeError when negative or not numbers); the subclass then calls start(). */
  constructor(options: EventSourceSessionOptions = {}) {
    super();
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.pingInterval = options.ping ?? DEFAULT_PING;
    if (!(this.retry >= 0)) throw new TypeError(`retry must be a non-negative number of seconds, got ${options.retry}`);
    if (!(this.pingInterval >= 0)) throw new TypeError(`ping must be a non-negative number of seconds, got ${options.ping}`);
  }

  /** CONNECTING until the stream has started, OPEN, then CLOSED (3, as faye). */
  get readyState(): number {
    return this.#readyState;
  }

  /** Write bytes to the client; false means "buffered, slow down" or "dropped" (see subclass). */
  protected abstract writeBytes(bytes: Uint8Array): boolean;
  /** Finish the response after what was written. */
  protected abstract endTransport(): void;

  /** Subclasses call this once the response is under way: sends `retry`, starts the pings, and fires "open" in a microtask. */
  protected start(): void {
    this.writeBytes(encodeRetry(Math.floor(this.retry * 1000)));
    if (this.pingInterval > 0) {
      this.#pingTimer = setInterval(() => this.ping(), this.pingInterval * 1000);
    }
    queueMicrotask(() => {
      if (this.#readyState !== EventSourceSession.CONNECTING) return;
      this.#readyState = EventSourceSession.OPEN;
      this.dispatchEvent(new Event("open"));
    });
  }

  /**
   * Send one event. Multi-line data becomes several `data:` lines; a CR or
   * LF in `event` or `id` (or NUL in `id`) throws a TypeError. Returns false
   * once closed, otherwise what the transport says.
   */
  send(data: unknown, options: EventSourceSendOptions = {}): boolean {
    const bytes = encodeEvent({ data: String(data), event: options.event, id: options.id });
    if (this.#readyState > EventSourceSession.OPEN) return false;
    return this.writeBytes(bytes);
  }

  /** A comment line the client ignores: keeps proxies from timing out. */
  ping(comment = ""): boolean {
    if (this.#readyState > EventSourceSession.OPEN) return false;
    return this.writeBytes(encodeComment(comment));
  }

  /** faye's stream alias of `send(message)`. */
  write(message: unknown): boolean {
    return this.send(message);
  }

  /** faye's stream `end`: send a last message if given, then close. */
  end(message?: unknown): void {
    if (message !== undefined) this.send(message);
    this.close();
  }

  /** End the stream after what was sent; the client will reconnect unless told not to. */
  close(): boolean {
    return this.#finish(true);
  }

  /** Subclasses call this when the client went away. */
  protected transportClosed(): void {
    this.#finish(false);
  }

  #finish(endTransport: boolean): boolean {
    if (this.#readyState > EventSourceSession.OPEN) return false;
    this.#readyState = EventSourceSession.CLOSED;
    if (this.#pingTimer !== undefined) clearInterval(this.#pingTimer);
    this.#pingTimer = undefined;
    if (endTransport) this.endTransport();
    this.dispatchEvent(new Event("close"));
    return true;
  }

  // faye-style on/off/once come from DualEventTarget: one dispatch path.

  /** The `open` event handler: the stream has started. */
  get onopen(): ((event: Event) => void) | null {
    return this.getSlot("open");
  }
  set onopen(fn: ((event: Event) => void) | null) {
    this.setSlot("open", fn);
  }
  /** The `close` event handler: the stream ended (close(), or the client went away). */
  get onclose(): ((event: Event) => void) | null {
    return this.getSlot("close");
  }
  set onclose(fn: ((event: Event) => void) | null) {
    this.setSlot("close", fn);
  }
}
