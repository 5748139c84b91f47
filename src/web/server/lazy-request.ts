/**
 * The upgrade request of a standalone server, built only when something
 * reads it: most `listen()` callbacks never look at their `request`, and on
 * Node a fetch `Request` (undici: a URL, a Headers, an AbortController
 * and a finalization record) costs more than the rest of the handshake's
 * JavaScript together.
 *
 *   requestOf(head)          eager: a Request now                 (request.ts)
 *   lazyRequestOf(head)      a Proxy whose target has Request.prototype;
 *                            the first property read builds the same Request
 *                            and every read, call and write goes to it
 *
 * What a caller sees is that Request: `instanceof Request`, every getter
 * and method (bound to it), `new Request(request)` and `fetch(request)`
 * (their internal fields are read through the proxy too), and Node's
 * `util.inspect` (which calls the custom inspector on the proxy). Only
 * Node's inspector goes through the proxy, so only the Node entry asks
 * for it; Deno's and Bun's consoles read the target, and there a Request
 * costs a few microseconds: those entries build it at once.
 *
 * A head the Request would refuse must still be refused (400) before the
 * handshake is answered, so the checks that can fail run now:
 * `checkRequestable` throws as `new Request` would.
 */
import type { HttpRequestHead } from "../../core/http/head-parser.ts";
import { requestOf, requestUrlOf } from "./request.ts";

/** Methods fetch refuses to construct a Request with (RFC 9110 CONNECT, TRACE; TRACK). */
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/** Throws the TypeError `new Request(url, { method })` would throw for this head; the head parser has checked the fields. */
function checkRequestable(url: string, method: string): void {
  if (!URL.canParse(url)) throw new TypeError(`Invalid URL: ${url}`);
  if (FORBIDDEN_METHODS.has(method.toUpperCase())) throw new TypeError(`'${method}' HTTP method is unsupported.`);
}

/** The traps of one lazy request (the proxy's handler): builds the Request on first use and forwards to it. */
class LazyRequest implements ProxyHandler<object> {
  #request: Request | null = null;
  /** Bound methods handed out so far, so `request.text === request.text`. */
  #bound: Map<PropertyKey, { method: Function; bound: Function }> | null = null;

  constructor(readonly head: HttpRequestHead, readonly secure: boolean) {}

  #built(): Request {
    return (this.#request ??= requestOf(this.head, this.secure));
  }

  get(_target: object, property: PropertyKey): unknown {
    const request = this.#built();
    const value: unknown = Reflect.get(request, property, request);
    if (typeof value !== "function" || property === "constructor") return value;
    this.#bound ??= new Map();
    let entry = this.#bound.get(property);
    if (entry === undefined || entry.method !== value) {
      entry = { method: value, bound: value.bind(request) };
      this.#bound.set(property, entry);
    }
    return entry.bound;
  }

  has(_target: object, property: PropertyKey): boolean {
    return Reflect.has(this.#built(), property);
  }

  set(_target: object, property: PropertyKey, value: unknown): boolean {
    const request = this.#built();
    return Reflect.set(request, property, value, request);
  }
}

/** The head's fetch Request, built on first use; throws now (as `requestOf` would) for a head a Request refuses. */
export function lazyRequestOf(head: HttpRequestHead, secure: boolean): Request {
  checkRequestable(requestUrlOf(head, secure), head.method);
  return new Proxy(Object.create(Request.prototype) as object, new LazyRequest(head, secure)) as Request;
}
