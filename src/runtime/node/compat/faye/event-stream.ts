/**
 * faye's event target on a Node legacy Stream, shared by its sockets and its
 * EventSource: `addEventListener`/`removeEventListener` are `on`/
 * `removeListener`, and `dispatchEvent` runs the `on<type>` property, then
 * the listeners (faye-websocket's api/event_target.js behaviour).
 */
import { Stream } from "node:stream";
import { dispatchFayeEvent, type FayeEvent } from "../../../../web/compat/faye/event.ts";

/** A listener for a faye object's events: `on("message", (event) => event.data)`. */
export type FayeListener = (event: FayeEvent) => void;

/** A Node Stream with faye's EventTarget methods. */
export class FayeEventStream extends Stream {
  /** faye's EventTarget: the same as on(). */
  addEventListener(type: string, listener: FayeListener, _useCapture?: boolean): void {
    this.on(type, listener);
  }

  /** faye's EventTarget: the same as removeListener(). */
  removeEventListener(type: string, listener: FayeListener, _useCapture?: boolean): void {
    this.removeListener(type, listener);
  }

  /** Runs the `on<type>` property, then the listeners. */
  dispatchEvent(event: FayeEvent): void {
    dispatchFayeEvent(this, event);
  }
}
