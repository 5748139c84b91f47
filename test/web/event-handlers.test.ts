/**
 * `on<type>` event handler attributes (WHATWG html, "event handlers") on the
 * dispatch path every WebSocket shares: the handler's listener is added on
 * the first assignment and keeps its place when the handler is replaced;
 * null removes it. Chromium does the same (test/browser/identical-transcript).
 */
import { describe, expect, it } from "../harness.ts";
import { DualEventTarget } from "../../src/web/events/dual-event-target.ts";

class Target extends DualEventTarget {
  get onping(): ((event: Event) => void) | null { return this.getSlot("ping"); }
  set onping(fn: ((event: Event) => void) | null) { this.setSlot("ping", fn); }
}

function fire(target: Target): void {
  target.dispatchEvent(new Event("ping"));
}

describe("event handler attributes", () => {
  it("a replaced handler keeps the place of the first assignment", () => {
    const target = new Target();
    const order: string[] = [];
    target.onping = () => order.push("h1");
    target.addEventListener("ping", () => order.push("listener"));
    target.onping = () => order.push("h2");
    fire(target);
    expect(order).toEqual(["h2", "listener"]);
  });

  it("null removes the handler; assigning again puts it after the listeners", () => {
    const target = new Target();
    const order: string[] = [];
    target.onping = () => order.push("h1");
    target.on("ping", () => order.push("listener"));
    target.onping = null;
    expect(target.onping).toBeNull();
    fire(target);
    target.onping = () => order.push("h2");
    fire(target);
    expect(order).toEqual(["listener", "listener", "h2"]);
  });

  it("the getter returns the handler; a non-function clears it", () => {
    const target = new Target();
    const handler = (): void => {};
    target.onping = handler;
    expect(target.onping).toBe(handler);
    (target as unknown as { onping: unknown }).onping = "not a function";
    expect(target.onping).toBeNull();
  });

  it("runs the handler with the target as `this`, once per event", () => {
    const target = new Target();
    const seen: unknown[] = [];
    target.onping = function (this: unknown) { seen.push(this); };
    fire(target);
    expect(seen.length).toBe(1);
    expect(seen[0]).toBe(target);
  });
});
