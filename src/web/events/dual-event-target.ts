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

/** A listener for `type` typed by an event map: `on("close", (e) => e.code)`. */
export type TypedListener<Map, K extends keyof Map, This = unknown> = (this: This, event: Map[K]) => void;

/** The `on<type>` event handler IDL attributes of one target (WHATWG html "event handlers"). */
export class HandlerSlots {
  readonly #target: EventTarget;
  /** Per type: the current handler and the one listener that calls it. */
  #slots = new Map<string, { handler: (event: Event) => void; listener: (event: Event) => void }>();

  constructor(target: EventTarget) {
    this.#target = target;
  }

  get(type: string): ((event: Event) => void) | null {
    return this.#slots.get(type)?.handler ?? null;
  }

  set(type: string, handler: unknown): void {
    const slot = this.#slots.get(type);
    const target = this.#target;
    if (typeof handler === "function") {
      // The listener is added on the first assignment only; later ones swap
      // the callback and keep its place among the other listeners.
      if (slot) {
        slot.handler = handler as (event: Event) => void;
        return;
      }
      const entry = { handler: handler as (event: Event) => void, listener: (event: Event) => entry.handler.call(target, event) };
      this.#slots.set(type, entry);
      target.addEventListener(type, entry.listener);
    } else if (slot) {
      // Setting null deactivates the handler: its listener goes away.
      target.removeEventListener(type, slot.listener);
      this.#slots.delete(type);
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
