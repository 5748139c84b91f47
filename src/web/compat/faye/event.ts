/**
 * faye-websocket's event objects: plain objects, not DOM events. The type
 * and the given fields first, then the fields initEvent() sets, then
 * target/currentTarget/eventPhase at dispatch (the order Object.keys shows).
 */
export class FayeEvent {
  static readonly CAPTURING_PHASE = 1;
  static readonly AT_TARGET = 2;
  static readonly BUBBLING_PHASE = 3;

  // Declared, not initialised: each field appears when faye's sets it.
  declare type: string;
  declare bubbles?: boolean;
  declare cancelable?: boolean;
  declare currentTarget?: unknown;
  declare target?: unknown;
  declare eventPhase?: number;
  [field: string]: unknown;

  constructor(type: string, fields?: Record<string, unknown>) {
    this.type = type;
    if (fields) for (const key of Object.keys(fields)) this[key] = fields[key];
    this.initEvent(type, false, false);
  }

  initEvent(type: string, bubbles: boolean, cancelable: boolean): void {
    this.type = type;
    this.bubbles = bubbles;
    this.cancelable = cancelable;
  }

  stopPropagation(): void {}
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
