/**
 * The events a WebSocket dispatches. Runtimes that ship CloseEvent and
 * ErrorEvent (browsers, Deno, Bun) keep theirs; Node 20 gets these, which
 * follow the WHATWG definitions (websockets: CloseEvent; html: ErrorEvent)
 * and WebIDL's layout: the attributes are getters on the prototype.
 */
import { exposeInterface, toUint16 } from "../webidl.ts";

export interface CloseEventInit extends EventInit {
  wasClean?: boolean;
  code?: number;
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

export interface ErrorEventInit extends EventInit {
  message?: string;
  filename?: string;
  lineno?: number;
  colno?: number;
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

/** The close event (WHATWG websockets): `code`, `reason`, `wasClean`. The runtime's own where it has one. */
export const CloseEvent: typeof CloseEventShim = g.CloseEvent ?? CloseEventShim;
/** The close event (WHATWG websockets): `code`, `reason`, `wasClean`. */
export type CloseEvent = CloseEventShim;
/** The error event (WHATWG html): `message` and `error`. The runtime's own where it has one. */
export const ErrorEvent: typeof ErrorEventShim = g.ErrorEvent ?? ErrorEventShim;
/** The error event (WHATWG html): `message` and `error`. */
export type ErrorEvent = ErrorEventShim;
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
  /** A ping arrived (the pong is sent for you). */
  ping: PingEvent;
  /** A pong arrived. */
  pong: PingEvent;
}
