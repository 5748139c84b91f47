/**
 * ws's EventTarget shim on its EventEmitter sockets: `addEventListener`,
 * `removeEventListener` and the `onopen/onmessage/onerror/onclose` slots,
 * with ws's own rules:
 *
 *   emit("message", data, isBinary) --wrap--> listener.call(ws, MessageEvent{ data })
 *        text arrives as a string, binary as binaryType says
 *   emit("close", code, reason)     --wrap--> CloseEvent{ code, reason: string, wasClean }
 *   emit("error", err)              --wrap--> ErrorEvent{ error, message }
 *   emit("open")                    --wrap--> Event{ type: "open" }
 *
 * - Only these four types are shimmed; others are ignored (as ws does).
 * - The same listener is added once per type (a second add is a no-op),
 *   `{ once: true }` is honoured, and `handleEvent` objects work.
 * - An `on*` slot is one wrapped listener that a new value replaces.
 */
import type { EventEmitter } from "node:events";

const kTarget = Symbol("omnisocket.ws.target");
const kType = Symbol("omnisocket.ws.type");
const kListener = Symbol("omnisocket.ws.listener");
const kForOnEventAttribute = Symbol("omnisocket.ws.onAttribute");
/** The socket's "both Close frames were exchanged" flag, for CloseEvent.wasClean. */
export const kWasClean = Symbol("omnisocket.ws.wasClean");

/** ws's Event: `type` and `target`. */
export class Event {
  /** @internal */
  readonly [kType]: string;
  /** @internal */
  [kTarget]: unknown = null;
  /** An event of `type`; its target is set when a socket dispatches it. */
  constructor(type: string) {
    this[kType] = type;
  }
  /** "open", "message", "error" or "close". */
  get type(): string { return this[kType]; }
  /** The socket that dispatched the event (null before). */
  get target(): unknown { return this[kTarget]; }
}

/** ws's CloseEvent: the `close` event's code, reason (as a string) and wasClean. */
export class CloseEvent extends Event {
  readonly #code: number;
  readonly #reason: string;
  readonly #wasClean: boolean;
  /** A close event; `init`'s fields default to 0, "" and false. */
  constructor(type: string, init: { code?: number; reason?: string; wasClean?: boolean } = {}) {
    super(type);
    this.#code = init.code ?? 0;
    this.#reason = init.reason ?? "";
    this.#wasClean = init.wasClean ?? false;
  }
  /** The peer's close status (1005 for none, 1006 when no Close frame came). */
  get code(): number { return this.#code; }
  /** The peer's close reason, decoded. */
  get reason(): string { return this.#reason; }
  /** True when both Close frames were exchanged. */
  get wasClean(): boolean { return this.#wasClean; }
}

/** ws's ErrorEvent: the `error` event's error and its message. */
export class ErrorEvent extends Event {
  readonly #error: unknown;
  readonly #message: string;
  /** An error event; `init.error` defaults to null, `init.message` to "". */
  constructor(type: string, init: { error?: unknown; message?: string } = {}) {
    super(type);
    this.#error = init.error ?? null;
    this.#message = init.message ?? "";
  }
  /** The Error the socket emitted. */
  get error(): unknown { return this.#error; }
  /** The error's message. */
  get message(): string { return this.#message; }
}

/** ws's MessageEvent: the `message` event's data. */
export class MessageEvent extends Event {
  readonly #data: unknown;
  /** A message event; `init.data` defaults to null. */
  constructor(type: string, init: { data?: unknown } = {}) {
    super(type);
    this.#data = init.data ?? null;
  }
  /** Text as a string; binary as the socket's binaryType says. */
  get data(): unknown { return this.#data; }
}

type Handler = ((event: Event) => void) | { handleEvent(event: Event): void };
type Wrapped = ((...args: unknown[]) => void) & {
  [kListener]?: Handler;
  [kType]?: string;
  [kForOnEventAttribute]?: boolean;
};

/** What the shim needs from the socket. */
export interface ShimTarget extends EventEmitter {
  readonly binaryType: string;
}

function call(listener: Handler, thisArg: unknown, event: Event): void {
  if (typeof listener === "object" && listener !== null && typeof listener.handleEvent === "function") {
    listener.handleEvent.call(listener, event);
  } else {
    (listener as (event: Event) => void).call(thisArg, event);
  }
}

function wrap(target: ShimTarget, type: string, handler: Handler): Wrapped | null {
  let wrapped: Wrapped;
  switch (type) {
    case "message":
      wrapped = function (this: unknown, data: unknown, isBinary: unknown) {
        // ws: a text message reaches event listeners as a string.
        const value = isBinary ? data : String(data);
        const event = new MessageEvent("message", { data: value });
        event[kTarget] = target;
        call(handler, target, event);
      };
      break;
    case "close":
      wrapped = function (code: unknown, reason: unknown) {
        const event = new CloseEvent("close", {
          code: code as number,
          reason: String(reason),
          wasClean: (target as unknown as { [kWasClean]?: boolean })[kWasClean] === true,
        });
        event[kTarget] = target;
        call(handler, target, event);
      };
      break;
    case "error":
      wrapped = function (error: unknown) {
        const event = new ErrorEvent("error", { error, message: (error as Error)?.message ?? "" });
        event[kTarget] = target;
        call(handler, target, event);
      };
      break;
    case "open":
      wrapped = function () {
        const event = new Event("open");
        event[kTarget] = target;
        call(handler, target, event);
      };
      break;
    default:
      return null;
  }
  wrapped[kListener] = handler;
  wrapped[kType] = type;
  return wrapped;
}

function findWrapped(target: ShimTarget, type: string, handler: unknown, onAttribute: boolean): Wrapped | undefined {
  for (const l of target.listeners(type) as Wrapped[]) {
    if (l[kListener] === handler && Boolean(l[kForOnEventAttribute]) === onAttribute) return l;
  }
  return undefined;
}

export function addEventListener(
  target: ShimTarget,
  type: string,
  handler: Handler | null | undefined,
  options: { once?: boolean; [kForOnEventAttribute]?: boolean } | boolean = {},
): void {
  if (handler === null || handler === undefined) return;
  const opts = typeof options === "object" ? options : {};
  const onAttribute = Boolean(opts[kForOnEventAttribute]);
  if (!onAttribute && findWrapped(target, type, handler, false)) return;
  const wrapped = wrap(target, type, handler);
  if (!wrapped) return;
  if (onAttribute) wrapped[kForOnEventAttribute] = true;
  if (opts.once) target.once(type, wrapped);
  else target.on(type, wrapped);
}

export function removeEventListener(target: ShimTarget, type: string, handler: unknown): void {
  const found = findWrapped(target, type, handler, false);
  if (found) target.removeListener(type, found);
}

/** The `on<type>` getter: the handler set through the slot, or null. */
export function getOnAttribute(target: ShimTarget, type: string): unknown {
  for (const l of target.listeners(type) as Wrapped[]) {
    if (l[kForOnEventAttribute]) return l[kListener];
  }
  return null;
}

/** The `on<type>` setter: replaces the slot's listener; a non-function clears it. */
export function setOnAttribute(target: ShimTarget, type: string, handler: unknown): void {
  for (const l of target.listeners(type) as Wrapped[]) {
    if (l[kForOnEventAttribute]) {
      target.removeListener(type, l);
      break;
    }
  }
  if (typeof handler !== "function") return;
  addEventListener(target, type, handler as Handler, { [kForOnEventAttribute]: true });
}
