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
 */

type Listener = (event: Event) => void;

/** An EventTarget with `on*` handler slots and faye-style on/off/once. */
export class DualEventTarget extends EventTarget {
  #slots = new Map<string, Listener>();

  /** Adds `listener` for `type`; the same as addEventListener. */
  on(type: string, listener: Listener): this {
    this.addEventListener(type, listener);
    return this;
  }

  /** Adds a listener that runs once. */
  once(type: string, listener: Listener): this {
    this.addEventListener(type, listener, { once: true });
    return this;
  }

  /** Removes a listener added with on/once/addEventListener. */
  off(type: string, listener: Listener): this {
    this.removeEventListener(type, listener);
    return this;
  }

  /** The `on<type>` slot: one listener at a time (WHATWG event handler IDL attribute). */
  protected getSlot(type: string): Listener | null {
    return this.#slots.get(type) ?? null;
  }

  protected setSlot(type: string, handler: unknown): void {
    const old = this.#slots.get(type);
    if (old) this.removeEventListener(type, old);
    if (typeof handler === "function") {
      const listener = handler as Listener;
      this.#slots.set(type, listener);
      this.addEventListener(type, listener);
    } else {
      this.#slots.delete(type);
    }
  }
}
