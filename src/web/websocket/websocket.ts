/**
 * The WebSocket class: the browser's API (WHATWG websockets standard), one
 * class for every kind of socket, plus the faye-style extras.
 *
 *   new WebSocket(url, protocols, options)          client: connect + handshake   --+
 *   new WebSocket(req, socket, head, ...)            node:http upgrade (faye)        |-> EngineDriver
 *   WebSocket.accept(accepted) (listen() hooks)      socket already upgraded       --+   (Protocol <-> ByteSocket)
 *   Deno.serve / Bun.serve adapters (hosted-websocket.ts)  runtime runs the protocol  --> HostDriver
 *                                   |
 *              face <-- DriverEvents (message/ping/pong/closing/closed)
 *                                   |
 *          open / message / ping / pong / error / close  (one EventTarget dispatch path)
 *
 * Everything a user sees (state, exceptions, events, bufferedAmount) is
 * decided here once, whichever driver moves the bytes (./driver.ts).
 * The class is laid out as WebIDL says (../webidl.ts): its prototype's
 * prototype is EventTarget.prototype, and the attributes, operations and
 * constants are its own.
 */
import { WebSocketError } from "../../core/shared/errors.ts";
import { Protocol, ReadyState } from "../../core/websocket/protocol.ts";
import type { WireProtocol } from "../../core/websocket/wire-protocol.ts";
import { LegacyProtocol } from "../../core/websocket/legacy/protocol.ts";
import { openClient, type ClientResult } from "../client/connect.ts";
import { clientExtensions } from "../client/extension-options.ts";
import { EngineDriver } from "./engine-driver.ts";
import { FaceEvents, setFaceHooks } from "./face-events.ts";
import { HostDriver, type HostEvents } from "./host-driver.ts";
import type { Driver, SendOptions } from "./driver.ts";
import { CloseEvent, ErrorEvent, type MessageEvent, type WebSocketEventMap } from "../events/events.ts";
import { messageEvent } from "../events/message-event.ts";
import { HandlerSlots } from "../events/dual-event-target.ts";
import { clampUint16, exposeInterface } from "../webidl.ts";
import { PingWaiters } from "./ping-waiters.ts";
import { heartbeatSettings, idleHeartbeat, type HeartbeatOptions } from "./heartbeat.ts";
import { handshakeTimeoutOf } from "../client/connect.ts";
import { binaryConverter, type BinaryType } from "./binary.ts";
import { resolveWebSocketUrl } from "./url.ts";
import { validateProtocols } from "./protocols.ts";
import { sendData } from "./send-data.ts";
import { asksForWebSocket, isUpgradeRequest, splitConstructorArguments, type AcceptedSocket, type HostedInit, type ServerWebSocketOptions, type UpgradeRequest, type WebSocketOptions } from "./options.ts";
import { getNodeUpgrade } from "../transport/runtime.ts";
import type { ProtocolChooser } from "../server/accept.ts";
import { registerPublishTargetFactory, type PublishTarget } from "../pubsub/target.ts";

export type { BinaryType } from "./binary.ts";
export type { AcceptedSocket, HostedInit, ServerWebSocketOptions, UpgradeRequest, WebSocketOptions } from "./options.ts";
export type { WebSocketEventMap } from "../events/events.ts";

const utf8 = new TextEncoder();

/** Internal constructor token for server-side sockets (runtime hooks only). */
export const ACCEPT: unique symbol = Symbol("omnisocket.accept");
/** Internal constructor token for runtime-run sockets (hosted-websocket.ts). */
const HOSTED: unique symbol = Symbol("omnisocket.hosted");
const DEFAULT_CLOSE_TIMEOUT = 30_000;
const DEFAULT_TIMERS = Object.freeze({ closeTimeout: DEFAULT_CLOSE_TIMEOUT, ping: 0, heartbeat: undefined });

function invalidState(message: string): DOMException {
  return new DOMException(message, "InvalidStateError");
}

/** A listener for a WebSocket event, typed by its name: `(event: CloseEvent) => void` for "close". */
export type WebSocketListener<K extends keyof WebSocketEventMap> = (this: WebSocket, event: WebSocketEventMap[K]) => void;

let hostEventsOf: (ws: WebSocket) => HostEvents;
const NO_OPTIONS: WebSocketOptions = Object.freeze({});
const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;
let whenSentOf: (ws: WebSocket, callback: (error?: Error) => void) => void;
const DEFAULT_LOW_WATER_MARK = 16384;

/**
 * A WebSocket connection: the browser's class (WHATWG websockets standard)
 * on Node, Deno and Bun, for clients and for every kind of server socket,
 * with faye's and ws's extras (on/off/once, ping/pong, terminate, options).
 */
export class WebSocket extends EventTarget {
  /** readyState: the opening handshake is under way. */
  declare static readonly CONNECTING: 0;
  /** readyState: open; messages can be sent and received. */
  declare static readonly OPEN: 1;
  /** readyState: the closing handshake is under way. */
  declare static readonly CLOSING: 2;
  /** readyState: closed, or the connection could not be opened. */
  declare static readonly CLOSED: 3;
  /** readyState: the opening handshake is under way. */
  declare readonly CONNECTING: 0;
  /** readyState: open; messages can be sent and received. */
  declare readonly OPEN: 1;
  /** readyState: the closing handshake is under way. */
  declare readonly CLOSING: 2;
  /** readyState: closed, or the connection could not be opened. */
  declare readonly CLOSED: 3;

  #url = "";
  /** The origin of `#url` (MessageEvent.origin), worked out at the first message; null until then. */
  #origin: string | null = null;
  #version = "hybi-13";
  #readyState: number = ReadyState.CONNECTING;
  #protocol = "";
  #extensions = "";
  #binaryType: BinaryType = "blob";
  /** The caller's options object itself (never copied: a server passes the same one to every socket). */
  #options: WebSocketOptions = NO_OPTIONS;
  #driver: Driver | null = null;
  #slots = new HandlerSlots(this);
  /** Bytes sent once the connection was closing or closed: WHATWG counts them still. */
  #discarded = 0;
  /** ping(data, callback) callbacks waiting for their pong; made at the first such ping. */
  #pings: PingWaiters | null = null;
  #sendQueue: Promise<void> | null = null;
  /** Client: aborts the handshake when close() comes first. */
  #connecting: AbortController | null = null;
  /** Runtime-run socket: close()/terminate() that came before the runtime opened it. */
  #pendingClose: { code: number | undefined; reason: string } | null = null;
  /** Why ping()/pong() are unavailable (a runtime that hides them), or null. */
  #noPings: string | null = null;
  #statusCode: number | undefined;
  #headers: Record<string, string> = NO_HEADERS;
  /** Accepted on a server (a publish target for the pub/sub hub). */
  #server = false;
  /** Runtime-run socket: the heartbeat its HostDriver runs. */
  #hostedHeartbeat: HeartbeatOptions | undefined;
  // Flow control (docs/flow-control.md).
  /** pause() was called: messages wait in #held, the driver stops reading. */
  #paused = false;
  /** Made when the first message has to wait. */
  #held: Array<string | Uint8Array> | null = null;
  /** The connection ended while messages were held: the close follows them. */
  #heldClose: [code: number, reason: string, wasClean: boolean, failed: boolean, error?: unknown] | null = null;
  /** A send() left bufferedAmount above lowWaterMark: "drain" fires when it falls back. */
  #drainArmed = false;
  /** The backpressureLimit dropped the connection: why. */
  #dropped: WebSocketError | null = null;
  /** Message events being dispatched (a close reported meanwhile waits for them). */
  #dispatching = 0;
  /** The integrations' direct message handler (HostedInit.message): called instead of a message event. */
  #direct: ((socket: WebSocket, data: unknown) => void) | null = null;
  /** terminate() or the backpressureLimit: the close comes now, waiting messages are dropped. */
  #dropping = false;

  static {
    hostEventsOf = (ws) => ws.#hostEvents();
    setFaceHooks({
      message: (ws, data) => ws.#message(data),
      ping: (ws, data) => ws.#ping(data),
      pong: (ws, data) => ws.#pong(data),
      closing: (ws) => {
        // The peer started or answered the closing handshake.
        if (ws.#readyState === ReadyState.OPEN) ws.#readyState = ReadyState.CLOSING;
      },
      closed: (ws, code, reason, wasClean, failed, error) => ws.#finishClose(code, reason, wasClean, failed, error),
      sent: (ws) => ws.#sent(),
    });
    registerPublishTargetFactory((socket) => (#server in socket && socket.#server ? socket.#publishTarget() : undefined));
    whenSentOf = (ws, callback) => {
      const driver = ws.#driver;
      if (driver) driver.whenSent(callback);
      else queueMicrotask(() => callback(new Error("The connection is not open")));
    };
  }

  /** Client: `new WebSocket(url, protocols?, options?)`. */
  constructor(url: string | URL, protocols?: string | string[], options?: WebSocketOptions);
  /** Client with ws's options as the second argument: `new WebSocket(url, { perMessageDeflate: false })`. */
  constructor(url: string | URL, options: WebSocketOptions);
  /** Server (faye): `new WebSocket(req, socket, head, protocols?, options?)` inside node:http's upgrade event. */
  constructor(req: UpgradeRequest, socket: object, head?: Uint8Array, protocols?: ProtocolChooser | string | null, options?: ServerWebSocketOptions);
  /** Internal: a socket a runtime hook already upgraded (use WebSocket.accept). */
  constructor(token: typeof ACCEPT, accepted: AcceptedSocket, options?: WebSocketOptions);
  constructor(first: unknown, ...rest: unknown[]) {
    super();
    if (first === HOSTED) {
      this.#startHosted(rest[0] as HostedInit);
      return;
    }
    if (first === ACCEPT || isUpgradeRequest(first)) {
      let accepted: AcceptedSocket;
      let options: WebSocketOptions;
      if (first === ACCEPT) {
        accepted = rest[0] as AcceptedSocket;
        options = (rest[1] as WebSocketOptions | undefined) ?? {};
      } else {
        const upgrade = getNodeUpgrade();
        if (!upgrade) throw new TypeError("new WebSocket(req, socket, head) needs node:http: import omnisocket through its runtime entry.");
        options = (rest[3] as ServerWebSocketOptions | undefined) ?? {};
        accepted = upgrade(first, rest[0] as object, rest[1] as Uint8Array | undefined, rest[2] as ProtocolChooser | string | null | undefined, options);
      }
      this.#startAccepted(accepted, options);
      return;
    }
    // WHATWG "new WebSocket(url, protocols)" steps 1-8: SyntaxError on a bad
    // URL, scheme, fragment or protocol list; SecurityError on a bad port.
    const { protocols, options } = splitConstructorArguments(rest);
    const resolved = resolveWebSocketUrl(first as string | URL);
    const list = validateProtocols(protocols);
    this.#options = options;
    if (options.binaryType) this.binaryType = options.binaryType;
    if (options.protocolVersion === 8) this.#version = "hybi-8";
    this.#url = resolved.href;
    this.#origin = resolved.origin;
    this.#connecting = new AbortController();
    const extensions = clientExtensions(options); // throws on bad options, synchronously
    heartbeatSettings(options.heartbeat, options.ping);
    handshakeTimeoutOf(options.handshakeTimeout);
    openClient(resolved, list, options, this.#connecting.signal, extensions).then(
      (result) => this.#clientOpened(result),
      (err: unknown) => this.#clientFailed(err),
    );
  }

  /** Wraps a socket whose upgrade a runtime hook already answered. */
  static accept(accepted: AcceptedSocket, options?: WebSocketOptions): WebSocket {
    return new this(ACCEPT, accepted, options);
  }

  /** faye: true for a node:http-style request asking to be upgraded (GET, Upgrade: websocket, Connection: upgrade). */
  static isWebSocket(request: UpgradeRequest): boolean {
    return asksForWebSocket(request);
  }

  /** The URL, as parsed (http: and https: read as ws: and wss:). */
  get url(): string { return this.#url; }
  /** CONNECTING (0), OPEN (1), CLOSING (2) or CLOSED (3). */
  get readyState(): number { return this.#readyState; }
  /** Bytes of application data given to send() and not yet on the network. */
  get bufferedAmount(): number { return this.#discarded + (this.#driver?.bufferedAmount ?? 0); }
  /** The `open` event handler. */
  get onopen(): ((this: WebSocket, ev: Event) => void) | null { return this.#slots.get("open"); }
  set onopen(fn: ((this: WebSocket, ev: Event) => void) | null) { this.#slots.set("open", fn); }
  /** The `error` event handler (an ErrorEvent whose `error` says why). */
  get onerror(): ((this: WebSocket, ev: ErrorEvent) => void) | null { return this.#slots.get("error"); }
  set onerror(fn: ((this: WebSocket, ev: ErrorEvent) => void) | null) { this.#slots.set("error", fn); }
  /** The `close` event handler. */
  get onclose(): ((this: WebSocket, ev: CloseEvent) => void) | null { return this.#slots.get("close"); }
  set onclose(fn: ((this: WebSocket, ev: CloseEvent) => void) | null) { this.#slots.set("close", fn); }
  /** The extensions in use (the server's Sec-WebSocket-Extensions), "" for none. */
  get extensions(): string { return this.#extensions; }
  /** The subprotocol in use, "" for none. */
  get protocol(): string { return this.#protocol; }

  /** WHATWG close(code, reason). */
  close(...args: [code?: number, reason?: string]): void {
    // WebIDL: [Clamp] unsigned short code, USVString reason.
    const code = args[0] === undefined ? undefined : clampUint16(args[0]);
    const reason = args[1] === undefined ? undefined : `${args[1]}`;
    // Step 1: a code other than 1000 or 3000-4999 is an InvalidAccessError.
    if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
      throw new DOMException(`The close code must be 1000 or in 3000-4999; got ${code}.`, "InvalidAccessError");
    }
    // Step 2: a reason over 123 bytes of UTF-8 is a SyntaxError.
    if (reason !== undefined && utf8.encode(reason).length > 123) {
      throw new DOMException("The close reason must be 123 bytes of UTF-8 or less.", "SyntaxError");
    }
    // "Close the WebSocket": a reason without a code is sent with 1000 (a Close
    // frame cannot carry a reason alone, RFC 6455 section 5.5.1).
    this.#close(code ?? (reason !== undefined ? 1000 : undefined), reason ?? "");
  }

  /** The `message` event handler. */
  get onmessage(): ((this: WebSocket, ev: MessageEvent) => void) | null { return this.#slots.get("message"); }
  set onmessage(fn: ((this: WebSocket, ev: MessageEvent) => void) | null) { this.#slots.set("message", fn); }
  /** How binary messages arrive: "blob" (default), "arraybuffer", "uint8array", or on Node "nodebuffer". */
  get binaryType(): BinaryType { return this.#binaryType; }
  set binaryType(type: BinaryType) {
    // WHATWG: unknown values are ignored; ours also knows a few more.
    const value = `${type}`;
    if (binaryConverter(value)) this.#binaryType = value as BinaryType;
  }

  /** WHATWG send(): string as text; ArrayBuffer, views and Blob as binary. `options.compress` as in ws. */
  send(data: string | ArrayBufferLike | ArrayBufferView | Blob, options?: SendOptions): void;
  send(data: string | ArrayBufferLike | ArrayBufferView | Blob): void {
    // WebIDL: the argument is required, and converted, before any step runs.
    if (arguments.length === 0) throw new TypeError("Failed to execute 'send' on 'WebSocket': 1 argument required, but only 0 present.");
    const payload = sendData(data);
    // Step 1: CONNECTING is an InvalidStateError.
    if (this.#readyState === ReadyState.CONNECTING) throw invalidState("Still in CONNECTING state.");
    // hixie-75/76 have text frames only: binary data is refused here, before
    // anything is queued (a Blob's bytes would otherwise fail later, unseen).
    if (typeof payload !== "string" && this.#version.startsWith("hixie-")) {
      throw new WebSocketError("WS_ERR_LEGACY_BINARY", `${this.#version} has no binary messages; send text`);
    }
    // The options argument is read this way so that send.length stays 1 (WebIDL) without a rest array per call.
    const options = arguments[1] as SendOptions | undefined;
    if (typeof payload === "object" && !(payload instanceof Uint8Array)) {
      // A Blob's bytes come later; everything sent after it waits its turn.
      const bytes = payload.arrayBuffer();
      const size = payload.size;
      this.#enqueue(() => bytes.then((b) => this.#sendNow(new Uint8Array(b), size, options)));
    } else if (this.#sendQueue) this.#enqueue(() => this.#sendNow(payload, 0, options));
    else this.#sendNow(payload, 0, options);
  }

  /** Adds `listener` for `type`; the same as addEventListener, typed by event name. */
  on<K extends keyof WebSocketEventMap>(type: K, listener: WebSocketListener<K>): this;
  /** Adds `listener` for an event of another type (a custom one). */
  on(type: string, listener: (this: WebSocket, event: Event) => void): this;
  on(type: string, listener: (event: Event) => void): this {
    this.addEventListener(type, listener);
    return this;
  }

  /** Adds a listener that runs once. */
  once<K extends keyof WebSocketEventMap>(type: K, listener: WebSocketListener<K>): this;
  /** Adds a listener for an event of another type that runs once. */
  once(type: string, listener: (this: WebSocket, event: Event) => void): this;
  once(type: string, listener: (event: Event) => void): this {
    this.addEventListener(type, listener, { once: true });
    return this;
  }

  /** Removes a listener added with on/once/addEventListener. */
  off<K extends keyof WebSocketEventMap>(type: K, listener: WebSocketListener<K>): this;
  /** Removes a listener for an event of another type. */
  off(type: string, listener: (this: WebSocket, event: Event) => void): this;
  off(type: string, listener: (event: Event) => void): this {
    this.removeEventListener(type, listener);
    return this;
  }

  /** faye: the protocol version spoken ("hybi-13", "hybi-8", "hixie-75", "hixie-76"). */
  get version(): string { return this.#version; }
  /** Client: status code of the handshake response (faye); undefined on the server side. */
  get statusCode(): number | undefined { return this.#statusCode; }
  /** Client: response headers of the handshake; server: the request's. Lower-cased names. */
  get headers(): Record<string, string> { return this.#headers; }

  /** faye: sends a ping; `callback` runs when the matching pong arrives. False when not open (or on hixie drafts, which have no pings). */
  ping(data: string | Uint8Array = "", callback?: () => void): boolean {
    this.#requirePings(callback ? "ping(data, callback)" : "ping()");
    // The engine may have closed already while its last events are still
    // being dispatched (readyState still OPEN): nothing can be sent then.
    const driver = this.#driver;
    if (this.#readyState !== ReadyState.OPEN || !driver?.writable || !driver.pings) return false;
    const bytes = typeof data === "string" ? utf8.encode(data) : data;
    if (bytes.length > 125) throw new RangeError("A ping payload is at most 125 bytes.");
    if (callback) (this.#pings ??= new PingWaiters()).add(bytes, callback);
    driver.pings.ping(bytes);
    return true;
  }

  /** Sends a pong (unsolicited pongs are allowed as heartbeats, RFC 6455 section 5.5.3). */
  pong(data: string | Uint8Array = ""): boolean {
    this.#requirePings("pong()");
    const driver = this.#driver;
    if (this.#readyState !== ReadyState.OPEN || !driver?.writable || !driver.pings) return false;
    driver.pings.pong(typeof data === "string" ? utf8.encode(data) : data);
    return true;
  }

  /**
   * Flow control (an extension to the WHATWG API): stops delivering
   * "message" events until resume(); messages that arrive meanwhile wait,
   * and the socket stops reading the network, so TCP pushes back on the
   * peer (Deno.serve and Bun.serve sockets cannot stop reading: there the
   * messages wait in memory). A close that comes meanwhile follows the
   * waiting messages.
   */
  pause(): void {
    if (this.#readyState === ReadyState.CLOSED || this.#paused) return;
    this.#paused = true;
    this.#driver?.pauseReading?.();
  }

  /** Delivers the messages that waited (synchronously, in order, until a listener pauses again) and reads again. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const held = this.#held;
    while (held !== null && held.length > 0 && !this.#paused) this.#dispatchMessage(held.shift()!);
    if (this.#paused) return;
    const close = this.#heldClose;
    if (close) {
      this.#heldClose = null;
      this.#finishClose(...close);
      return;
    }
    this.#driver?.resumeReading?.();
  }

  /** True between pause() and resume(). */
  get isPaused(): boolean { return this.#paused; }

  /** Drops the connection at once, with no closing handshake; error and close (1006) follow. */
  terminate(): void {
    if (this.#readyState === ReadyState.CLOSED) return;
    this.#held = null;
    this.#heldClose = null;
    this.#dropping = true;
    const driver = this.#driver;
    if (driver) {
      driver.terminate();
      this.#finishClose(1006, "", false, true);
    } else if (this.#connecting) {
      this.#close(undefined, "");
    } else {
      // A runtime-run socket not yet opened: drop it when the runtime does.
      this.#pendingClose = { code: undefined, reason: "" };
      this.#finishClose(1006, "", false, true);
    }
  }

  // ------------------------------------------------------------ internals --

  #requirePings(what: string): void {
    if (this.#noPings !== null) throw new TypeError(`${what} is not available on sockets from ${this.#noPings}`);
  }

  #enqueue(step: () => void | Promise<void>): void {
    const prev = this.#sendQueue ?? Promise.resolve();
    const next = prev.then(step).catch((err: unknown) => {
      queueMicrotask(() => { throw err; });
    });
    this.#sendQueue = next;
    next.then(() => { if (this.#sendQueue === next) this.#sendQueue = null; });
  }

  #sendNow(payload: Uint8Array | string, size: number, options?: SendOptions): void {
    const driver = this.#driver;
    if (this.#readyState !== ReadyState.OPEN || !driver?.writable) {
      // WHATWG send() step 3: data sent after closing still counts in bufferedAmount.
      this.#discarded += size || (typeof payload === "string" ? utf8.encode(payload).length : payload.length);
      return;
    }
    if (typeof payload === "string") driver.sendText(payload, options);
    else driver.sendBinary(payload, options);
    this.#checkBuffered(driver);
  }

  /** After a send or a published message: past backpressureLimit drop the peer, past lowWaterMark arm "drain". */
  #checkBuffered(driver: Driver): void {
    const buffered = driver.bufferedAmount;
    const limit = this.#options.backpressureLimit;
    if (limit !== undefined && buffered > limit) this.#dropSlowPeer(buffered, limit, driver);
    else if (buffered > (this.#options.lowWaterMark ?? DEFAULT_LOW_WATER_MARK)) this.#drainArmed = true;
  }

  /** Past backpressureLimit: the peer reads too slowly; drop it rather than buffer without bound. */
  #dropSlowPeer(buffered: number, limit: number, driver: Driver): void {
    this.#dropped = new WebSocketError(
      "WS_ERR_BACKPRESSURE_LIMIT",
      `bufferedAmount (${buffered} bytes) passed the backpressureLimit (${limit} bytes): the peer does not read fast enough`,
    );
    this.#held = null;
    this.#heldClose = null;
    this.#dropping = true;
    driver.terminate();
    this.#finishClose(1006, "", false, true);
  }

  /** bufferedAmount fell to 0: "drain" if a send() took it above the low-water mark. */
  #sent(): void {
    if (!this.#drainArmed || this.#readyState !== ReadyState.OPEN) return;
    if (this.bufferedAmount > (this.#options.lowWaterMark ?? DEFAULT_LOW_WATER_MARK)) return;
    this.#drainArmed = false;
    this.dispatchEvent(new Event("drain"));
  }

  #close(code: number | undefined, reason: string): void {
    const state = this.#readyState;
    // close() steps 3-5: nothing to do once CLOSING or CLOSED.
    if (state === ReadyState.CLOSING || state === ReadyState.CLOSED) return;
    this.#readyState = ReadyState.CLOSING;
    const driver = this.#driver;
    if (driver) driver.close(code, reason);
    else if (this.#connecting) this.#connecting.abort(); // step 3: fail the connection (error, close 1006)
    else this.#pendingClose = { code, reason }; // runtime-run: sent once the runtime opens it
  }

  #startAccepted(accepted: AcceptedSocket, options: WebSocketOptions): void {
    heartbeatSettings(heartbeatOf(options), options.ping); // a bad heartbeat is a TypeError here, synchronously
    this.#options = options;
    if (options.binaryType) this.binaryType = options.binaryType;
    this.#url = accepted.url;
    this.#protocol = accepted.protocol;
    this.#extensions = accepted.extensionsHeader;
    this.#headers = accepted.headers;
    // The usual version keeps the one literal, not a string of its own per socket.
    if (accepted.version) this.#version = accepted.version === "hybi-13" ? "hybi-13" : accepted.version;
    if (accepted.error) {
      const error = accepted.error;
      queueMicrotask(() => this.#finishClose(1006, "", false, true, error));
      return;
    }
    // A hixie-75/76 client (accepted with allowDrafts) gets the draft engine;
    // for -76 it answers the 8-byte key body when it arrives, holding sends until then.
    const protocol: WireProtocol = accepted.legacy
      ? new LegacyProtocol({ ...accepted.legacy, maxLength: options.maxLength })
      : new Protocol({
        role: "server",
        maxLength: options.maxLength,
        maxFragments: options.maxFragments,
        extensions: accepted.extensions,
        // Only extensions work asynchronously: no wake-up (and no closure) without them.
        onWake: accepted.extensions.length > 0 ? () => (this.#driver as EngineDriver | null)?.connection.flush() : undefined,
      });
    const driver = this.#engineDriver(protocol, accepted);
    this.#server = true;
    // The open event fires after the constructor returns, so listeners added
    // right after construction see it; bytes that came with the request follow in later tasks.
    queueMicrotask(() => {
      if (this.#readyState === ReadyState.CONNECTING) {
        this.#readyState = ReadyState.OPEN;
        this.dispatchEvent(new Event("open"));
      }
      driver.start(accepted.head);
    });
  }

  /**
   * Server-side sockets can subscribe to a pub/sub hub's topics
   * (../pubsub/hub.ts); the hub asks for this object the first time it
   * sees the socket, so a socket that never subscribes never has one.
   */
  #publishTarget(): PublishTarget {
    const ws = this;
    return {
      get open() {
        return ws.#readyState === ReadyState.OPEN && ws.#driver?.writable === true;
      },
      get closed() {
        return ws.#readyState === ReadyState.CLOSED;
      },
      get native() {
        const driver = ws.#driver;
        return driver instanceof HostDriver ? driver.topics : undefined;
      },
      sendShared(message) {
        const driver = ws.#driver;
        // A send waiting for a Blob goes first: the message then waits its turn too.
        if (ws.#sendQueue || !(driver instanceof EngineDriver)) return false;
        if (ws.#readyState !== ReadyState.OPEN || !driver.writable) return null;
        return driver.sendShared(message);
      },
      reserveShared() {
        const driver = ws.#driver;
        if (ws.#sendQueue || !(driver instanceof EngineDriver) || ws.#readyState !== ReadyState.OPEN || !driver.writable) return null;
        return driver.reserveShared();
      },
      settleShared(slot, chunks, bytes) {
        const driver = ws.#driver;
        if (driver instanceof EngineDriver) driver.settleShared(slot, chunks, bytes);
      },
      flushQueued: false,
      flush() {
        const driver = ws.#driver;
        if (!(driver instanceof EngineDriver)) return;
        driver.flush();
        ws.#checkBuffered(driver);
      },
      sendMessage(data, compress) {
        const options = compress === undefined ? undefined : { compress };
        if (ws.#sendQueue) ws.#enqueue(() => ws.#sendNow(data, 0, options));
        else ws.#sendNow(data, 0, options);
      },
      onClose(listener) {
        ws.addEventListener("close", listener, { once: true });
      },
    };
  }

  #clientOpened(result: ClientResult): void {
    this.#connecting = null;
    this.#statusCode = result.statusCode;
    this.#headers = result.headers;
    if (this.#readyState !== ReadyState.CONNECTING) {
      // close() was called during the handshake: fail the connection.
      result.socket.destroy();
      this.#finishClose(1006, "", false, true);
      return;
    }
    this.#protocol = result.protocol;
    this.#extensions = result.extensionsHeader;
    const protocol = new Protocol({
      role: "client",
      maxLength: this.#options.maxLength,
      maxFragments: this.#options.maxFragments,
      extensions: result.extensions,
      random: this.#options.random,
      onWake: () => (this.#driver as EngineDriver | null)?.connection.flush(),
    });
    const driver = this.#engineDriver(protocol, { socket: result.socket });
    // WHATWG "establish a WebSocket connection" done: OPEN, then "open".
    this.#readyState = ReadyState.OPEN;
    this.dispatchEvent(new Event("open"));
    driver.start(result.leftover);
  }

  #clientFailed(err: unknown): void {
    this.#connecting = null;
    const e = err as { statusCode?: number; headers?: Record<string, string> };
    if (e?.statusCode !== undefined) this.#statusCode = e.statusCode;
    if (e?.headers) this.#headers = e.headers;
    this.#finishClose(1006, "", false, true, err);
  }

  #engineDriver(protocol: WireProtocol, accepted: Pick<AcceptedSocket, "socket">): EngineDriver {
    const options = this.#options;
    const heartbeat = heartbeatOf(options);
    // Default timers (the usual case) are one object shared by every connection.
    const timers = options.closeTimeout === undefined && !options.ping && heartbeat === undefined
      ? DEFAULT_TIMERS
      : { closeTimeout: options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT, ping: options.ping ?? 0, heartbeat };
    const driver = new EngineDriver(protocol, accepted.socket, new FaceEvents(this), timers);
    this.#driver = driver;
    if (this.#paused) driver.pauseReading();
    return driver;
  }

  #startHosted(init: HostedInit): void {
    this.#url = init.url;
    this.#protocol = init.protocol;
    this.#extensions = init.extensions;
    this.#headers = init.headers;
    if (init.binaryType) this.binaryType = init.binaryType;
    if (init.message) this.#direct = init.message;
    if (init.heartbeat) {
      heartbeatSettings(init.heartbeat, undefined);
      if (init.pings) this.#hostedHeartbeat = init.heartbeat;
    }
    this.#server = true;
    if (!init.pings) {
      this.#noPings = `${init.hostName}: the runtime sends its own pings and never reports pongs. ` +
        "Use the standalone server of this runtime's entry (listen()) or its node:http upgrade hook for ping/pong.";
    }
  }

  #hostEvents(): HostEvents {
    let driver: HostDriver | null = null;
    return {
      opened: (host) => {
        if (this.#readyState === ReadyState.CLOSED) {
          host.terminate(); // terminated before the runtime opened it
          return;
        }
        driver = new HostDriver(host, this.#hostedHeartbeat, (error) => this.#finishClose(1006, "", false, true, error), () => this.#sent());
        this.#driver = driver;
        const pending = this.#pendingClose;
        if (pending) {
          this.#pendingClose = null;
          driver.close(pending.code, pending.reason);
          return;
        }
        // The open event fires after the runtime's callback returns (Bun opens
        // the socket inside server.upgrade()), so listeners added to the
        // socket an upgrade() returned see it.
        queueMicrotask(() => {
          if (this.#readyState !== ReadyState.CONNECTING) return;
          this.#readyState = ReadyState.OPEN;
          this.dispatchEvent(new Event("open"));
        });
      },
      message: (data) => {
        driver?.activity();
        this.#message(data);
      },
      ping: (data) => {
        driver?.activity();
        this.#ping(data);
      },
      pong: (data) => {
        driver?.activity();
        this.#pong(data);
      },
      closed: (code, reason, wasClean, error) => {
        driver?.closed();
        this.#finishClose(code, reason, wasClean, error !== undefined || (!wasClean && code === 1006), error);
      },
    };
  }

  #message(data: string | Uint8Array): void {
    // WHATWG: messages are delivered only while OPEN.
    if (this.#readyState !== ReadyState.OPEN) return;
    const held = this.#held;
    if (held !== null && held.length > 0) held.push(data);
    else if (this.#paused) (this.#held ??= []).push(data);
    else this.#dispatchMessage(data);
  }

  #dispatchMessage(data: string | Uint8Array): void {
    const value = typeof data === "string" ? data : binaryConverter(this.#binaryType)!(data);
    this.#dispatching++;
    try {
      const direct = this.#direct;
      if (direct === null) this.dispatchEvent(messageEvent(value, (this.#origin ??= new URL(this.#url).origin)));
      else {
        try {
          direct(this, value);
        } catch (err) {
          // As from an event listener: reported, never thrown into the runtime's handler.
          queueMicrotask(() => { throw err; });
        }
      }
    } finally {
      this.#dispatching--;
    }
    // A close reported while the message was being dispatched (a runtime that
    // reports it inside close()) comes after every listener saw the message.
    const close = this.#heldClose;
    if (close && this.#dispatching === 0 && !this.#paused && (this.#held === null || this.#held.length === 0)) {
      this.#heldClose = null;
      this.#finishClose(...close);
    }
  }

  #ping(data: Uint8Array): void {
    if (this.#readyState === ReadyState.CLOSED) return;
    this.dispatchEvent(Object.assign(new Event("ping"), { data }));
  }

  #pong(data: Uint8Array): void {
    if (this.#readyState === ReadyState.CLOSED) return;
    this.#pings?.pong(data);
    this.dispatchEvent(Object.assign(new Event("pong"), { data }));
  }

  #finishClose(code: number, reason: string, wasClean: boolean, failed: boolean, error?: unknown): void {
    if (this.#readyState === ReadyState.CLOSED) return;
    const dropped = this.#dropped;
    if (dropped) {
      code = dropped.closeCode;
      reason = "";
      error = dropped;
    } else if (!this.#dropping && ((this.#held !== null && this.#held.length > 0) || this.#dispatching > 0)) {
      // Messages received before the end wait for resume(); so does the close.
      this.#heldClose = [code, reason, wasClean, failed, error];
      if (this.#readyState === ReadyState.OPEN) this.#readyState = ReadyState.CLOSING;
      return;
    }
    this.#readyState = ReadyState.CLOSED;
    this.#pings?.clear();
    // WHATWG "the WebSocket connection is closed": error first if it failed.
    if (failed) {
      const message = (error as Error | undefined)?.message ?? "WebSocket connection failed";
      this.dispatchEvent(new ErrorEvent("error", { message, error }));
    }
    this.dispatchEvent(new CloseEvent("close", { wasClean, code, reason }));
  }
}

/** `heartbeat`, else a server's `idleTimeout` (seconds) as a heartbeat. */
function heartbeatOf(options: WebSocketOptions & { idleTimeout?: number }): HeartbeatOptions | undefined {
  return options.heartbeat ?? idleHeartbeat(options.idleTimeout);
}

exposeInterface(WebSocket, "WebSocket", { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });

/** For WebSocketStream: calls `callback` once everything `ws` sent so far reached the network. */
export function whenSent(ws: WebSocket, callback: (error?: Error) => void): void {
  whenSentOf(ws, callback);
}

/** For runtime adapters (hosted-websocket.ts): a socket in CONNECTING and the sink its runtime reports into. */
export function createHostedWebSocket(init: HostedInit): { socket: WebSocket; events: HostEvents } {
  const socket = new (WebSocket as unknown as new (token: symbol, init: HostedInit) => WebSocket)(HOSTED, init);
  return { socket, events: hostEventsOf(socket) };
}
