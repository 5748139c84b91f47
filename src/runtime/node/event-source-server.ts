/**
 * faye-websocket's server-side `EventSource` for node:http, as
 * `EventSourceServer` (the name `EventSource` belongs to the client).
 *
 *   server.on("request", (req, res) => {
 *     if (EventSourceServer.isEventSource(req)) {
 *       const es = new EventSourceServer(req, res, { headers, retry, ping });
 *       es.send("Breaking News!", { event: "notification", id: "99" });
 *     }
 *   });
 *
 *   send/ping --> EventSourceSession --bytes--> res.write()
 *   res "close" (client gone) --> "close" event
 *
 * Backpressure is node's: `send()` returns what `write()` returns, false
 * once the response buffers more than its high-water mark (the event is
 * still sent); wait for the response's "drain" (re-emitted here) before
 * sending more. `bufferedAmount` is the response's `writableLength`.
 * Works wherever node:http does (Node, Deno, Bun).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  acceptsEventStream,
  decodeLastEventId,
  EVENT_STREAM_HEADERS,
  EventSourceSession,
  type EventSourceSessionOptions,
} from "../../web/event-source/session.ts";

/** Options of `new EventSourceServer(request, response, options)`. */
export type EventSourceServerOptions = EventSourceSessionOptions;

/**
 * The server end of one event stream on node:http (faye-websocket's
 * `EventSource`): writes the response head at once, then events as they are
 * sent. Works wherever node:http does (Node, Deno, Bun).
 */
export class EventSourceServer extends EventSourceSession {
  /** faye's test: a GET whose `Accept` lists `text/event-stream`. */
  static isEventSource(request: IncomingMessage): boolean {
    return acceptsEventStream(request.method, request.headers.accept);
  }

  /** The request's URL (https: when the request came over TLS). */
  readonly url: string;
  /** The `Last-Event-ID` the client sent ("" when none): where to resume. */
  readonly lastEventId: string;
  readonly #response: ServerResponse;

  /** `(request, response, options)`, as faye-websocket documents it. */
  constructor(request: IncomingMessage, response: ServerResponse, options: EventSourceServerOptions = {}) {
    super(options);
    const secure = (request.socket as { encrypted?: boolean } | null)?.encrypted === true;
    this.url = `${secure ? "https:" : "http:"}//${request.headers.host ?? "localhost"}${request.url ?? "/"}`;
    this.lastEventId = decodeLastEventId(request.headers["last-event-id"] as string | undefined);
    this.#response = response;

    // A stream stays open for as long as the client listens: no idle
    // timeout, and small events leave at once.
    response.socket?.setTimeout(0);
    response.socket?.setNoDelay(true);

    const headers: Record<string, string> = { ...EVENT_STREAM_HEADERS };
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
      headers[name] = value; // node:http refuses CR/LF in names and values
    }
    response.writeHead(200, headers);
    response.on("close", () => this.transportClosed());
    response.on("drain", () => this.dispatchEvent(new Event("drain")));
    this.start();
  }

  /** The response's `writableLength`: bytes node:http has not yet handed to the socket. */
  get bufferedAmount(): number {
    return this.#response.writableLength;
  }

  /** `response.write()`: false once the response buffers past its high-water mark (the bytes are still sent). */
  protected writeBytes(bytes: Uint8Array): boolean {
    try {
      return this.#response.write(bytes);
    } catch {
      return false; // written after the client went away
    }
  }

  /** `response.end()`. */
  protected endTransport(): void {
    this.#response.end();
  }
}
