/**
 * faye-websocket's event objects: plain objects, not DOM events. The type
 * and the given fields first, then the fields initEvent() sets, then
 * target/currentTarget/eventPhase at dispatch (the order Object.keys shows).
 */
export class FayeEvent {
  /** eventPhase value, never used: faye's events do not propagate. */
  static readonly CAPTURING_PHASE = 1;
  /** eventPhase at dispatch: every event is at its target. */
  static readonly AT_TARGET = 2;
  /** eventPhase value, never used: faye's events do not bubble. */
  static readonly BUBBLING_PHASE = 3;

  // Declared, not initialised: each field appears when faye's sets it.
  /** "open", "message", "error" or "close". */
  declare type: string;
  /** Always false. */
  declare bubbles?: boolean;
  /** Always false. */
  declare cancelable?: boolean;
  /** The socket, set at dispatch. */
  declare currentTarget?: unknown;
  /** The socket, set at dispatch. */
  declare target?: unknown;
  /** AT_TARGET, set at dispatch. */
  declare eventPhase?: number;
  /** The event's own fields: `data` (message), `message` (error), `code` and `reason` (close). */
  [field: string]: unknown;

  /** An event of `type` with `fields` copied onto it, as faye's Event does. */
  constructor(type: string, fields?: Record<string, unknown>) {
    this.type = type;
    if (fields) for (const key of Object.keys(fields)) this[key] = fields[key];
    this.initEvent(type, false, false);
  }

  /** Sets `type`, `bubbles` and `cancelable` (the DOM's legacy initEvent). */
  initEvent(type: string, bubbles: boolean, cancelable: boolean): void {
    this.type = type;
    this.bubbles = bubbles;
    this.cancelable = cancelable;
  }

  /** Does nothing: there is no propagation to stop. */
  stopPropagation(): void {}
  /** Does nothing: faye's events have no default action. */
  preventDefault(): void {}
}

/** What a faye-style target needs to dispatch: `on<type>` slots, then emit(). */
export interface FayeDispatcher {
  emit(type: string, event: FayeEvent): unknown;
}

/**
 * faye's dispatchEvent: the event's target is the socket, the `on<type>`
 * property runs first, then the listeners added with on()/addEventListener.
 */
export function dispatchFayeEvent(target: FayeDispatcher, event: FayeEvent): void {
  event.target = event.currentTarget = target;
  event.eventPhase = FayeEvent.AT_TARGET;
  const handler = (target as unknown as Record<string, unknown>)[`on${event.type}`];
  if (typeof handler === "function") (handler as (e: FayeEvent) => void).call(target, event);
  target.emit(event.type, event);
}
