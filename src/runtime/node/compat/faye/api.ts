/**
 * What faye-websocket's server socket and client share (faye's `API`): a
 * Node stream and faye's event target over the FayeDriver.
 *
 *   FayeDriver --open/message/error/close/drain--> FayeSocket
 *        |                                            |-- on<type> slot, then emit(type, event)
 *        |                                            |-- emit("data", message), emit("end"): the
 *        |                                            |   readable half, for pipe()
 *        +<-- send/write/end/ping/close/pause/resume -+   the writable half
 *
 * A socket is a legacy duplex `Stream`, as faye's is: `ws.pipe(dest)` moves
 * each message to `dest.write()`, pausing this socket (it stops reading the
 * TCP connection) while `dest` is full; `src.pipe(ws)` writes each chunk as
 * a message, and `write()` answers false while the socket's buffer is past
 * its high-water mark, then `drain` fires. Text arrives as a string, binary
 * as a Buffer.
 */
import { Buffer } from "node:buffer";
import { FayeDriver, type FayeSocketOptions } from "../../../../web/compat/faye/driver.ts";
import { FayeEvent } from "../../../../web/compat/faye/event.ts";
import { FayeEventStream, type FayeListener } from "./event-stream.ts";
import { checkCloseCode } from "../../../../web/compat/faye/options.ts";

export type { FayeListener };

/** faye's send() argument: a Buffer (or any bytes) is binary, anything else is sent as String(data). */
export type FayeData = string | Uint8Array | ArrayBuffer | number | boolean | object;

export { FayeEvent };

/**
 * What faye's server socket and client share (faye's `API`): the WebSocket
 * attributes and methods, faye's event target (`on<type>` properties,
 * addEventListener), and a Node duplex stream of messages for pipe().
 */
export abstract class FayeSocket extends FayeEventStream {
  /** readyState: the opening handshake is under way. */
  static readonly CONNECTING = 0;
  /** readyState: open; messages can be sent and received. */
  static readonly OPEN = 1;
  /** readyState: the closing handshake is under way. */
  static readonly CLOSING = 2;
  /** readyState: closed. */
  static readonly CLOSED = 3;
  /** Milliseconds close() waits for the peer's Close frame before dropping the connection. */
  static readonly CLOSE_TIMEOUT = 30_000;

  /** Readable stream flag: true until the socket closes. */
  readable = true;
  /** Writable stream flag: true until the socket closes. */
  writable = true;

  /** Runs on "open", before the listeners. */
  onopen: FayeListener | null = null;
  /** Runs on "message" (`event.data`: a string for text, a Buffer for binary), before the listeners. */
  onmessage: FayeListener | null = null;
  /** Runs on "error" (`event.message`), before the listeners; "close" follows. */
  onerror: FayeListener | null = null;
  /** Runs on "close" (`event.code`, `event.reason`), before the listeners. */
  onclose: FayeListener | null = null;

  /** The socket's URL: the request's (server) or the one given (client). */
  readonly url: string;
  /** @internal */
  protected readonly driver: FayeDriver;

  /** Builds the socket over a fresh driver; the subclass starts the client or server handshake. */
  protected constructor(url: string, options: FayeSocketOptions | undefined) {
    super();
    this.url = url;
    this.driver = new FayeDriver({
      open: () => this.dispatchEvent(new FayeEvent("open")),
      message: (data) => {
        const value = typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        if (this.readable) this.emit("data", value);
        this.dispatchEvent(new FayeEvent("message", { data: value }));
      },
      error: (message) => this.dispatchEvent(new FayeEvent("error", { message })),
      close: (code, reason) => {
        if (this.readable) this.emit("end");
        this.readable = this.writable = false;
        this.dispatchEvent(new FayeEvent("close", { code, reason }));
      },
      drain: () => this.emit("drain"),
    }, url, options ?? {});
    // Protocol errors are informational (faye): an unheard "error" must not throw.
    this.on("error", () => {});
  }

  /** CONNECTING (0), OPEN (1), CLOSING (2) or CLOSED (3). */
  get readyState(): number { return this.driver.readyState; }
  /** The subprotocol agreed on, or "". */
  get protocol(): string { return this.driver.protocol; }
  /** The protocol version spoken: "hybi-13" (or a draft's name on a server with allowDrafts). */
  get version(): string { return this.driver.version; }
  /** Bytes given to send() and not yet handed to the network. */
  get bufferedAmount(): number { return this.driver.bufferedAmount; }

  /** Sends a message: text for a string, binary for a Buffer or other bytes. False once closing or while the write buffer is full. */
  send(data: FayeData): boolean {
    if (this.driver.readyState > FayeSocket.OPEN) return false;
    if (ArrayBuffer.isView(data)) return this.driver.send(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (data instanceof ArrayBuffer) return this.driver.send(new Uint8Array(data));
    return this.driver.send(String(data));
  }

  /** Sends a ping; `callback` runs when the pong with the same payload arrives. False when it cannot be sent. */
  ping(message: string | Uint8Array = "", callback?: () => void): boolean {
    if (this.driver.readyState > FayeSocket.OPEN) return false;
    return this.driver.ping(typeof message === "string" ? message : new Uint8Array(message.buffer, message.byteOffset, message.byteLength), callback);
  }

  /** Starts the closing handshake. `code` is 1000 (default) or 3000-4999; others throw. */
  close(code?: number, reason?: string): void {
    const c = code === undefined ? 1000 : code;
    checkCloseCode(c);
    this.driver.close(c, reason === undefined ? "" : reason);
  }

  /** Writable stream: the same as send(). */
  write(data: FayeData, ..._rest: unknown[]): boolean {
    return this.send(data);
  }

  /** Writable stream: sends `data` if given, then closes. */
  end(data?: unknown, ..._rest: unknown[]): this {
    if (data !== undefined && typeof data !== "function") this.send(data as FayeData);
    this.close();
    return this;
  }

  /** Readable stream: stops reading from the network until resume(). */
  pause(): this {
    this.driver.pause();
    return this;
  }

  /** Readable stream: reads from the network again after pause(). */
  resume(): this {
    this.driver.resume();
    return this;
  }
}
