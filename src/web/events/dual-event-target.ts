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
  /** Per type: the current handler and the one listener that calls it. */
  #slots = new Map<string, { handler: Listener; listener: Listener }>();

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
    return this.#slots.get(type)?.handler ?? null;
  }

  protected setSlot(type: string, handler: unknown): void {
    const slot = this.#slots.get(type);
    if (typeof handler === "function") {
      // WHATWG html "event handlers": the listener is added on the first
      // assignment only; later ones swap the callback and keep its place
      // among the other listeners.
      if (slot) {
        slot.handler = handler as Listener;
        return;
      }
      const entry = { handler: handler as Listener, listener: (event: Event) => entry.handler.call(this, event) };
      this.#slots.set(type, entry);
      this.addEventListener(type, entry.listener);
    } else if (slot) {
      // Setting null deactivates the handler: its listener goes away.
      this.removeEventListener(type, slot.listener);
      this.#slots.delete(type);
    }
  }
}

/** The four WebSocket event handler slots (WHATWG: onopen, onmessage, onerror, onclose). */
export class WebSocketHandlers extends DualEventTarget {
  get onopen(): ((ev: Event) => void) | null { return this.getSlot("open"); }
  set onopen(fn: ((ev: Event) => void) | null) { this.setSlot("open", fn); }
  get onmessage(): ((ev: MessageEvent) => void) | null { return this.getSlot("message") as never; }
  set onmessage(fn: ((ev: MessageEvent) => void) | null) { this.setSlot("message", fn); }
  get onerror(): ((ev: Event) => void) | null { return this.getSlot("error"); }
  set onerror(fn: ((ev: Event) => void) | null) { this.setSlot("error", fn); }
  get onclose(): ((ev: CloseEvent) => void) | null { return this.getSlot("close") as never; }
  set onclose(fn: ((ev: CloseEvent) => void) | null) { this.setSlot("close", fn); }
}
