/**
 * The WebSocket's message events, made the fastest way the runtime allows:
 *
 *   messageEvent(data, origin)  new MessageEvent("message", { data, origin })   by default
 *                               a LightMessageEvent after useLightMessageEvents() (Bun)
 *
 * Bun's MessageEvent constructor costs about 400 ns with an init dictionary,
 * four times an Event's, and on a small-message echo that is a third of all
 * the time a message takes. A LightMessageEvent is a real Event (made by
 * Event's constructor, so dispatchEvent takes it and `type`, `target` and the
 * rest are the runtime's own) whose prototype chain runs through
 * MessageEvent.prototype: `instanceof MessageEvent` holds, its toString tag
 * is "MessageEvent", and `constructor` is MessageEvent. Its own getters
 * answer `data`, `origin`, `lastEventId`, `source` and `ports`; only the
 * MessageEvent.prototype getters themselves, called on it directly, refuse
 * it, as they refuse any object the constructor did not make.
 */
import { MessageEvent } from "./events.ts";

const NO_PORTS: readonly MessagePort[] = Object.freeze([]);

class LightMessageEvent extends Event {
  readonly #data: unknown;
  readonly #origin: string;

  constructor(data: unknown, origin: string) {
    super("message");
    this.#data = data;
    this.#origin = origin;
  }

  get data(): unknown {
    return this.#data;
  }

  get origin(): string {
    return this.#origin;
  }

  get lastEventId(): string {
    return "";
  }

  get source(): null {
    return null;
  }

  get ports(): readonly MessagePort[] {
    return NO_PORTS;
  }
}

Object.setPrototypeOf(LightMessageEvent.prototype, MessageEvent.prototype);
Object.defineProperty(LightMessageEvent.prototype, "constructor", { value: MessageEvent, writable: true, configurable: true });

let light = false;

/** A "message" event carrying `data` from `origin`. */
export function messageEvent(data: unknown, origin: string): MessageEvent {
  return light ? new LightMessageEvent(data, origin) as unknown as MessageEvent : new MessageEvent("message", { data, origin });
}

/** For runtime entries whose MessageEvent constructor is slow: message events become LightMessageEvents. */
export function useLightMessageEvents(): void {
  light = true;
}
