/**
 * The events a WebSocket dispatches. Runtimes that ship CloseEvent and
 * ErrorEvent (browsers, Deno, Bun) keep theirs; Node 20 gets these, which
 * follow the WHATWG definitions (html: CloseEvent, ErrorEvent).
 */

export interface CloseEventInit extends EventInit {
  wasClean?: boolean;
  code?: number;
  reason?: string;
}

class CloseEventShim extends Event {
  readonly wasClean: boolean;
  readonly code: number;
  readonly reason: string;
  constructor(type: string, init: CloseEventInit = {}) {
    super(type, init);
    this.wasClean = init.wasClean ?? false;
    this.code = init.code ?? 0;
    this.reason = init.reason ?? "";
  }
}

export interface ErrorEventInit extends EventInit {
  message?: string;
  filename?: string;
  lineno?: number;
  colno?: number;
  error?: unknown;
}

class ErrorEventShim extends Event {
  readonly message: string;
  readonly filename: string;
  readonly lineno: number;
  readonly colno: number;
  readonly error: unknown;
  constructor(type: string, init: ErrorEventInit = {}) {
    super(type, init);
    this.message = init.message ?? "";
    this.filename = init.filename ?? "";
    this.lineno = init.lineno ?? 0;
    this.colno = init.colno ?? 0;
    this.error = init.error;
  }
}

const g = globalThis as unknown as {
  CloseEvent?: typeof CloseEventShim;
  ErrorEvent?: typeof ErrorEventShim;
};

export const CloseEvent: typeof CloseEventShim = g.CloseEvent ?? CloseEventShim;
export type CloseEvent = CloseEventShim;
export const ErrorEvent: typeof ErrorEventShim = g.ErrorEvent ?? ErrorEventShim;
export type ErrorEvent = ErrorEventShim;
export const MessageEvent: typeof globalThis.MessageEvent = globalThis.MessageEvent;
// `any` by default, as in lib.dom: browser code such as
// `ws.onmessage = (e) => ws.send(e.data)` type-checks unchanged.
// deno-lint-ignore no-explicit-any
export type MessageEvent<T = any> = globalThis.MessageEvent<T>;
