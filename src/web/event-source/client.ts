/**
 * The WHATWG `EventSource` client (HTML section 9.2 "Server-sent events"),
 * built on `fetch`, for Node, Deno and Bun.
 *
 *   new EventSource(url) --fetch--> response --status 200 + text/event-stream?--no--> fail
 *        ^                              | yes: announce (OPEN, "open")
 *        |                              v
 *        |              body bytes --> SseParser --> MessageEvent(s), retry
 *        |                              | end of body / network error
 *        +--- wait reconnection time <--+ reestablish (CONNECTING, "error")
 *             (Last-Event-ID: last event ID string)
 *
 * Beyond the browser's: `headers` (sent on every request), `fetch` (any
 * fetch-compatible function, e.g. undici's with a dispatcher), `retry`
 * (the initial reconnection time, in milliseconds, until the server sends
 * one) and `maxEventSize` (the parser's limit; an event past it fails the
 * connection). The last event ID carries over a reconnection, as browsers
 * do: events of the new stream without an `id` report the ID resumed from.
 */
import { SseError, SseParser, type SseParserEvent } from "../../core/sse/parser.ts";
import { HandlerSlots } from "../events/dual-event-target.ts";

/** What the client needs of a fetch response. */
export interface EventSourceFetchResponse {
  /** The HTTP status; anything but 200 fails the connection (SSE_ERR_STATUS). */
  readonly status: number;
  /** The URL after redirects, whose origin the MessageEvents carry ("" for the request's). */
  readonly url: string;
  /** The response headers; the client reads `Content-Type`. */
  readonly headers: { get(name: string): string | null };
  /** The event stream; null reads as an empty one (the client reconnects). */
  readonly body: ReadableStream<Uint8Array> | null;
}

/** A fetch-compatible function (`globalThis.fetch`, undici's with a dispatcher, a test double). */
export type EventSourceFetch = (url: string, init: RequestInit) => Promise<EventSourceFetchResponse>;

/** The second argument of `new EventSource(url, init)`: WHATWG's `withCredentials`, and our additions. */
export interface EventSourceInit {
  /** Send credentials (cookies) cross-origin: fetch `credentials: "include"`. */
  withCredentials?: boolean;
  /** Extra request headers, sent on the first request and every reconnection. */
  headers?: HeadersInit;
  /** The fetch to use; default `globalThis.fetch`. */
  fetch?: EventSourceFetch;
  /** Initial reconnection time in milliseconds (default 3000); the server's `retry` replaces it. */
  retry?: number;
  /** Largest event in bytes; default 2^26 - 1. */
  maxEventSize?: number;
}

/**
 * The `error` event, with why (browsers fire a bare Event; this one says
 * more): `error` is an SseError (a WebSocketError) whose `code` is
 * SSE_ERR_STATUS, SSE_ERR_CONTENT_TYPE, SSE_ERR_EVENT_TOO_LARGE or
 * SSE_ERR_CONNECTION (its `cause` the network error, if any).
 */
export class EventSourceErrorEvent extends Event {
  /** Why the connection failed or was lost, in words. */
  readonly message: string;
  /** The response status when the connection failed on it, else 0. */
  readonly status: number;
  /** The failure as an SseError with a stable `code`. */
  readonly error: SseError;
  /**
   * An `error` event. `error`, when not an SseError already, becomes the
   * `cause` of one whose code follows from `status`: 0 SSE_ERR_CONNECTION,
   * 200 SSE_ERR_CONTENT_TYPE, otherwise SSE_ERR_STATUS.
   */
  constructor(message: string, status = 0, error?: unknown) {
    super("error");
    this.message = message;
    this.status = status;
    this.error = error instanceof SseError ? error : new SseError(
      status === 0 ? "SSE_ERR_CONNECTION" : status === 200 ? "SSE_ERR_CONTENT_TYPE" : "SSE_ERR_STATUS",
      message,
      error === undefined ? undefined : { cause: error },
    );
  }
}

type Listener = (event: Event) => void;

/** The events of an EventSource by type, for typed `on`/`once`/`off`. */
export interface EventSourceEventMap {
  /** The stream is open. */
  open: Event;
  /** An event without a type arrived. */
  // deno-lint-ignore no-explicit-any
  message: MessageEvent<any>;
  /** The connection was lost (a reconnection follows) or failed. */
  error: EventSourceErrorEvent;
}

const DEFAULT_RECONNECTION_TIME = 3000;
const MAX_TIMEOUT = 0x7fffffff; // setTimeout's limit

// res's `Content-Type` essence is `text/event-stream` (parameters allowed).
function isEventStream(contentType: string | null): boolean {
  if (!contentType) return false;
  return contentType.split(";")[0]!.trim().toLowerCase() === "text/event-stream";
}

// A header value is a byte sequence: the UTF-8 bytes as Latin-1 code points.
function utf8AsLatin1(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let out = "";
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/**
 * A server-sent events client: the browser's class (WHATWG html section 9.2)
 * on Node, Deno and Bun, over `fetch`, with `headers`, `fetch`, `retry` and
 * `maxEventSize` options and faye-style on/off/once.
 */
export class EventSource extends EventTarget {
  /** readyState: connecting, or waiting to reconnect. */
  static readonly CONNECTING = 0;
  /** readyState: the stream is open and events are dispatched. */
  static readonly OPEN = 1;
  /** readyState: closed by close() or failed; no reconnection follows. */
  static readonly CLOSED = 2;
  /** readyState: connecting, or waiting to reconnect. */
  readonly CONNECTING = 0;
  /** readyState: the stream is open and events are dispatched. */
  readonly OPEN = 1;
  /** readyState: closed by close() or failed; no reconnection follows. */
  readonly CLOSED = 2;

  readonly #url: string;
  readonly #withCredentials: boolean;
  readonly #headers: Headers;
  readonly #fetch: EventSourceFetch;
  readonly #maxEventSize: number | undefined;
  #readyState: number = EventSource.CONNECTING;
  #reconnectionTime: number;
  #lastEventId = "";
  #abort: AbortController | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #slots = new HandlerSlots(this);

  /**
   * Opens a stream to `url` (relative to `location` where there is one) and
   * reconnects when it is lost. Throws a SyntaxError DOMException for a URL
   * that does not parse, a TypeError for bad `headers` or `retry`, or when
   * there is no fetch.
   */
  constructor(url: string | URL, init: EventSourceInit = {}) {
    super();
    // Step 3: "Let urlRecord be the result of encoding-parsing a URL given
    // url, relative to settings. If urlRecord is failure, then throw a
    // "SyntaxError" DOMException."
    const base = (globalThis as { location?: { href: string } }).location?.href;
    let parsed: URL;
    try {
      parsed = new URL(String(url), base);
    } catch {
      throw new DOMException(`invalid EventSource URL: ${String(url)}`, "SyntaxError");
    }
    // Step 4: "Set ev's url to urlRecord."
    this.#url = parsed.href;
    // Step 6: "If the value of eventSourceInitDict's withCredentials member
    // is true, then set corsAttributeState to Use Credentials and set ev's
    // withCredentials attribute to true."
    this.#withCredentials = init.withCredentials === true;
    // Invalid headers throw here, to the caller, not later in a reconnection.
    this.#headers = new Headers(init.headers);
    const fetcher = init.fetch ?? (globalThis.fetch as EventSourceFetch | undefined);
    if (typeof fetcher !== "function") throw new TypeError("EventSource needs a global fetch or the fetch option");
    this.#fetch = fetcher;
    this.#maxEventSize = init.maxEventSize;
    this.#reconnectionTime = init.retry ?? DEFAULT_RECONNECTION_TIME;
    if (!(this.#reconnectionTime >= 0)) throw new TypeError(`retry must be a non-negative number of milliseconds`);
    // Step 14: "Fetch request."
    void this.#connect();
  }

  /** The stream's URL, parsed. */
  get url(): string {
    return this.#url;
  }
  /** True when credentials are sent cross-origin (`init.withCredentials`). */
  get withCredentials(): boolean {
    return this.#withCredentials;
  }
  /** CONNECTING (0), OPEN (1) or CLOSED (2). */
  get readyState(): number {
    return this.#readyState;
  }

  /** "abort any instances of the fetch algorithm started for this EventSource
   * object, and set the readyState attribute to CLOSED." */
  close(): void {
    this.#readyState = EventSource.CLOSED;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort?.abort();
    this.#abort = null;
  }

  /** The `open` event handler. */
  get onopen(): ((event: Event) => void) | null {
    return this.#slots.get("open");
  }
  set onopen(fn: ((event: Event) => void) | null) {
    this.#slots.set("open", fn);
  }
  /** The `message` event handler. */
  get onmessage(): ((event: MessageEvent) => void) | null {
    return this.#slots.get("message");
  }
  set onmessage(fn: ((event: MessageEvent) => void) | null) {
    this.#slots.set("message", fn);
  }
  /** The `error` event handler. */
  get onerror(): ((event: EventSourceErrorEvent) => void) | null {
    return this.#slots.get("error");
  }
  set onerror(fn: ((event: EventSourceErrorEvent) => void) | null) {
    this.#slots.set("error", fn);
  }

  /** faye style: addEventListener, typed by event name. Named events of the stream are MessageEvents too. */
  on<K extends keyof EventSourceEventMap>(type: K, listener: (event: EventSourceEventMap[K]) => void): this;
  /** Adds `listener` for a named event of the stream (a MessageEvent). */
  on(type: string, listener: (event: MessageEvent) => void): this;
  on(type: string, listener: (event: never) => void): this {
    this.addEventListener(type, listener as Listener);
    return this;
  }

  /** A listener that runs once. */
  once<K extends keyof EventSourceEventMap>(type: K, listener: (event: EventSourceEventMap[K]) => void): this;
  /** Adds a listener for a named event that runs once. */
  once(type: string, listener: (event: MessageEvent) => void): this;
  once(type: string, listener: (event: never) => void): this {
    this.addEventListener(type, listener as Listener, { once: true });
    return this;
  }

  /** Removes a listener added with on/once/addEventListener. */
  off<K extends keyof EventSourceEventMap>(type: K, listener: (event: EventSourceEventMap[K]) => void): this;
  /** Removes a listener for a named event. */
  off(type: string, listener: (event: MessageEvent) => void): this;
  off(type: string, listener: (event: never) => void): this {
    this.removeEventListener(type, listener as Listener);
    return this;
  }

  async #connect(): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    const headers = new Headers(this.#headers);
    // Step 9: "User agents may set (`Accept`, `text/event-stream`) in request's header list."
    headers.set("Accept", "text/event-stream");
    headers.set("Cache-Control", "no-cache");
    // Reestablish step 6.3: "If ev's last event ID string is not the empty
    // string, then set (`Last-Event-ID`, ev's last event ID string, encoded
    // as UTF-8) in request's header list."
    if (this.#lastEventId !== "") headers.set("Last-Event-ID", utf8AsLatin1(this.#lastEventId));

    let response: EventSourceFetchResponse;
    try {
      response = await this.#fetch(this.#url, {
        headers,
        signal: abort.signal,
        // Step 10: "Set request's cache mode to "no-store"."
        cache: "no-store",
        credentials: this.#withCredentials ? "include" : "same-origin",
        mode: "cors",
        redirect: "follow",
      });
    } catch (error) {
      // "If res is an aborted network error, then fail the connection." Only
      // close() aborts, and it already set CLOSED.
      if (abort.signal.aborted) return;
      // "Otherwise, if res is a network error, then reestablish the connection."
      this.#reestablish(error);
      return;
    }
    if (abort.signal.aborted) {
      void response.body?.cancel().catch(() => {});
      return;
    }
    // "Otherwise, if res's status is not 200, or if res's `Content-Type` is
    // not `text/event-stream`, then fail the connection." (204 included.)
    if (response.status !== 200) {
      void response.body?.cancel().catch(() => {});
      this.#failConnection(new EventSourceErrorEvent(`unexpected status ${response.status}`, response.status, new SseError("SSE_ERR_STATUS", `unexpected status ${response.status}`)));
      return;
    }
    const contentType = response.headers.get("content-type");
    if (!isEventStream(contentType)) {
      void response.body?.cancel().catch(() => {});
      const message = `unexpected content type ${JSON.stringify(contentType)}`;
      this.#failConnection(new EventSourceErrorEvent(message, 200, new SseError("SSE_ERR_CONTENT_TYPE", message)));
      return;
    }
    // "Otherwise, announce the connection and interpret res's body line by line."
    this.#announce();
    await this.#interpret(response, abort);
  }

  // "set the readyState attribute to OPEN and fire an event named open"
  #announce(): void {
    if (this.#readyState === EventSource.CLOSED) return;
    this.#readyState = EventSource.OPEN;
    this.dispatchEvent(new Event("open"));
  }

  async #interpret(response: EventSourceFetchResponse, abort: AbortController): Promise<void> {
    const parser = new SseParser({ lastEventId: this.#lastEventId, maxEventSize: this.#maxEventSize });
    // MessageEvent's origin: "the serialization of the origin of the event
    // stream's final URL (i.e., the URL after redirects)".
    const origin = new URL(response.url || this.#url).origin;
    const reader = response.body?.getReader();
    if (reader) {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.receiveData(value);
          if (!this.#deliver(parser.eventsReceived(), origin)) {
            this.#lastEventId = parser.lastEventId;
            abort.abort();
            void reader.cancel().catch(() => {});
            return;
          }
          this.#lastEventId = parser.lastEventId;
        }
      } catch (error) {
        if (abort.signal.aborted) return;
        parser.receiveEof();
        this.#reestablish(error);
        return;
      }
    }
    parser.receiveEof();
    // The body ended: "the user agent must reestablish the connection".
    this.#reestablish(undefined);
  }

  // Returns false when the connection must stop (closed, or failed).
  #deliver(events: SseParserEvent[], origin: string): boolean {
    for (const ev of events) {
      if (this.#readyState === EventSource.CLOSED) return false;
      if (ev.type === "retry") {
        // "set the event stream's reconnection time to that integer"
        this.#reconnectionTime = ev.retry;
      } else if (ev.type === "message") {
        // Dispatch steps 4-5: a MessageEvent with data, origin, lastEventId.
        this.#lastEventId = ev.lastEventId;
        this.dispatchEvent(new MessageEvent(ev.event, { data: ev.data, origin, lastEventId: ev.lastEventId }));
      } else {
        this.#failConnection(new EventSourceErrorEvent(ev.error.message, 200, ev.error));
        return false;
      }
    }
    return this.#readyState !== EventSource.CLOSED;
  }

  // "When a user agent is to reestablish the connection"
  #reestablish(error: unknown): void {
    // Step 1: "If ev's readyState attribute is set to CLOSED, abort these steps."
    if (this.#readyState === EventSource.CLOSED) return;
    // Step 2: "Set ev's readyState attribute to CONNECTING. Fire an event named error at ev."
    this.#readyState = EventSource.CONNECTING;
    this.dispatchEvent(new EventSourceErrorEvent(error ? `connection lost: ${String(error)}` : "stream ended; reconnecting", 0, error));
    if (this.#readyState !== EventSource.CONNECTING) return; // closed by a listener
    // Step 3: "Wait a delay equal to the reconnection time of the event source."
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // Step 6.1: "If ev's readyState attribute is not set to CONNECTING, then return."
      if (this.#readyState !== EventSource.CONNECTING) return;
      void this.#connect();
    }, Math.min(this.#reconnectionTime, MAX_TIMEOUT));
  }

  // "When a user agent is to fail the connection": "if the readyState
  // attribute is set to a value other than CLOSED, set the readyState
  // attribute to CLOSED and fire an event named error at the EventSource object."
  #failConnection(event: EventSourceErrorEvent): void {
    if (this.#readyState === EventSource.CLOSED) return;
    this.#readyState = EventSource.CLOSED;
    this.#abort = null;
    this.dispatchEvent(event);
  }
}
