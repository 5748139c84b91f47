/**
 * The events a WebSocket dispatches. Runtimes that ship CloseEvent and
 * ErrorEvent (browsers, Deno, Bun) keep theirs; Node 20 gets these, which
 * follow the WHATWG definitions (websockets: CloseEvent; html: ErrorEvent)
 * and WebIDL's layout: the attributes are getters on the prototype.
 */
import { exposeInterface, toUint16 } from "../webidl.ts";

/** The second argument of `new CloseEvent(type, init)` (WHATWG websockets, CloseEventInit). */
export interface CloseEventInit extends EventInit {
  /** Default false. */
  wasClean?: boolean;
  /** Default 0; taken modulo 2^16 (WebIDL unsigned short). */
  code?: number;
  /** Default "". */
  reason?: string;
}

function requireType(count: number, name: string): void {
  if (count === 0) throw new TypeError(`Failed to construct '${name}': 1 argument required, but only 0 present.`);
}

class CloseEventShim extends Event {
  readonly #wasClean: boolean;
  readonly #code: number;
  readonly #reason: string;
  constructor(type: string, init: CloseEventInit = {}) {
    requireType(arguments.length, "CloseEvent");
    super(type, init);
    this.#wasClean = Boolean(init.wasClean);
    this.#code = toUint16(init.code ?? 0);
    this.#reason = init.reason === undefined ? "" : String(init.reason);
  }
  get wasClean(): boolean { return this.#wasClean; }
  get code(): number { return this.#code; }
  get reason(): string { return this.#reason; }
}
Object.defineProperty(CloseEventShim, "name", { value: "CloseEvent" });
exposeInterface(CloseEventShim, "CloseEvent");

/** The second argument of `new ErrorEvent(type, init)` (WHATWG html, ErrorEventInit). */
export interface ErrorEventInit extends EventInit {
  /** Default "". */
  message?: string;
  /** Default "". */
  filename?: string;
  /** Default 0. */
  lineno?: number;
  /** Default 0. */
  colno?: number;
  /** Default undefined. */
  error?: unknown;
}

class ErrorEventShim extends Event {
  readonly #message: string;
  readonly #filename: string;
  readonly #lineno: number;
  readonly #colno: number;
  readonly #error: unknown;
  constructor(type: string, init: ErrorEventInit = {}) {
    requireType(arguments.length, "ErrorEvent");
    super(type, init);
    this.#message = init.message === undefined ? "" : String(init.message);
    this.#filename = init.filename === undefined ? "" : String(init.filename);
    this.#lineno = (Number(init.lineno) || 0) >>> 0;
    this.#colno = (Number(init.colno) || 0) >>> 0;
    this.#error = init.error;
  }
  get message(): string { return this.#message; }
  get filename(): string { return this.#filename; }
  get lineno(): number { return this.#lineno; }
  get colno(): number { return this.#colno; }
  get error(): unknown { return this.#error; }
}
Object.defineProperty(ErrorEventShim, "name", { value: "ErrorEvent" });
exposeInterface(ErrorEventShim, "ErrorEvent");

const g = globalThis as unknown as {
  CloseEvent?: typeof CloseEventShim;
  ErrorEvent?: typeof ErrorEventShim;
};

/** The close event (WHATWG websockets): `code`, `reason`, `wasClean`. */
export interface CloseEvent extends Event {
  /** True when the closing handshake completed: both Close frames were exchanged (RFC 6455 section 7.1.4). */
  readonly wasClean: boolean;
  /** The status code of the peer's Close frame (RFC 6455 section 7.1.5): 1005 when it had none, 1006 when no Close frame came. */
  readonly code: number;
  /** The reason text of the peer's Close frame, "" when none. */
  readonly reason: string;
}
/** The close event (WHATWG websockets): `code`, `reason`, `wasClean`. The runtime's own where it has one. */
export const CloseEvent: {
  readonly prototype: CloseEvent;
  new (type: string, eventInitDict?: CloseEventInit): CloseEvent;
} = g.CloseEvent ?? CloseEventShim;

/** The error event (WHATWG html): `message` and `error`. */
export interface ErrorEvent extends Event {
  /** The error, in words. */
  readonly message: string;
  /** The script's URL for a script error; "" for a WebSocket's. */
  readonly filename: string;
  /** The script's line for a script error; 0 for a WebSocket's. */
  readonly lineno: number;
  /** The script's column for a script error; 0 for a WebSocket's. */
  readonly colno: number;
  /** The failure itself: a WebSocketError (with its `code`) for a WebSocket's error event. */
  readonly error: unknown;
}
/** The error event (WHATWG html): `message` and `error`. The runtime's own where it has one. */
export const ErrorEvent: {
  readonly prototype: ErrorEvent;
  new (type: string, eventInitDict?: ErrorEventInit): ErrorEvent;
} = g.ErrorEvent ?? ErrorEventShim;
/** The runtime's MessageEvent (every runtime has one). */
export const MessageEvent: typeof globalThis.MessageEvent = globalThis.MessageEvent;
/** The runtime's MessageEvent; `data` is `any` by default, as in lib.dom. */
// `any` by default, as in lib.dom: browser code such as
// `ws.onmessage = (e) => ws.send(e.data)` type-checks unchanged.
// deno-lint-ignore no-explicit-any
export type MessageEvent<T = any> = globalThis.MessageEvent<T>;

/** A ping or pong frame arrived; `data` is its payload. */
export interface PingEvent extends Event {
  /** The frame's payload (at most 125 bytes). */
  readonly data: Uint8Array;
}

/** The events of a WebSocket by type, for typed `on`/`once`/`off`. */
export interface WebSocketEventMap {
  /** The connection is open. */
  open: Event;
  /** A message arrived. */
  // deno-lint-ignore no-explicit-any
  message: MessageEvent<any>;
  /** The connection failed (close follows). */
  error: ErrorEvent;
  /** The connection is closed. */
  close: CloseEvent;
  /** bufferedAmount fell back to the lowWaterMark option or below after a send() took it above (docs/flow-control.md). */
  drain: Event;
  /** A ping arrived (the pong is sent for you). */
  ping: PingEvent;
  /** A pong arrived. */
  pong: PingEvent;
}
