/**
 * Which tests use the running runtime's own sockets, for the per-runtime
 * counts in the suite's report. Off unless OMNISOCKET_NATIVE_LOG names a
 * file; then each test that opens a connection or a server through the
 * runtime's own API appends its name there once:
 *
 *   Node  net.Socket#connect, a net.Server's listen and accepted connections
 *         (node:net is Node's own; node:tls and node:http sit on it)
 *   Deno  Deno.connect, connectTls, startTls, listen, listenTls, serve; a
 *         listener's accept(), a Deno.serve handler's request
 *   Bun   Bun.connect, listen, serve; a Bun.listen socket's open, a Bun.serve fetch
 *
 * On Deno and Bun, node:net is a compatibility layer (the ws, faye and
 * node:http peers use it): it is not counted there.
 *
 *   OMNISOCKET_NATIVE_LOG=/tmp/deno.txt deno test -A ...; sort -u /tmp/deno.txt | wc -l
 */
import { appendFileSync } from "node:fs";
import net from "node:net";
import process from "node:process";

let current = "";
const isNode = !(globalThis as { Deno?: unknown; Bun?: unknown }).Deno && !(globalThis as { Bun?: unknown }).Bun;
const logged = new Set<string>();
const file = (() => {
  try {
    return process.env.OMNISOCKET_NATIVE_LOG ?? "";
  } catch {
    return "";
  }
})();

/** The harness names the test about to run. */
export function runningTest(name: string): void {
  current = name;
}

/** Bun's node:http serves through Bun.serve: a call made for node:http is the compatibility layer's, not ours. */
function fromNodeCompat(): boolean {
  return /\bnode:(?:http|https|net|tls|_http)/.test(new Error().stack ?? "");
}

function used(): void {
  if (!current || logged.has(current)) return;
  if (!isNode && fromNodeCompat()) return;
  logged.add(current);
  appendFileSync(file, current + "\n");
}

type Fn = (...args: unknown[]) => unknown;

/** `fn` that first notes the running test. */
function noting(fn: Fn): Fn {
  const wrapped = function (this: unknown, ...args: unknown[]) {
    used();
    return fn.apply(this, args);
  };
  // Deno.serve passes no request to a handler declared without parameters.
  Object.defineProperty(wrapped, "length", { value: fn.length });
  return wrapped;
}

/** Replaces methods of `target` with ones that note the test, and hand their result to `after`. */
function wrap(target: Record<string, unknown>, names: string[], before?: (args: unknown[]) => void, after?: (result: unknown) => void): void {
  for (const name of names) {
    const original = target[name];
    if (typeof original !== "function") continue;
    target[name] = function (this: unknown, ...args: unknown[]) {
      used();
      before?.(args);
      const result = (original as Fn).apply(this, args);
      after?.(result);
      return result;
    };
  }
}

/** Deno.serve(handler) / (options, handler) / ({ handler }); Bun.serve({ fetch }); Bun.listen({ socket: { open } }). */
function wrapCallbacks(args: unknown[]): void {
  const last = args.length - 1;
  if (typeof args[last] === "function") args[last] = noting(args[last] as Fn);
  for (const options of args) {
    if (!options || typeof options !== "object") continue;
    const o = options as Record<string, unknown>;
    for (const key of ["handler", "fetch"]) if (typeof o[key] === "function") o[key] = noting(o[key] as Fn);
    const socket = o.socket as Record<string, unknown> | undefined;
    if (socket && typeof socket.open === "function") o.socket = { ...socket, open: noting(socket.open as Fn) };
  }
}

if (file) {
  const g = globalThis as unknown as { Deno?: Record<string, unknown>; Bun?: Record<string, unknown> };
  if (g.Deno) {
    wrap(g.Deno, ["connect", "connectTls", "startTls"]);
    wrap(g.Deno, ["serve"], wrapCallbacks);
    wrap(g.Deno, ["listen", "listenTls"], undefined, (listener) => wrap(listener as Record<string, unknown>, ["accept"]));
  } else if (g.Bun) {
    wrap(g.Bun, ["connect"]);
    wrap(g.Bun, ["listen", "serve"], wrapCallbacks);
  } else {
    wrap(net.Socket.prototype as unknown as Record<string, unknown>, ["connect"]);
    wrap(net.Server.prototype as unknown as Record<string, unknown>, ["listen"]);
    const emit = net.Server.prototype.emit;
    net.Server.prototype.emit = function (this: net.Server, event: string | symbol, ...args: unknown[]) {
      if (event === "connection") used();
      return (emit as Fn).call(this, event, ...args) as boolean;
    } as typeof emit;
  }
}
