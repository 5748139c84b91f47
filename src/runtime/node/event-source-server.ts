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
 *   send/ping --> EventSourceSession --bytes--> res.write()    (req, res)
 *                                         \---> socket.write() (req, socket[, head])
 *   res/socket "close" --> "close" event
 *
 * Backpressure is node's: `send()` returns what `write()` returns, false
 * once the response buffers more than its high-water mark (the event is
 * still sent); wait for the response's "drain" (re-emitted here) before
 * sending more. `bufferedAmount` is the response's `writableLength`.
 * Works wherever node:http does (Node, Deno, Bun).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import {
  acceptsEventStream,
  decodeLastEventId,
  EVENT_STREAM_HEADERS,
  EventSourceSession,
  type EventSourceSessionOptions,
} from "../../web/event-source-session.ts";

export type EventSourceServerOptions = EventSourceSessionOptions;

interface Transport {
  write(bytes: Uint8Array): boolean;
  end(): void;
  readonly writableLength: number;
}

function isResponse(target: ServerResponse | Duplex): target is ServerResponse {
  return typeof (target as ServerResponse).writeHead === "function";
}

function checkHeader(name: string, value: string): void {
  // A CR or LF would let a header value start a new header (or the body).
  if (/[\r\n\0]/.test(name) || /[\r\n\0]/.test(value)) {
    throw new TypeError(`invalid character in header ${JSON.stringify(name)}`);
  }
}

export class EventSourceServer extends EventSourceSession {
  /** faye's test: a GET whose `Accept` lists `text/event-stream`. */
  static isEventSource(request: IncomingMessage): boolean {
    return acceptsEventStream(request.method, request.headers.accept);
  }

  readonly url: string;
  readonly lastEventId: string;
  readonly #transport: Transport;

  /**
   * `(request, response, options)` as faye documents it, or `(request,
   * socket, head, options)` with the raw socket of the request, where this
   * class writes the HTTP response head itself.
   */
  constructor(request: IncomingMessage, response: ServerResponse, options?: EventSourceServerOptions);
  constructor(request: IncomingMessage, socket: Duplex, head?: Uint8Array, options?: EventSourceServerOptions);
  constructor(
    request: IncomingMessage,
    target: ServerResponse | Duplex,
    headOrOptions?: Uint8Array | EventSourceServerOptions,
    maybeOptions?: EventSourceServerOptions,
  ) {
    const options = (headOrOptions instanceof Uint8Array ? maybeOptions : headOrOptions) ?? {};
    super(options);
    const secure = (request.socket as { encrypted?: boolean }).encrypted === true;
    this.url = `${secure ? "https:" : "http:"}//${request.headers.host ?? "localhost"}${request.url ?? "/"}`;
    this.lastEventId = decodeLastEventId(request.headers["last-event-id"] as string | undefined);

    const headers: Record<string, string> = { ...EVENT_STREAM_HEADERS };
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      checkHeader(name, value);
      for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
      headers[name] = value;
    }

    // A stream stays open for as long as the client listens: no idle
    // timeout, and small events leave at once.
    const socket = (isResponse(target) ? target.socket : target) as {
      setTimeout?: (ms: number) => void;
      setNoDelay?: (on: boolean) => void;
    } | null;
    socket?.setTimeout?.(0);
    socket?.setNoDelay?.(true);

    if (isResponse(target)) {
      this.#transport = target;
      target.writeHead(200, headers);
      target.on("close", () => this.transportClosed());
    } else {
      this.#transport = target;
      let head = "HTTP/1.1 200 OK\r\nConnection: close\r\n";
      for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
      target.write(head + "\r\n");
      target.on("close", () => this.transportClosed());
      target.on("end", () => this.transportClosed());
      target.on("error", () => this.transportClosed());
    }
    target.on("drain", () => this.dispatchEvent(new Event("drain")));
    this.start();
  }

  get bufferedAmount(): number {
    return this.#transport.writableLength;
  }

  protected writeBytes(bytes: Uint8Array): boolean {
    try {
      return this.#transport.write(bytes);
    } catch {
      return false; // written after the client went away
    }
  }

  protected endTransport(): void {
    this.#transport.end();
  }
}
