/**
 * WebSocketStream: the WHATWG proposal Chrome ships (whatwg/websockets
 * PR 48), with streams' backpressure, as one more face over the WebSocket
 * class, which is itself the face over the drivers (../websocket/driver.ts).
 * No second protocol implementation: a client stream opens a WebSocket; a
 * server socket of any form (node:http hook, listen(), Deno.serve,
 * Bun.serve) becomes a stream with WebSocketStream.from(ws).
 *
 *   network --driver--> WebSocket --message--> readable (queue <= readableHighWaterMark)
 *              ^            ^                        |
 *              |            +--- pause() when full --+ , resume() on pull
 *    stops reading (TCP pushes back on the peer)
 *
 *   writer.write(chunk) --> ws.send --> driver --> network
 *        resolves once the driver says the bytes reached the network (whenSent);
 *        writer.ready waits while more than writableHighWaterMark bytes wait.
 *
 * Close: close({ closeCode, reason }) starts the closing handshake; `closed`
 * resolves with { closeCode, reason } after a clean close and rejects with
 * a WebSocketError (closeCode 1006 or the failure's code) after an unclean
 * one. A close received while messages still wait in a paused socket comes
 * after them, so `closed` settles once the readable side was read up to it.
 */
import { WebSocketError } from "../../core/shared/errors.ts";
import { WebSocket, whenSent } from "../websocket/websocket.ts";
import type { WebSocketOptions } from "../websocket/options.ts";
import type { CloseEvent, ErrorEvent, MessageEvent } from "../events/events.ts";

/** `new WebSocketStream(url, options)`: the proposal's protocols and signal, plus every client option of the WebSocket class. */
export interface WebSocketStreamOptions extends Omit<WebSocketOptions, "binaryType">, WebSocketStreamQueues {
  /** Subprotocols to offer (Sec-WebSocket-Protocol). */
  protocols?: string | string[];
  /** Aborts the opening handshake; no effect once open. */
  signal?: AbortSignal;
}

/** How much each side of the stream queues before it pushes back. */
export interface WebSocketStreamQueues {
  /** Bytes of received messages the readable side queues before the socket stops reading (default 65536). */
  readableHighWaterMark?: number;
  /** Bytes of messages the writable side queues before `writer.ready` waits (default 65536). */
  writableHighWaterMark?: number;
}

/** What `opened` resolves with. */
export interface WebSocketOpenInfo {
  /** One chunk per message: a string for text, a Uint8Array for binary. */
  readable: ReadableStream<string | Uint8Array>;
  /** Strings are sent as text, ArrayBuffers and views as binary. */
  writable: WritableStream<string | ArrayBufferLike | ArrayBufferView>;
  /** The subprotocol the server chose, "" for none. */
  protocol: string;
  /** The extensions in use (the server's Sec-WebSocket-Extensions), "" for none. */
  extensions: string;
}

/** What `closed` resolves with, and what close() takes. */
export interface WebSocketCloseInfo {
  /** The close code: 1000 or 3000-4999 when sending; what the peer sent (1005 for none) when closed. */
  closeCode?: number;
  /** The close reason, at most 123 bytes of UTF-8. */
  reason?: string;
}

const DEFAULT_HIGH_WATER_MARK = 65536;
/** Internal constructor token for from(). */
const ADOPT: unique symbol = Symbol("omnisocket.WebSocketStream.from");

/** Queue size of a chunk: its bytes (UTF-16 units for text, near enough). */
function chunkSize(chunk: unknown): number {
  if (typeof chunk === "string") return chunk.length;
  if (chunk instanceof ArrayBuffer) return chunk.byteLength;
  if (ArrayBuffer.isView(chunk)) return chunk.byteLength;
  return 1;
}

function withResolvers<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/** A WebSocket as a pair of streams (WHATWG WebSocketStream), on Node, Deno and Bun. */
export class WebSocketStream {
  readonly #ws: WebSocket;
  readonly #opened = withResolvers<WebSocketOpenInfo>();
  readonly #closed = withResolvers<{ closeCode: number; reason: string }>();
  #queues: WebSocketStreamQueues = {};
  #abortReason: unknown = undefined;
  #aborted = false;
  #failure: unknown = undefined;
  #readable: ReadableStreamDefaultController<string | Uint8Array> | null = null;
  #writable: WritableStreamDefaultController | null = null;

  /** Client: opens a connection to `url`. */
  constructor(url: string | URL, options: WebSocketStreamOptions = {}) {
    // Unhandled rejections of promises nobody awaits are not the user's problem.
    this.#opened.promise.catch(() => {});
    this.#closed.promise.catch(() => {});
    if ((url as unknown) === ADOPT) {
      const { ws, queues } = options as unknown as { ws: WebSocket; queues: WebSocketStreamQueues };
      this.#queues = queues;
      this.#ws = ws;
      ws.binaryType = "uint8array";
      this.#attach();
      return;
    }
    const { protocols, signal, readableHighWaterMark, writableHighWaterMark, ...socketOptions } = options;
    this.#queues = { readableHighWaterMark, writableHighWaterMark };
    // WHATWG "new WebSocket" steps: SyntaxError/SecurityError come synchronously.
    const ws = new WebSocket(url, protocols ?? [], { ...socketOptions, binaryType: "uint8array" });
    this.#ws = ws;
    if (signal) {
      const abort = () => {
        if (ws.readyState !== WebSocket.CONNECTING) return;
        this.#aborted = true;
        this.#abortReason = signal.reason ?? new DOMException("The WebSocket handshake was aborted", "AbortError");
        ws.close(); // fails the connection while CONNECTING: close (1006) follows
      };
      if (signal.aborted) abort();
      else {
        signal.addEventListener("abort", abort, { once: true });
        this.#closed.promise.then(() => {}, () => {}).finally(() => signal.removeEventListener("abort", abort));
      }
    }
    this.#attach();
  }

  /**
   * A stream over a socket that exists already: a server-side socket from
   * any server form (node:http hook, listen(), Deno.serve, Bun.serve), or a
   * client socket. The stream takes the socket over: binaryType becomes
   * "uint8array", and pause()/resume() are the stream's from then on
   * (other message listeners still run).
   */
  static from(ws: WebSocket, queues: WebSocketStreamQueues = {}): WebSocketStream {
    if (!(ws instanceof WebSocket)) throw new TypeError("WebSocketStream.from() takes an omnisocket WebSocket");
    return new WebSocketStream(ADOPT as unknown as string, { ws, queues } as unknown as WebSocketStreamOptions);
  }

  /** The URL, as parsed. */
  get url(): string { return this.#ws.url; }
  /** Resolves once open with the streams, subprotocol and extensions; rejects if the connection could not be opened. */
  get opened(): Promise<WebSocketOpenInfo> { return this.#opened.promise; }
  /** Resolves with the close code and reason after a clean close; rejects after an unclean one. */
  get closed(): Promise<{ closeCode: number; reason: string }> { return this.#closed.promise; }

  /**
   * Starts the closing handshake (a failed connection while still opening).
   * No closeCode sends an empty Close (1005); a reason alone goes with 1000.
   * The code must be 1000 or 3000-4999 (InvalidAccessError) and the reason
   * 123 bytes of UTF-8 at most (SyntaxError), as WebSocket.close says.
   */
  close(closeInfo: WebSocketCloseInfo = {}): void {
    const { closeCode, reason } = closeInfo;
    if (closeCode === undefined && (reason === undefined || reason === "")) this.#ws.close();
    else this.#ws.close(closeCode ?? 1000, reason ?? "");
  }

  #attach(): void {
    const ws = this.#ws;
    const onOpen = () => this.#open();
    if (ws.readyState === WebSocket.OPEN) this.#open();
    else if (ws.readyState === WebSocket.CONNECTING) ws.addEventListener("open", onOpen, { once: true });
    ws.addEventListener("error", (event) => { this.#failure = (event as ErrorEvent).error; });
    ws.addEventListener("close", (event) => this.#close(event as CloseEvent));
    // A socket closed before the stream was made: nothing to read.
    if (ws.readyState === WebSocket.CLOSED) this.#close(null);
  }

  #open(): void {
    const ws = this.#ws;
    const readableHighWaterMark = this.#queues.readableHighWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    const writableHighWaterMark = this.#queues.writableHighWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    const readable = new ReadableStream<string | Uint8Array>({
      start: (controller) => { this.#readable = controller; },
      // The consumer read: the queue has room again.
      pull: () => ws.resume(),
      cancel: (reason) => {
        this.#readable = null;
        this.#closeFor(reason);
        ws.resume(); // nobody reads any more: let what waits through to the close
      },
    }, { highWaterMark: readableHighWaterMark, size: chunkSize });
    ws.addEventListener("message", (event) => {
      const controller = this.#readable;
      if (!controller) return;
      controller.enqueue((event as MessageEvent).data as string | Uint8Array);
      // The queue is full: stop reading the network until the consumer pulls.
      if ((controller.desiredSize ?? 0) <= 0) ws.pause();
    });
    const writable = new WritableStream<string | ArrayBufferLike | ArrayBufferView>({
      start: (controller) => { this.#writable = controller; },
      write: (chunk) => {
        if (ws.readyState !== WebSocket.OPEN) throw new DOMException("The WebSocket is not open", "InvalidStateError");
        ws.send(typeof chunk === "string" || chunk instanceof ArrayBuffer || ArrayBuffer.isView(chunk) ? chunk : `${chunk as unknown}`);
        // Resolves once the message reached the network (the driver's bufferedAmount bookkeeping).
        return new Promise<void>((resolve, reject) => whenSent(ws, (error) => (error ? reject(error) : resolve())));
      },
      close: () => {
        this.#writable = null;
        ws.close();
      },
      abort: (reason) => {
        this.#writable = null;
        this.#closeFor(reason);
      },
    }, { highWaterMark: writableHighWaterMark, size: chunkSize });
    this.#opened.resolve({ readable, writable, protocol: ws.protocol, extensions: ws.extensions });
  }

  /** A cancel or abort reason: a WebSocketError-like { closeCode, reason } closes with those, anything else with no code. */
  #closeFor(reason: unknown): void {
    const info = reason as { closeCode?: unknown; reason?: unknown } | null;
    const code = typeof info?.closeCode === "number" && (info.closeCode === 1000 || (info.closeCode >= 3000 && info.closeCode <= 4999))
      ? info.closeCode
      : undefined;
    try {
      if (code === undefined) this.#ws.close();
      else this.#ws.close(code, typeof info?.reason === "string" ? info.reason : "");
    } catch {
      this.#ws.close();
    }
  }

  #close(event: CloseEvent | null): void {
    const code = event?.code ?? 1006;
    const reason = event?.reason ?? "";
    const readable = this.#readable;
    const writable = this.#writable;
    this.#readable = null;
    this.#writable = null;
    if (event?.wasClean) {
      try { readable?.close(); } catch { /* already closed or cancelled */ }
      writable?.error(new DOMException("The WebSocket is closed", "InvalidStateError"));
      this.#opened.reject(new WebSocketError("WS_ERR_INVALID_STATE", "The WebSocket closed before it opened"));
      this.#closed.resolve({ closeCode: code, reason });
      return;
    }
    const error = this.#aborted
      ? this.#abortReason
      : this.#failure instanceof WebSocketError
      ? this.#failure
      : new WebSocketError("WS_ERR_UNEXPECTED_EOF", `The WebSocket closed uncleanly (${code})${this.#failure instanceof Error ? `: ${this.#failure.message}` : ""}`, code);
    readable?.error(error);
    writable?.error(error);
    this.#opened.reject(error);
    this.#closed.reject(error);
  }
}
