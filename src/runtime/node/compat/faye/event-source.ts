/**
 * faye-websocket's server-side EventSource for node:http, with faye's bytes
 * on the wire (src/web/compat/faye/event-source-wire.ts): `Connection:
 * close` and no chunked encoding, CRLF line ends, the retry preamble, `:`
 * comments as pings.
 *
 *   new EventSource(request, response, { headers, retry, ping })
 *     response.writeHead(faye's head) + "retry: N\r\n\r\n"
 *     send(data, { event, id }) / ping() --> response.write(text)
 *     close() / end() --> response.end(); the client leaving --> close()
 *
 * The head goes through node:http's ServerResponse with its Date header and
 * chunked encoding turned off, so Node sends faye's head byte for byte;
 * Deno's and Bun's node:http write their own framing (docs/event-source.md).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { FayeEvent } from "../../../../web/compat/faye/event.ts";
import { FayeEventStream } from "./event-stream.ts";
import {
  FAYE_DEFAULT_PING,
  FAYE_DEFAULT_RETRY,
  FAYE_PING,
  fayeEvent,
  fayeEventStreamHeaders,
  fayeRetry,
  isFayeEventSourceRequest,
} from "../../../../web/compat/faye/event-source-wire.ts";
import type { FayeListener } from "./api.ts";
import { requestUrl } from "./request.ts";

/** Options of `new WebSocket.EventSource(request, response, options)`. */
export interface FayeEventSourceOptions {
  /** Extra response headers. */
  headers?: Record<string, unknown>;
  /** Seconds the client waits before reconnecting (default 5; 0 also means 5, as in faye). */
  retry?: number;
  /** Seconds between keep-alive comments (default 10; 0 also means 10, as in faye). */
  ping?: number;
}

/**
 * faye-websocket's server-side EventSource on node:http: faye's response
 * head and bytes, faye's events and stream methods.
 */
export class FayeEventSource extends FayeEventStream {
  /** readyState: the stream has not started yet. */
  static readonly CONNECTING = 0;
  /** readyState: events can be sent. */
  static readonly OPEN = 1;
  /** readyState: unused; kept for faye's numbering (a stream goes from OPEN to CLOSED). */
  static readonly CLOSING = 2;
  /** readyState: the stream has ended; send() returns false. */
  static readonly CLOSED = 3;

  /** faye's test: a GET whose Accept lists text/event-stream. */
  static isEventSource(request: IncomingMessage): boolean {
    return isFayeEventSourceRequest(request.method, request.headers.accept);
  }

  /** Seconds between keep-alive comments when `ping` is not given: 10. */
  readonly DEFAULT_PING: number = FAYE_DEFAULT_PING;
  /** Seconds the client waits before reconnecting when `retry` is not given: 5. */
  readonly DEFAULT_RETRY: number = FAYE_DEFAULT_RETRY;

  /** Writable stream flag: false once the stream has ended (or could not start). */
  writable = true;
  /** CONNECTING (0), OPEN (1), then CLOSED (3). */
  readyState: number = FayeEventSource.CONNECTING;
  /** http(s)://host/path the client asked for. */
  readonly url: string;
  /** The client's Last-Event-ID header, or "". */
  readonly lastEventId: string;

  /** Runs on "open", before the listeners. */
  onopen: FayeListener | null = null;
  /** Never called: a server's stream receives no messages (kept from faye's API). */
  onmessage: FayeListener | null = null;
  /** Never called: failures end the stream with "close" (kept from faye's API). */
  onerror: FayeListener | null = null;
  /** Runs on "close" (close(), or the client left), before the listeners. */
  onclose: FayeListener | null = null;

  readonly #response: ServerResponse;
  #pingTimer: ReturnType<typeof setInterval> | undefined;

  /** Writes the response head and the retry preamble at once; "open" follows in a microtask. */
  constructor(request: IncomingMessage, response: ServerResponse, options?: FayeEventSourceOptions | null) {
    super();
    const opts = options ?? {};
    const ping = opts.ping || FAYE_DEFAULT_PING;
    const retry = opts.retry || FAYE_DEFAULT_RETRY;
    this.url = requestUrl(request, "http:", "https:");
    this.lastEventId = (request.headers["last-event-id"] as string | undefined) || "";
    this.#response = response;
    const socket = response.socket;
    if (!socket || !socket.writable) {
      this.writable = false;
      return;
    }
    queueMicrotask(() => this.#open());
    socket.setTimeout(0);
    socket.setNoDelay(true);

    // faye's head exactly: no Date, no Transfer-Encoding; the body ends with the connection.
    const res = response as ServerResponse & { useChunkedEncodingByDefault: boolean };
    res.sendDate = false;
    res.useChunkedEncodingByDefault = false;
    res.writeHead(200, fayeEventStreamHeaders(opts.headers).flat());
    this.#write(fayeRetry(retry));

    response.on("drain", () => this.emit("drain"));
    this.#pingTimer = setInterval(() => this.ping(), ping * 1000);
    // The client left (or the connection failed): closed.
    response.on("close", () => this.close());
    socket.on("end", () => this.close());
    socket.on("error", () => this.close());
  }

  /** Sends one event; false once closed or while the response's buffer is full. */
  send(message: unknown, options?: { event?: unknown; id?: unknown }): boolean {
    if (this.readyState > FayeEventSource.OPEN) return false;
    return this.#write(fayeEvent(message, options));
  }

  /** A comment the client ignores, to keep proxies from timing the stream out. */
  ping(): boolean {
    return this.#write(FAYE_PING);
  }

  /** Writable stream: the same as send(). */
  write(message: unknown, ..._rest: unknown[]): boolean {
    return this.send(message);
  }

  /** Writable stream: sends `message` if given, then closes. */
  end(message?: unknown, ..._rest: unknown[]): this {
    if (message !== undefined && typeof message !== "function") this.write(message);
    this.close();
    return this;
  }

  /** Ends the stream; true the first time. */
  close(): boolean {
    if (this.readyState > FayeEventSource.OPEN) return false;
    this.readyState = FayeEventSource.CLOSED;
    this.writable = false;
    clearInterval(this.#pingTimer);
    this.#response.end();
    this.dispatchEvent(new FayeEvent("close"));
    return true;
  }

  #open(): void {
    if (this.readyState !== FayeEventSource.CONNECTING) return;
    this.readyState = FayeEventSource.OPEN;
    this.dispatchEvent(new FayeEvent("open"));
  }

  #write(text: string): boolean {
    if (!this.writable) return false;
    try {
      return this.#response.write(text, "utf8");
    } catch {
      return false;
    }
  }
}
