/**
 * ws 8's WebSocket on our engine: an EventEmitter face over the same
 * Connection (Protocol <-> ByteSocket) the WHATWG class drives.
 *
 *   client: new WebSocket(url, protocols?, options?)
 *             -> client.ts (URL, options, redirects, handshakeTimeout)
 *             -> openClient (src/web/client/connect.ts) -> upgrade(res), open
 *   server: WebSocketServer -> new WebSocket(null) -> [kAttach](accepted)
 *
 *   Connection --ProtocolEvent--> emit("message", Buffer, isBinary) | "ping" | "pong"
 *              --closed--------> emit("error", err)? then emit("close", code, reason Buffer)
 *   send(data, {binary, compress, fin}, cb) -> Protocol.sendText/sendBinary -> cb once written
 *
 * ws's rules kept here: text arrives as a Buffer too, events are those of
 * an EventEmitter (plus ws's EventTarget shim), send() on a socket that is
 * not open throws while CONNECTING and reports through the callback after.
 */
import { Buffer } from "node:buffer";
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { WebSocketError } from "../../../../core/shared/errors.ts";
import { Protocol, ReadyState, type CloseInfo, type ProtocolEvent } from "../../../../core/websocket/protocol.ts";
import { isValidStatusCode, maxLengthOf, notOpenMessage, WS_CLOSE_TIMEOUT } from "../../../../web/compat/ws/options.ts";
import { Connection } from "../../../../web/websocket/connection.ts";
import { registerPublishTargetFactory, type PublishTarget } from "../../../../web/pubsub/target.ts";
import type { AcceptedSocket } from "../../../../web/websocket/websocket.ts";
import { extensionNames, wsError } from "../../../../web/compat/ws/names.ts";
import { connectClient, type ClientOptions, type ClientRequestLike } from "./client.ts";
import { byteLength, toBuffer, toBytes } from "./data.ts";
import { addEventListener, getOnAttribute, kWasClean, removeEventListener, setOnAttribute } from "./event-target.ts";
import type { CloseEvent, ErrorEvent, Event, MessageEvent } from "./event-target.ts";

export type { ClientOptions } from "./client.ts";

/** ws's message data: a Buffer, an ArrayBuffer, or Buffer fragments (binaryType). */
export type RawData = Buffer | ArrayBuffer | Buffer[];
/** How binary messages are handed out: a Buffer (default), an ArrayBuffer, an array of Buffers, or a Blob. */
export type BinaryType = "nodebuffer" | "arraybuffer" | "fragments" | "blob";
type Data = string | Buffer | ArrayBuffer | Buffer[];

/** ws's `send(data, options, cb)` options. */
export interface SendOptions {
  /** Ignored: clients always mask and servers never do (RFC 6455 section 5.3). */
  mask?: boolean | undefined;
  /** Send as a binary message; default: binary unless `data` is a string. */
  binary?: boolean | undefined;
  /** `false` sends this message uncompressed when permessage-deflate is active. Default true. */
  compress?: boolean | undefined;
  /** `false` holds the data as the first part of a message that a later `fin: true` send completes (sent as one message). Default true. */
  fin?: boolean | undefined;
}

/** Internal: server hooks hand an answered handshake to a socket made with `new WebSocket(null)`. */
export const kAttach: unique symbol = Symbol("omnisocket.ws.attach");
/** Internal: the client side hands the open connection over. */
export const kOpen: unique symbol = Symbol("omnisocket.ws.open");
/** Internal: the client side's current URL (it changes on a redirect). */
export const kUrl: unique symbol = Symbol("omnisocket.ws.url");
/** Internal: the client handshake failed. */
export const kFail: unique symbol = Symbol("omnisocket.ws.fail");

/** What a server gives each socket (a subset of its options). */
export interface SocketSettings {
  maxPayload?: number;
  /** Frames one message may take (0: no bound). */
  maxFragments?: number;
  autoPong?: boolean;
  closeTimeout?: number;
  skipUTF8Validation?: boolean;
  allowSynchronousEvents?: boolean;
}

/** The per-socket settings out of a client's or a server's ws options. */
export function socketSettings(options: SocketSettings): SocketSettings {
  const { maxPayload, maxFragments, autoPong, closeTimeout, skipUTF8Validation, allowSynchronousEvents } = options;
  return { maxPayload, maxFragments, autoPong, closeTimeout, skipUTF8Validation, allowSynchronousEvents };
}

const EMPTY = Buffer.alloc(0);
const NO_SETTINGS: SocketSettings = Object.freeze({});
const BINARY_TYPES = ["nodebuffer", "arraybuffer", "fragments", "blob"];

/**
 * ws 8's WebSocket: an EventEmitter with ws's events (`open`, `message(data,
 * isBinary)`, `close(code, reason)`, `error`, `ping`, `pong`, `upgrade`,
 * `redirect`, `unexpected-response`), ws's EventTarget shim, and ws's
 * methods, over omnisocket's engine. docs/ws.md lists what differs.
 */
export class WebSocket extends EventEmitter {
  /** readyState: the opening handshake is under way. */
  static readonly CONNECTING = 0 as const;
  /** readyState: open; messages can be sent and received. */
  static readonly OPEN = 1 as const;
  /** readyState: the closing handshake is under way. */
  static readonly CLOSING = 2 as const;
  /** readyState: closed. */
  static readonly CLOSED = 3 as const;
  /** readyState: the opening handshake is under way. */
  declare readonly CONNECTING: 0;
  /** readyState: open; messages can be sent and received. */
  declare readonly OPEN: 1;
  /** readyState: the closing handshake is under way. */
  declare readonly CLOSING: 2;
  /** readyState: closed. */
  declare readonly CLOSED: 3;
  // ws's statics, attached by the entry (index.ts), as `require("ws")` has them.
  /** ws's server class, as `require("ws").Server`. */
  declare static Server: typeof import("./server.ts").WebSocketServer;
  /** ws's server class, as `require("ws").WebSocketServer`. */
  declare static WebSocketServer: typeof import("./server.ts").WebSocketServer;
  /** This class, as `require("ws").WebSocket`. */
  declare static WebSocket: typeof WebSocket;
  /** A node:stream Duplex over a socket, as `require("ws").createWebSocketStream`. */
  declare static createWebSocketStream: typeof import("./stream.ts").createWebSocketStream;

  #readyState: 0 | 1 | 2 | 3 = 0;
  #url: string = undefined as unknown as string; // ws: undefined on the server side
  #protocol = "";
  #extensions = "";
  #binaryType: BinaryType = "nodebuffer";
  #paused = false;
  #connection: Connection | null = null;
  #closeCode = 1006;
  #closeReason: Buffer = EMPTY;
  #errorEmitted = false;
  #discarded = 0;
  #fragments: Uint8Array[] = [];
  #fragmentText = false;
  #blobQueue: Promise<void> | null = null;
  #settings: SocketSettings = NO_SETTINGS;
  /** Accepted by a WebSocketServer: a publish target for the pub/sub hub. */
  #server = false;

  static {
    registerPublishTargetFactory((socket) => (#server in socket && socket.#server ? socket.#publishTarget() : undefined));
  }
  /** Client: aborts the opening handshake. */
  #abort: ((reason: string) => void) | null = null;
  /** Both Close frames were exchanged (the EventTarget shim's CloseEvent.wasClean). */
  [kWasClean] = false;

  /** Internal: a server-side socket, which a WebSocketServer attaches to its connection. */
  constructor(address: null);
  /** Client with options second: `new WebSocket(url, { headers })`. */
  constructor(address: string | URL, options?: ClientOptions);
  /** Client: connects to `address` (ws:, wss:, ws+unix:); bad URLs and protocol lists throw ws's SyntaxError at once. */
  constructor(address: string | URL, protocols?: string | string[], options?: ClientOptions);
  constructor(address: string | URL | null, protocols?: string | string[] | ClientOptions, options?: ClientOptions) {
    super();
    // Server side: a WebSocketServer attaches the answered socket ([kAttach]).
    if (address === null) return;
    let list: string | string[] | undefined;
    if (protocols === undefined) list = [];
    else if (typeof protocols === "string" || Array.isArray(protocols)) list = protocols;
    else if (typeof protocols === "object" && protocols !== null) {
      options = protocols;
      list = [];
    } else list = [];
    const started = connectClient(this, address, typeof list === "string" ? [list] : list, options);
    this.#url = started.url;
    this.#settings = started.settings;
    this.#abort = started.abort;
  }

  // ------------------------------------------------------------ properties --

  /** How binary messages are handed out (default "nodebuffer"); other values are ignored. */
  get binaryType(): BinaryType { return this.#binaryType; }
  set binaryType(type: BinaryType) {
    if (!BINARY_TYPES.includes(type)) return;
    this.#binaryType = type;
  }
  /** Bytes the socket still holds to write, plus data sent after closing (as ws counts it). */
  get bufferedAmount(): number {
    return this.#discarded + (this.#connection?.socket.bufferedAmount ?? 0);
  }
  /** The negotiated extensions' names, e.g. "permessage-deflate"; "" for none. */
  get extensions(): string { return this.#extensions; }
  /** True between pause() and resume(). */
  get isPaused(): boolean { return this.#paused; }
  /** The subprotocol the server chose, "" for none. */
  get protocol(): string { return this.#protocol; }
  /** CONNECTING (0), OPEN (1), CLOSING (2) or CLOSED (3). */
  get readyState(): 0 | 1 | 2 | 3 { return this.#readyState; }
  /** The URL connected to (after redirects); undefined on the server side, as in ws. */
  get url(): string { return this.#url; }

  /** The EventTarget shim's `open` handler. */
  get onopen(): ((event: Event) => void) | null { return getOnAttribute(this, "open") as never; }
  set onopen(handler: ((event: Event) => void) | null) { setOnAttribute(this, "open", handler); }
  /** The EventTarget shim's `error` handler. */
  get onerror(): ((event: ErrorEvent) => void) | null { return getOnAttribute(this, "error") as never; }
  set onerror(handler: ((event: ErrorEvent) => void) | null) { setOnAttribute(this, "error", handler); }
  /** The EventTarget shim's `close` handler (`reason` as a string). */
  get onclose(): ((event: CloseEvent) => void) | null { return getOnAttribute(this, "close") as never; }
  set onclose(handler: ((event: CloseEvent) => void) | null) { setOnAttribute(this, "close", handler); }
  /** The EventTarget shim's `message` handler (text as a string). */
  get onmessage(): ((event: MessageEvent) => void) | null { return getOnAttribute(this, "message") as never; }
  set onmessage(handler: ((event: MessageEvent) => void) | null) { setOnAttribute(this, "message", handler); }

  /** ws's EventTarget shim: open, message, error and close only (others are ignored); a function or a `handleEvent` object, added once per type. */
  addEventListener(type: string, listener: unknown, options?: { once?: boolean } | boolean): void {
    addEventListener(this, type, listener as never, options);
  }
  /** Removes a listener added with addEventListener. */
  removeEventListener(type: string, listener: unknown): void {
    removeEventListener(this, type, listener);
  }

  // --------------------------------------------------------------- methods --

  /** Starts the closing handshake; `code` and `reason` as ws checks them. */
  close(code?: number, data?: string | Buffer): void {
    if (this.#readyState === WebSocket.CLOSED) return;
    if (this.#readyState === WebSocket.CONNECTING) {
      this.#abort?.("WebSocket was closed before the connection was established");
      return;
    }
    const reason = data === undefined ? "" : typeof data === "string" ? data : Buffer.from(data).toString();
    if (code !== undefined && (typeof code !== "number" || !isValidStatusCode(code))) {
      throw new TypeError("First argument must be a valid error code number");
    }
    if (Buffer.byteLength(reason) > 123) throw new RangeError("The message must not be greater than 123 bytes");
    if (this.#readyState === WebSocket.CLOSING) return;
    this.#readyState = WebSocket.CLOSING;
    const connection = this.#connection!;
    if (connection.protocol.state === ReadyState.OPEN) {
      connection.protocol.sendClose(code, reason);
      connection.flush();
    }
  }

  /** Stops reading from the socket until resume(). */
  pause(): void {
    if (this.#readyState === WebSocket.CONNECTING || this.#readyState === WebSocket.CLOSED) return;
    this.#paused = true;
    this.#connection?.pauseReading();
  }

  /** Reads from the socket again after pause(). */
  resume(): void {
    if (this.#readyState === WebSocket.CONNECTING || this.#readyState === WebSocket.CLOSED) return;
    this.#paused = false;
    // Events still waiting for their turn (allowSynchronousEvents: false) resume reading themselves.
    if (!this.#deferred) this.#connection?.resumeReading();
  }

  /** Sends a ping (at most 125 bytes; more is a RangeError); `cb` once written. Throws while CONNECTING. `mask` is ignored. */
  ping(data?: unknown, mask?: boolean | ((err?: Error) => void), cb?: (err?: Error) => void): void {
    this.#control("ping", data, mask, cb);
  }

  /** Sends an unsolicited pong (at most 125 bytes); `cb` once written. Throws while CONNECTING. `mask` is ignored. */
  pong(data?: unknown, mask?: boolean | ((err?: Error) => void), cb?: (err?: Error) => void): void {
    this.#control("pong", data, mask, cb);
  }

  /** Sends a message: text for a string (or number), binary for bytes or a Blob. `cb(null)` once written, `cb(err)` after close. Throws while CONNECTING. */
  send(data: unknown, cb?: (err?: Error) => void): void;
  /** Sends a message with ws's options (`binary`, `compress`, `fin`). */
  send(data: unknown, options: SendOptions, cb?: (err?: Error) => void): void;
  send(data: unknown, options?: SendOptions | ((err?: Error) => void), cb?: (err?: Error) => void): void {
    if (this.#readyState === WebSocket.CONNECTING) throw new Error(notOpenMessage(0));
    if (typeof options === "function") {
      cb = options;
      options = {};
    }
    if (typeof data === "number") data = data.toString();
    if (this.#readyState !== WebSocket.OPEN) return this.#sendAfterClose(data, cb);
    const binary = options?.binary ?? typeof data !== "string";
    const compress = options?.compress ?? true;
    const fin = options?.fin ?? true;
    if (typeof Blob !== "undefined" && data instanceof Blob) {
      // A Blob's bytes come later; what is sent after it waits its turn.
      const bytes = data.arrayBuffer();
      this.#queue(() => bytes.then((b) => this.#sendNow(new Uint8Array(b), binary, compress, fin, cb)));
      return;
    }
    const payload = typeof data === "string" ? data : toBytes(data);
    if (this.#blobQueue) this.#queue(() => this.#sendNow(payload, binary, compress, fin, cb));
    else this.#sendNow(payload, binary, compress, fin, cb);
  }

  /** Drops the connection at once. */
  terminate(): void {
    if (this.#readyState === WebSocket.CLOSED) return;
    if (this.#readyState === WebSocket.CONNECTING) {
      this.#abort?.("WebSocket was closed before the connection was established");
      return;
    }
    this.#readyState = WebSocket.CLOSING;
    this.#connection?.destroy();
  }

  // ------------------------------------------------------------- internals --

  #control(kind: "ping" | "pong", data: unknown, mask: unknown, cb: ((err?: Error) => void) | undefined): void {
    if (this.#readyState === WebSocket.CONNECTING) throw new Error(notOpenMessage(0));
    if (typeof data === "function") {
      cb = data as (err?: Error) => void;
      data = undefined;
    } else if (typeof mask === "function") {
      cb = mask as (err?: Error) => void;
    }
    if (typeof data === "number") data = data.toString();
    const connection = this.#connection;
    if (this.#readyState !== WebSocket.OPEN || !connection || connection.protocol.state !== ReadyState.OPEN) {
      return this.#sendAfterClose(data, cb);
    }
    const bytes = data === undefined ? EMPTY : typeof data === "string" ? Buffer.from(data) : toBytes(data);
    if (bytes.length > 125) throw new RangeError("The data size must not be greater than 125 bytes");
    if (kind === "ping") connection.protocol.sendPing(bytes);
    else connection.protocol.sendPong(bytes);
    connection.flush();
    if (cb) connection.whenWritten((error) => cb(error ?? null as never));
  }

  #sendAfterClose(data: unknown, cb: ((err?: Error) => void) | undefined): void {
    if (data !== undefined && data !== null) {
      // ws: what is sent after closing still counts in bufferedAmount.
      this.#discarded += typeof data === "string" ? Buffer.byteLength(data) : byteLength(data);
    }
    if (cb) {
      const error = new Error(notOpenMessage(this.#readyState));
      process.nextTick(cb, error);
    }
  }

  #queue(step: () => void | Promise<void>): void {
    const next = (this.#blobQueue ?? Promise.resolve()).then(step);
    this.#blobQueue = next;
    void next.then(() => {
      if (this.#blobQueue === next) this.#blobQueue = null;
    });
  }

  #sendNow(payload: string | Uint8Array, binary: boolean, compress: boolean, fin: boolean, cb: ((err?: Error) => void) | undefined): void {
    const connection = this.#connection;
    if (this.#readyState !== WebSocket.OPEN || !connection || connection.protocol.state !== ReadyState.OPEN) {
      return this.#sendAfterClose(payload, cb);
    }
    if (!fin || this.#fragments.length > 0) {
      // ws's `fin: false` sends a fragment; our engine frames whole messages,
      // so fragments are joined and leave as one message when `fin` comes.
      if (this.#fragments.length === 0) this.#fragmentText = !binary;
      this.#fragments.push(typeof payload === "string" ? Buffer.from(payload) : payload);
      if (!fin) {
        if (cb) process.nextTick(cb);
        return;
      }
      payload = Buffer.concat(this.#fragments);
      binary = !this.#fragmentText;
      this.#fragments = [];
    }
    const options = compress ? undefined : NO_COMPRESS;
    if (!binary) connection.protocol.sendText(payload, options);
    else connection.protocol.sendBinary(typeof payload === "string" ? Buffer.from(payload) : payload, options);
    connection.flush();
    // ws passes the socket write's result on: null when written.
    if (cb) connection.whenWritten((error) => cb(error ?? null as never));
  }

  /**
   * Server-side sockets can subscribe to a pub/sub hub's topics
   * (src/web/pubsub/hub.ts). A message published while a `fin: false`
   * message is being gathered goes out whole before it: the gathered
   * fragments are not on the wire yet. Made when the hub first asks for
   * it, so a socket that never subscribes never has one.
   */
  #publishTarget(): PublishTarget {
    const ws = this;
    const sendable = () => {
      const connection = ws.#connection;
      return ws.#readyState === WebSocket.OPEN && connection !== null && connection.protocol.state === ReadyState.OPEN ? connection : null;
    };
    const sendWhole = (data: string | Uint8Array, compress: boolean | undefined) => {
      const connection = sendable();
      if (!connection) return;
      const options = compress === false ? NO_COMPRESS : undefined;
      if (typeof data === "string") connection.protocol.sendText(data, options);
      else connection.protocol.sendBinary(data, options);
      connection.flush();
    };
    return {
      get open() {
        return sendable() !== null;
      },
      get closed() {
        return ws.#readyState === WebSocket.CLOSED;
      },
      sendShared(message) {
        const connection = sendable();
        if (ws.#blobQueue) return false;
        if (connection === null) return null;
        return connection.protocol.sendShared?.(message) === true;
      },
      reserveShared() {
        if (ws.#blobQueue) return null;
        return sendable()?.protocol.reserveShared?.() ?? null;
      },
      settleShared(slot, chunks) {
        ws.#connection?.protocol.settleShared?.(slot, chunks);
      },
      flushQueued: false,
      flush() {
        ws.#connection?.flush();
      },
      sendMessage(data, compress) {
        if (ws.#blobQueue) ws.#queue(() => sendWhole(data, compress));
        else sendWhole(data, compress);
      },
      onClose(listener) {
        ws.once("close", listener);
      },
    };
  }

  /** @internal Server side: takes over a socket a WebSocketServer has answered. */
  [kAttach](accepted: AcceptedSocket, settings: SocketSettings): void {
    this.#settings = settings;
    this.#protocol = accepted.protocol;
    this.#extensions = extensionNames(accepted.extensionsHeader);
    const protocol = new Protocol({
      role: "server",
      maxLength: maxLengthOf(settings.maxPayload ?? 0),
      maxFragments: settings.maxFragments,
      extensions: accepted.extensions,
      autoPong: settings.autoPong,
      textAsBytes: true,
      skipUtf8Validation: settings.skipUTF8Validation,
      onWake: () => this.#connection?.flush(),
    });
    this.#connection = this.#makeConnection(protocol, accepted.socket);
    this.#readyState = WebSocket.OPEN;
    this.#server = true;
    // Bytes that came with the request are read once the connection
    // listener has run, as ws reads them from the socket later.
    const head = accepted.head;
    process.nextTick(() => {
      this.#connection!.start(head);
      if (this.#paused) this.#connection!.pauseReading();
    });
  }

  /** @internal Client side: the handshake succeeded. */
  [kOpen](result: { socket: AcceptedSocket["socket"]; leftover: Uint8Array; protocol: string; extensionsHeader: string; extensions: AcceptedSocket["extensions"] }, res: IncomingMessage, random?: (bytes: Uint8Array) => Uint8Array): void {
    this.#abort = null;
    this.#protocol = result.protocol;
    this.#extensions = extensionNames(result.extensionsHeader);
    const settings = this.#settings;
    const protocol = new Protocol({
      role: "client",
      maxLength: maxLengthOf(settings.maxPayload ?? 0),
      maxFragments: settings.maxFragments,
      extensions: result.extensions,
      autoPong: settings.autoPong,
      textAsBytes: true,
      skipUtf8Validation: settings.skipUTF8Validation,
      random,
      onWake: () => this.#connection?.flush(),
    });
    this.emit("upgrade", res);
    this.#connection = this.#makeConnection(protocol, result.socket);
    this.#readyState = WebSocket.OPEN;
    this.emit("open");
    this.#connection.start(result.leftover);
  }

  /** @internal Client side: the handshake failed (ws: error, then close 1006). */
  [kFail](error: Error | null): void {
    this.#abort = null;
    this.#readyState = WebSocket.CLOSING;
    if (error) this.#emitError(error);
    this.#emitClose();
  }

  /** @internal Client side: the URL the handshake now goes to (after a redirect). */
  set [kUrl](url: string) {
    this.#url = url;
  }

  #makeConnection(protocol: Protocol, socket: AcceptedSocket["socket"]): Connection {
    const deferred = this.#settings.allowSynchronousEvents === false;
    return new Connection(protocol, socket, {
      handleEvent: deferred ? (event) => this.#defer(() => this.#handleEvent(event)) : (event) => this.#handleEvent(event),
      handleClosed: (info, error) => {
        if (this.#deferred) this.#deferred.push(() => this.#handleClosed(info, error));
        else this.#handleClosed(info, error);
      },
    }, {
      closeTimeout: this.#settings.closeTimeout ?? WS_CLOSE_TIMEOUT,
      ping: 0,
    });
  }

  #handleEvent(event: ProtocolEvent): void {
    switch (event.type) {
      case "utf8":
        // ws hands text out as a Buffer: the engine checked the bytes and did not decode them.
        this.emit("message", toBuffer(event.data), false);
        return;
      case "text":
        this.emit("message", Buffer.from(event.data), false);
        return;
      case "binary":
        this.emit("message", this.#binary(event.data), true);
        return;
      case "ping":
        this.emit("ping", toBuffer(event.data));
        return;
      case "pong":
        this.emit("pong", toBuffer(event.data));
        return;
      case "close":
        this.#closeCode = event.code;
        this.#closeReason = event.reason === "" ? EMPTY : Buffer.from(event.reason);
        if (this.#readyState === WebSocket.OPEN) this.#readyState = WebSocket.CLOSING;
        return;
      case "error":
        this.#readyState = WebSocket.CLOSING;
        this.#emitError(wsError(event.error));
        return;
    }
  }

  /** Events waiting for a turn of their own (ws's `allowSynchronousEvents: false`). */
  #deferred: Array<() => void> | null = null;

  /**
   * ws's `allowSynchronousEvents: false`: each event is emitted in a
   * setImmediate of its own, and the socket is not read meanwhile.
   */
  #defer(step: () => void): void {
    if (this.#deferred) {
      this.#deferred.push(step);
      return;
    }
    this.#deferred = [step];
    this.#connection?.pauseReading();
    setImmediate(() => this.#runDeferred());
  }

  #runDeferred(): void {
    const queue = this.#deferred!;
    queue.shift()!();
    if (queue.length > 0) {
      setImmediate(() => this.#runDeferred());
      return;
    }
    this.#deferred = null;
    if (!this.#paused) this.#connection?.resumeReading();
  }

  #binary(data: Uint8Array): Data {
    switch (this.#binaryType) {
      case "arraybuffer":
        return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
          ? (data.buffer as ArrayBuffer)
          : (data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
      case "fragments":
        return [toBuffer(data)];
      case "blob":
        return new Blob([data as Uint8Array<ArrayBuffer>]) as unknown as Data;
      default:
        return toBuffer(data);
    }
  }

  #handleClosed(info: CloseInfo, error: WebSocketError | null): void {
    // ws reports no error when its close timer drops a peer that never answered the Close.
    if (error && error.code !== "WS_ERR_CLOSE_TIMEOUT" && !this.#errorEmitted) this.#emitError(wsError(error));
    this[kWasClean] = info.wasClean;
    this.#emitClose();
  }

  #emitError(error: Error): void {
    if (this.#errorEmitted) return;
    this.#errorEmitted = true;
    this.emit("error", error);
  }

  #emitClose(): void {
    if (this.#readyState === WebSocket.CLOSED) return;
    this.#readyState = WebSocket.CLOSED;
    this.emit("close", this.#closeCode, this.#closeReason);
  }
}

for (const [name, value] of [["CONNECTING", 0], ["OPEN", 1], ["CLOSING", 2], ["CLOSED", 3]] as const) {
  Object.defineProperty(WebSocket.prototype, name, { value, enumerable: true });
}

/** ws's type names under the class (`WebSocket.RawData`, `WebSocket.Server` ...), as @types/ws has them. */
export declare namespace WebSocket {
  /** ws's message data: a Buffer, an ArrayBuffer, or Buffer fragments (binaryType). */
  type RawData = import("./websocket.ts").RawData;
  /** What a message can be: a string or ws's RawData. */
  type Data = string | Buffer | ArrayBuffer | Buffer[];
  /** ws's client options. */
  type ClientOptions = import("./client.ts").ClientOptions;
  /** ws's permessage-deflate options. */
  type PerMessageDeflateOptions = import("./client.ts").PerMessageDeflateOptions;
  /** ws's server options. */
  type ServerOptions = import("./server.ts").ServerOptions;
  /** ws's server class, under its older name. */
  type Server<T extends typeof WebSocket = typeof WebSocket> = import("./server.ts").WebSocketServer<T>;
  /** ws's server class. */
  type WebSocketServer<T extends typeof WebSocket = typeof WebSocket> = import("./server.ts").WebSocketServer<T>;
  /** This class. */
  type WebSocket = import("./websocket.ts").WebSocket;
  /** `verifyClient(info)`: true accepts the handshake, false answers 401. */
  type VerifyClientCallbackSync = import("./server.ts").VerifyClientCallbackSync;
  /** `verifyClient(info, callback)`: accept or refuse later, with a status, message and headers. */
  type VerifyClientCallbackAsync = import("./server.ts").VerifyClientCallbackAsync;
  /** The EventTarget shim's Event. */
  type Event = import("./event-target.ts").Event;
  /** The EventTarget shim's ErrorEvent. */
  type ErrorEvent = import("./event-target.ts").ErrorEvent;
  /** The EventTarget shim's CloseEvent. */
  type CloseEvent = import("./event-target.ts").CloseEvent;
  /** The EventTarget shim's MessageEvent. */
  type MessageEvent = import("./event-target.ts").MessageEvent;
}

/** ws's events, typed by name (as @types/ws declares them). */
export interface WebSocket {
  /** `code`: the peer's close status (1005 for none, 1006 when no Close frame came); `reason`: its bytes. */
  on(event: "close", listener: (this: WebSocket, code: number, reason: Buffer) => void): this;
  /** The connection failed; `close` follows. */
  on(event: "error", listener: (this: WebSocket, error: Error) => void): this;
  /** Client: the 101 response arrived (`statusCode` and `headers`). */
  on(event: "upgrade", listener: (this: WebSocket, request: IncomingMessage) => void): this;
  /** A message arrived: text as a Buffer of its UTF-8 bytes, binary as binaryType says, and whether it was binary. */
  on(event: "message", listener: (this: WebSocket, data: RawData, isBinary: boolean) => void): this;
  /** Client: the handshake succeeded. */
  on(event: "open", listener: (this: WebSocket) => void): this;
  /** A ping or pong arrived, with its payload. */
  on(event: "ping" | "pong", listener: (this: WebSocket, data: Buffer) => void): this;
  /** Client with followRedirects: the handshake is redirected to `url`; the listener may change `request.headers`. */
  on(event: "redirect", listener: (this: WebSocket, url: string, request: ClientRequestLike) => void): this;
  /** Client: the server answered with something other than 101 (without a listener, an error). */
  on(event: "unexpected-response", listener: (this: WebSocket, request: ClientRequestLike, response: IncomingMessage) => void): this;
  /** Any other event. */
  on(event: string | symbol, listener: (this: WebSocket, ...args: any[]) => void): this; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Runs once. `code`: the peer's close status (1005 for none, 1006 when no Close frame came); `reason`: its bytes. */
  once(event: "close", listener: (this: WebSocket, code: number, reason: Buffer) => void): this;
  /** Runs once. The connection failed; `close` follows. */
  once(event: "error", listener: (this: WebSocket, error: Error) => void): this;
  /** Runs once. Client: the 101 response arrived (`statusCode` and `headers`). */
  once(event: "upgrade", listener: (this: WebSocket, request: IncomingMessage) => void): this;
  /** Runs once. A message arrived: text as a Buffer of its UTF-8 bytes, binary as binaryType says, and whether it was binary. */
  once(event: "message", listener: (this: WebSocket, data: RawData, isBinary: boolean) => void): this;
  /** Runs once. Client: the handshake succeeded. */
  once(event: "open", listener: (this: WebSocket) => void): this;
  /** Runs once. A ping or pong arrived, with its payload. */
  once(event: "ping" | "pong", listener: (this: WebSocket, data: Buffer) => void): this;
  /** Runs once. Any other event. */
  once(event: string | symbol, listener: (this: WebSocket, ...args: any[]) => void): this; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Removes a `close` listener. */
  off(event: "close", listener: (this: WebSocket, code: number, reason: Buffer) => void): this;
  /** Removes a `error` listener. */
  off(event: "error", listener: (this: WebSocket, error: Error) => void): this;
  /** Removes a `message` listener. */
  off(event: "message", listener: (this: WebSocket, data: RawData, isBinary: boolean) => void): this;
  /** Removes a `open` listener. */
  off(event: "open", listener: (this: WebSocket) => void): this;
  /** Removes a `ping" | "pong` listener. */
  off(event: "ping" | "pong", listener: (this: WebSocket, data: Buffer) => void): this;
  /** Removes a listener of any event. */
  off(event: string | symbol, listener: (this: WebSocket, ...args: any[]) => void): this; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** A message arrived: text as a Buffer of its UTF-8 bytes, binary as binaryType says, and whether it was binary. */
  addListener(event: "message", listener: (data: RawData, isBinary: boolean) => void): this;
  /** Any other event. */
  addListener(event: string | symbol, listener: (...args: any[]) => void): this; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Removes a `message` listener. */
  removeListener(event: "message", listener: (data: RawData, isBinary: boolean) => void): this;
  /** Removes a listener of any event. */
  removeListener(event: string | symbol, listener: (...args: any[]) => void): this; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const NO_COMPRESS = { compress: false };
