/**
 * The two event styles on one dispatch path.
 *
 *   ws.onmessage = fn          one slot per type, swapped on assignment
 *   ws.on("message", fn)       sugar for addEventListener
 *   ws.once("message", fn)     addEventListener with { once: true }
 *   ws.off("message", fn)      removeEventListener
 *           \__________________________/
 *                      v
 *               EventTarget.dispatchEvent
 *
 * `HandlerSlots` holds the `on*` slots of one target. Classes whose
 * prototype chain WebIDL fixes (WebSocket, EventSource: their prototype's
 * prototype is EventTarget.prototype) extend EventTarget and keep a
 * HandlerSlots; other classes extend DualEventTarget.
 */

const NO_PAIRS: ReadonlyArray<string | ((event: Event) => void)> = [];

/** A listener for `type` typed by an event map: `on("close", (e) => e.code)`. */
export type TypedListener<Map, K extends keyof Map, This = unknown> = (this: This, event: Map[K]) => void;

/** Where a target's HandlerSlots can be found by the shared listeners below. */
const SLOTS: unique symbol = Symbol("omnisocket.handlerSlots");
type Slotted = EventTarget & { [SLOTS]?: HandlerSlots };

/**
 * One listener function per event type, shared by every target: an
 * EventTarget calls a listener with the target as `this` (DOM "inner
 * invoke": the callback this value is the event's currentTarget), which
 * leads to its slots. A plain function, not an EventListener object: Node
 * wraps an object's handleEvent in an async function per listener.
 */
const listeners = new Map<string, (this: EventTarget, event: Event) => void>();

function listenerFor(type: string): (this: EventTarget, event: Event) => void {
  let listener = listeners.get(type);
  if (listener === undefined) {
    listener = function (this: EventTarget, event: Event): void {
      const handler = (this as Slotted)[SLOTS]?.get(type);
      if (handler) handler.call(this, event);
    };
    listeners.set(type, listener);
  }
  return listener;
}

/**
 * The `on<type>` event handler IDL attributes of one target (WHATWG html
 * "event handlers"). A handler costs a pair of array entries: the listener
 * that calls it is shared by every target (see listenerFor), so there is
 * no closure and no record per type on every socket.
 */
export class HandlerSlots {
  readonly #target: EventTarget;
  /** Type and current handler, in pairs: [type, handler, type, handler, ...]; null until the first handler. */
  #pairs: Array<string | ((event: Event) => void)> | null = null;

  constructor(target: EventTarget) {
    this.#target = target;
  }

  get(type: string): ((event: Event) => void) | null {
    const pairs = this.#pairs;
    if (pairs === null) return null;
    for (let i = 0; i < pairs.length; i += 2) {
      if (pairs[i] === type) return pairs[i + 1] as (event: Event) => void;
    }
    return null;
  }

  set(type: string, handler: unknown): void {
    const pairs = this.#pairs ?? NO_PAIRS;
    let at = -1;
    for (let i = 0; i < pairs.length; i += 2) {
      if (pairs[i] === type) at = i;
    }
    const target = this.#target as Slotted;
    if (typeof handler === "function") {
      // The listener is added on the first assignment only; later ones swap
      // the callback and keep its place among the other listeners.
      if (at >= 0) {
        this.#pairs![at + 1] = handler as (event: Event) => void;
        return;
      }
      // A new array of the exact size (a push would reserve room for 17).
      this.#pairs = [...pairs, type, handler as (event: Event) => void];
      target[SLOTS] ??= this;
      target.addEventListener(type, listenerFor(type));
    } else if (at >= 0) {
      // Setting null deactivates the handler: its listener goes away.
      target.removeEventListener(type, listenerFor(type));
      this.#pairs = pairs.filter((_, i) => i !== at && i !== at + 1);
    }
  }
}

/** An EventTarget with `on*` handler slots and faye-style on/off/once. */
export class DualEventTarget extends EventTarget {
  #slots = new HandlerSlots(this);

  /** Adds `listener` for `type`; the same as addEventListener. */
  on(type: string, listener: (event: Event) => void): this {
    this.addEventListener(type, listener);
    return this;
  }

  /** Adds a listener that runs once. */
  once(type: string, listener: (event: Event) => void): this {
    this.addEventListener(type, listener, { once: true });
    return this;
  }

  /** Removes a listener added with on/once/addEventListener. */
  off(type: string, listener: (event: Event) => void): this {
    this.removeEventListener(type, listener);
    return this;
  }

  /** The `on<type>` slot: one listener at a time (WHATWG event handler IDL attribute). */
  protected getSlot(type: string): ((event: Event) => void) | null {
    return this.#slots.get(type);
  }

  /** Sets the `on<type>` slot: a function replaces the handler in its place among the listeners; anything else removes it. */
  protected setSlot(type: string, handler: unknown): void {
    this.#slots.set(type, handler);
  }
}
