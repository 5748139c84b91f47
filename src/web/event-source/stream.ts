/**
 * A server-sent event stream for fetch-style servers: `Deno.serve`,
 * `Bun.serve`, and any `(Request) => Response` handler. Web types only.
 *
 *   send()/ping() --> bounded queue --pull()--> ReadableStream --> Response body
 *                      (bufferedAmount)           (read by the server as the
 *                                                  client's socket drains)
 *   client gone --> body cancelled (or `signal` aborted) --> "close" event
 *
 * Backpressure: the body is a pull stream with no internal buffer of its
 * own, so bytes leave the queue only when the server reads them for the
 * client. The queue holds at most `maxBufferedAmount` bytes (default 1 MiB).
 * Policy when it would overflow: `send()` (and `ping()`) return false and
 * the event is NOT queued (nothing partial is written; ids stay in order on
 * the client). An event always fits an empty queue. Once the queue is
 * taken by the client, a "drain" event fires so the sender can resume (a
 * client that falls behind can also be closed, and it resumes from its
 * `Last-Event-ID` when it reconnects).
 *
 * Departure: servers cancel the body when a write to a closed connection
 * fails, so a silent stream learns that its client left on the next event
 * or ping (every `ping` seconds). Pass `signal: request.signal` to learn at
 * once where the runtime aborts it on disconnect (Bun; Deno, which also
 * aborts it after a complete response and warns when it is read).
 *
 * @example
 * ```ts
 * Deno.serve((req) => {
 *   if (!EventSourceStream.isEventSource(req)) return new Response("hello");
 *   const es = new EventSourceStream(req, { retry: 10 });
 *   const timer = setInterval(() => es.send("tick"), 1000);
 *   es.onclose = () => clearInterval(timer);
 *   return es.response;
 * });
 * ```
 */
import { concatBytes } from "../../core/shared/bytes.ts";
import {
  acceptsEventStream,
  decodeLastEventId,
  EVENT_STREAM_HEADERS,
  EventSourceSession,
  type EventSourceSessionOptions,
} from "./session.ts";

/** Options of `new EventSourceStream(request, options)`. */
export interface EventSourceStreamOptions extends EventSourceSessionOptions {
  /** Most bytes queued for a slow client before `send()` returns false. Default 1 MiB. */
  maxBufferedAmount?: number;
  /** Aborting it ends the stream as if the client went away (e.g. `request.signal`). */
  signal?: AbortSignal;
}

/** The default `maxBufferedAmount`: 1 MiB. */
export const DEFAULT_MAX_BUFFERED_AMOUNT = 1024 * 1024;

/**
 * The server end of one event stream in a fetch-style handler: build it
 * from the request, return its `response`, then `send()` events. `send()`
 * returns false (and drops the event) when the client is `maxBufferedAmount`
 * behind; a "drain" event says when to resume.
 */
export class EventSourceStream extends EventSourceSession {
  /** True for a GET whose `Accept` header lists `text/event-stream`. */
  static isEventSource(request: Request): boolean {
    return acceptsEventStream(request.method, request.headers.get("accept"));
  }

  /** The request's URL. */
  readonly url: string;
  /** The `Last-Event-ID` the client sent ("" when none): where to resume. */
  readonly lastEventId: string;
  /** The response to return from the handler; its body is the event stream. */
  readonly response: Response;

  readonly #maxBuffered: number;
  #queue: Uint8Array[] = [];
  #buffered = 0;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  // A read is waiting for bytes (pull() found the queue empty).
  #waiting = false;
  // send() refused an event: fire "drain" when the queue empties.
  #refused = false;
  #ended = false;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.#gone();

  /**
   * Starts the stream for `request`. Throws a TypeError for a negative
   * `retry`, `ping` or `maxBufferedAmount`. It does not check the request:
   * test it with {@linkcode EventSourceStream.isEventSource} first.
   */
  constructor(request: Request, options: EventSourceStreamOptions = {}) {
    super(options);
    this.#maxBuffered = options.maxBufferedAmount ?? DEFAULT_MAX_BUFFERED_AMOUNT;
    if (!(this.#maxBuffered >= 0)) throw new TypeError(`maxBufferedAmount must be a non-negative number`);
    this.url = request.url;
    this.lastEventId = decodeLastEventId(request.headers.get("last-event-id"));

    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () => this.#pull(),
        cancel: () => this.#gone(),
      },
      // No buffer inside the stream: pull() runs only when a read waits.
      { highWaterMark: 0 },
    );
    const headers = new Headers(EVENT_STREAM_HEADERS);
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    this.response = new Response(body, { status: 200, headers });

    this.#signal = options.signal;
    if (this.#signal?.aborted) {
      queueMicrotask(() => this.#gone());
    } else {
      this.#signal?.addEventListener("abort", this.#onAbort);
    }
    this.start();
  }

  /** Bytes queued for the client and not yet read by the server. */
  get bufferedAmount(): number {
    return this.#buffered;
  }

  /** Queues the bytes (or hands them to a waiting read); false when they would pass `maxBufferedAmount`. */
  protected writeBytes(bytes: Uint8Array): boolean {
    if (this.#ended) return false;
    if (this.#waiting) {
      this.#waiting = false;
      this.#controller.enqueue(bytes);
      return true;
    }
    // The bound: refuse what would pass it, unless the queue is empty.
    if (this.#queue.length > 0 && this.#buffered + bytes.length > this.#maxBuffered) {
      this.#refused = true;
      return false;
    }
    this.#queue.push(bytes);
    this.#buffered += bytes.length;
    return true;
  }

  /** Closes the body after what is queued. */
  protected endTransport(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    // Hand what is queued to the stream, then close it: the client still
    // gets every event that was accepted.
    const chunk = this.#take();
    try {
      if (chunk) this.#controller.enqueue(chunk);
      this.#controller.close();
    } catch {
      // The stream was cancelled meanwhile.
    }
  }

  #pull(): void {
    const chunk = this.#take();
    if (!chunk) {
      this.#waiting = true;
      return;
    }
    this.#controller.enqueue(chunk);
    if (this.#refused) {
      this.#refused = false;
      this.dispatchEvent(new Event("drain"));
    }
  }

  #take(): Uint8Array | null {
    const queue = this.#queue;
    if (queue.length === 0) return null;
    this.#queue = [];
    this.#buffered = 0;
    return queue.length === 1 ? queue[0]! : concatBytes(queue);
  }

  // The client went away: the body was cancelled or the request aborted.
  #gone(): void {
    if (!this.#ended) {
      this.#ended = true;
      this.#queue = [];
      this.#buffered = 0;
      this.#signal?.removeEventListener("abort", this.#onAbort);
      try {
        // End the body quietly: nobody reads it any more (an error here
        // would only be logged by the server).
        this.#controller.close();
      } catch {
        // already closed or cancelled
      }
    }
    this.transportClosed();
  }
}
