/**
 * One step of the extension pipeline: calls a session's
 * processIncomingMessage / processOutgoingMessage in whichever style it is
 * written, and turns anything it does wrong into a WebSocketError.
 *
 *   return style (ours)             process(message) -> message | promise of it
 *   callback style                  process(message, (error, message) => ...)
 *   (websocket-extensions: faye's permessage-deflate and the plugins built for it)
 *
 * A method declared with two or more parameters is callback style: what it
 * returns is ignored (faye's sessions return whatever their queue's push
 * returns), except a rejected promise, and the first call of the callback
 * counts, whether it comes during the call or later. Either style may throw.
 *
 * Whatever comes back is checked before the engine touches it: a message
 * object with opcode 1 or 2 and `data` a Uint8Array, and on the way out no
 * RSV bit that no negotiated extension claims (RFC 6455 section 5.2: the
 * peer would have to fail the connection). A throw, a rejection, an error
 * passed to the callback and a bad result all become `WS_ERR_EXTENSION`
 * (the error's own `closeCode` when it is one that may be sent, else 1011):
 * they fail that one connection, never the program around it.
 */
import { isValidCloseCode } from "../close.ts";
import { WebSocketError } from "../../shared/errors.ts";
import type { ExtensionMessage, ExtensionSession } from "./extension.ts";
import { isThenable } from "../../shared/thenable.ts";

export type Direction = "in" | "out";

export type StepResult = ExtensionMessage | WebSocketError | PromiseLike<ExtensionMessage | WebSocketError>;

/** Maps anything an extension throws to a WebSocketError with a close code. */
export function extensionError(err: unknown, name?: string): WebSocketError {
  if (err instanceof WebSocketError) return err;
  const closeCode = (err as { closeCode?: unknown } | null)?.closeCode;
  const detail = err instanceof Error ? err.message : String(err);
  const message = name === undefined ? `Extension error: ${detail}` : `Extension "${name}" failed: ${detail}`;
  // Only a code that may go on the wire (RFC 6455 section 7.4.1); anything else is 1011.
  return new WebSocketError("WS_ERR_EXTENSION", message, typeof closeCode === "number" && isValidCloseCode(closeCode) ? closeCode : undefined);
}

/** A message an extension handed back, checked; or why it is unusable. */
export function checkResult(value: unknown, direction: Direction, allowedRsv: number, name: string): ExtensionMessage | WebSocketError {
  const m = value as Partial<ExtensionMessage> | null;
  if (typeof m !== "object" || m === null) return badResult(name, `gave ${m === null ? "null" : typeof m} instead of a message`);
  if (m.opcode !== 1 && m.opcode !== 2) return badResult(name, `gave a message with opcode ${String(m.opcode)}`);
  if (!(m.data instanceof Uint8Array)) return badResult(name, "gave a message whose data is not a Uint8Array");
  if (direction === "out") {
    // RFC 6455 section 5.2: an RSV bit only with an extension that defines it.
    const rsv = (m.rsv1 ? 4 : 0) | (m.rsv2 ? 2 : 0) | (m.rsv3 ? 1 : 0);
    if (rsv & ~allowedRsv) return badResult(name, "set an RSV bit no negotiated extension claims");
  }
  return m as ExtensionMessage;
}

function badResult(name: string, detail: string): WebSocketError {
  return new WebSocketError("WS_ERR_EXTENSION", `Extension "${name}" ${detail}`);
}

/** Runs one session on one message. Never throws. */
export function callSession(
  session: ExtensionSession,
  name: string,
  direction: Direction,
  message: ExtensionMessage,
  allowedRsv: number,
): StepResult {
  let method: unknown;
  try {
    method = direction === "out" ? session.processOutgoingMessage : session.processIncomingMessage;
  } catch (err) {
    return extensionError(err, name);
  }
  if (typeof method !== "function") return badResult(name, `has no ${direction === "out" ? "processOutgoingMessage" : "processIncomingMessage"} method`);
  if (method.length >= 2) return new CallbackStep(name, direction, allowedRsv).run(method, session, message);
  let result: unknown;
  try {
    result = method.call(session, message);
  } catch (err) {
    return extensionError(err, name);
  }
  if (!isThenable(result)) return checkResult(result, direction, allowedRsv, name);
  const thenable = result;
  return new Promise<ExtensionMessage | WebSocketError>((resolve) => {
    try {
      thenable.then(
        (value) => resolve(checkResult(value, direction, allowedRsv, name)),
        (err) => resolve(extensionError(err, name)),
      );
    } catch (err) {
      resolve(extensionError(err, name));
    }
  });
}

/** One callback-style call: the first answer wins, sync or async. */
class CallbackStep {
  private done = false;
  private value: ExtensionMessage | WebSocketError | undefined;
  private resolve: ((value: ExtensionMessage | WebSocketError) => void) | null = null;

  constructor(private readonly name: string, private readonly direction: Direction, private readonly allowedRsv: number) {}

  run(method: Function, session: ExtensionSession, message: ExtensionMessage): StepResult {
    let returned: unknown;
    try {
      returned = method.call(session, message, (error: unknown, result: unknown) => {
        // websocket-extensions: a truthy first argument is the error.
        this.settle(error ? extensionError(error, this.name) : checkResult(result, this.direction, this.allowedRsv, this.name));
      });
    } catch (err) {
      this.settle(extensionError(err, this.name));
    }
    if (this.done) return this.value!;
    // An async method (or one returning a promise) may reject instead of calling back.
    if (isThenable(returned)) {
      try {
        returned.then(undefined, (err) => this.settle(extensionError(err, this.name)));
      } catch (err) {
        this.settle(extensionError(err, this.name));
        return this.value!;
      }
    }
    return new Promise((resolve) => {
      if (this.done) resolve(this.value!);
      else this.resolve = resolve;
    });
  }

  private settle(value: ExtensionMessage | WebSocketError): void {
    if (this.done) return;
    this.done = true;
    this.value = value;
    this.resolve?.(value);
  }
}
