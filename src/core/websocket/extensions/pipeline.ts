/**
 * Runs negotiated extension sessions over whole messages and keeps order.
 *
 *   outgoing: session[0] -> session[1] -> ... -> frames
 *   incoming: session[n-1] -> ... -> session[0] -> message
 *
 * A session may answer synchronously, with a promise, or through a callback
 * (websocket-extensions style; see session-call.ts, which also turns every
 * throw and bad result into a WebSocketError). Results are released
 * strictly in submission order through an OrderedQueue, so an asynchronous
 * compressor never reorders messages, and anything queued behind a message
 * (a close, say) waits for it.
 */
import { WebSocketError } from "../../shared/errors.ts";
import type { ActiveExtension, ExtensionMessage, SharedTransform } from "./extension.ts";
import { callSession, type Direction } from "./session-call.ts";
import { isThenable } from "../../shared/thenable.ts";
import { closeSessions } from "./close-sessions.ts";

export { extensionError } from "./session-call.ts";

export class ExtensionPipeline {
  /** The RSV bits the negotiated extensions claim (RSV1 = 4, RSV2 = 2, RSV3 = 1). */
  readonly rsvMask: number;
  private readonly names: string[];

  constructor(private readonly active: ActiveExtension[]) {
    let mask = 0;
    for (const { extension } of active) {
      mask |= (extension.rsv1 ? 4 : 0) | (extension.rsv2 ? 2 : 0) | (extension.rsv3 ? 1 : 0);
    }
    this.rsvMask = mask;
    this.names = active.map(({ extension }) => String(extension.name));
  }

  get empty(): boolean {
    return this.active.length === 0;
  }

  /**
   * Pub/sub: how every extension would send a message of `length` bytes
   * (ExtensionSession.sharedOutgoing): "as-is" when all pass it on
   * unchanged; the one SharedTransform when exactly one transforms it that
   * way and the others pass it on; null otherwise.
   */
  sharedOutgoing(length: number, compress: boolean | undefined): "as-is" | SharedTransform | null {
    let shared: SharedTransform | null = null;
    for (const { session } of this.active) {
      const plan = session.sharedOutgoing?.(length, compress) ?? null;
      if (plan === null) return null;
      if (plan === "as-is") continue;
      if (shared !== null) return null;
      shared = plan;
    }
    return shared ?? "as-is";
  }

  /**
   * The processed message, a promise of it, or a WebSocketError. Once one
   * message of a direction is pending, the next ones run behind it: a stage
   * never sees message n+1 before message n (a compressor's shared window
   * depends on that).
   */
  process(direction: Direction, message: ExtensionMessage): ExtensionMessage | WebSocketError | PromiseLike<ExtensionMessage | WebSocketError> {
    const pending = direction === "out" ? this.pendingOut : this.pendingIn;
    if (pending === null) {
      const result = this.runAll(direction, message);
      if (isThenable(result)) this.track(direction, result);
      return result;
    }
    const result = pending.then(() => this.runAll(direction, message));
    this.track(direction, result);
    return result;
  }

  private pendingIn: PromiseLike<unknown> | null = null;
  private pendingOut: PromiseLike<unknown> | null = null;

  private track(direction: Direction, result: PromiseLike<unknown>): void {
    const clear = () => {
      if (direction === "out" ? this.pendingOut === result : this.pendingIn === result) {
        if (direction === "out") this.pendingOut = null;
        else this.pendingIn = null;
      }
    };
    if (direction === "out") this.pendingOut = result;
    else this.pendingIn = result;
    result.then(clear, clear);
  }

  private runAll(direction: Direction, message: ExtensionMessage): ExtensionMessage | WebSocketError | PromiseLike<ExtensionMessage | WebSocketError> {
    const n = this.active.length;
    return direction === "out" ? this.run(direction, message, 0, n, 1) : this.run(direction, message, n - 1, -1, -1);
  }

  private run(
    direction: Direction,
    message: ExtensionMessage,
    from: number,
    to: number,
    step: number,
  ): ExtensionMessage | WebSocketError | PromiseLike<ExtensionMessage | WebSocketError> {
    for (let i = from; i !== to; i += step) {
      const active = this.active[i];
      if (active === undefined) return closedError(); // closed while a message was on its way
      const result = callSession(active.session, this.names[i]!, direction, message, this.rsvMask);
      if (result instanceof WebSocketError) return result;
      if (isThenable(result)) {
        // callSession's promises never reject, and neither does this step.
        return result.then((next) => (next instanceof WebSocketError ? next : this.run(direction, next, i + step, to, step)));
      }
      message = result;
    }
    return message;
  }

  /** True while a message of either direction is still inside an extension. */
  get busy(): boolean {
    return this.pendingIn !== null || this.pendingOut !== null;
  }

  /**
   * Releases the sessions once the messages already inside them are done
   * (a peer that closed TCP after its last message still gets it read).
   */
  closeWhenIdle(): void {
    const pending = this.pendingIn ?? this.pendingOut;
    if (pending === null) return this.close();
    pending.then(() => this.closeWhenIdle(), () => this.closeWhenIdle());
  }

  /** Releases every session (compressors) once, now. */
  close(): void {
    // A failing cleanup must not take the connection's own close with it.
    closeSessions(this.active.splice(0));
  }
}

const closedError = () => new WebSocketError("WS_ERR_EXTENSION", "Extension pipeline closed while a message was in it");
