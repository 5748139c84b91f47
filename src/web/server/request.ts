/**
 * The upgrade request a standalone server (listen()) hands to `verify` and
 * `onSocket`, as a fetch `Request` built in time linear in the head.
 *
 *   HttpRequestHead (parsed, indexed by name)
 *     <= 256 entries --> a native Request (lines of one name joined first;
 *                        an entry is a name, or one Set-Cookie line)
 *     more           --> ListenRequest: headers are HeadHeaders, a
 *                        read-only view of the head
 *
 * Filling a native `Headers` field by field scans the names already there
 * on Deno and Bun (and Deno's `new Request(url, { headers })` copies them
 * again the same way): quadratic in the distinct names, so a head of
 * 100,000 fields, allowed by raised limits, stalled the whole event loop for
 * minutes. Below the bound (the default limits allow 100 fields) that scan
 * costs little and the request is an ordinary one; past it the view answers
 * from the head parser's index: built at once, `get`/`has` in constant
 * time, iteration sorted once (fetch's "sort and combine"). The runtimes'
 * own code does not see a view's fields: copying it with `new Request(req)`
 * or into a Response's headers (on Bun also `new Headers(req.headers)`)
 * copies none, so read them through `req.headers`.
 */
import type { HttpHeaders } from "../../core/http/headers.ts";
import type { HttpRequestHead } from "../../core/http/head-parser.ts";

// The iterator types as each type library names them (DOM's HeadersIterator, Deno's IterableIterator).
type EntriesIterator = ReturnType<Headers["entries"]>;
type KeysIterator = ReturnType<Headers["keys"]>;

function immutable(): TypeError {
  // Fetch: a request's headers have guard "request"; these, like a
  // received request's, are not meant to change.
  return new TypeError("The headers of an upgrade request are immutable");
}

/**
 * A `Headers` (`instanceof Headers`) over the parsed head: names compare
 * case-insensitively, lines of one name join with ", " (RFC 9110 section
 * 5.3), iteration gives lower-cased names in sorted order with Set-Cookie
 * lines apart, as the fetch standard's Headers does. Read-only.
 */
export class HeadHeaders extends Headers {
  readonly #head: HttpHeaders;
  #sorted: [string, string][] | null = null;

  constructor(head: HttpHeaders) {
    super();
    this.#head = head;
  }

  override get(name: string): string | null {
    return this.#head.get(name) ?? null;
  }

  override has(name: string): boolean {
    return this.#head.has(name);
  }

  override getSetCookie(): string[] {
    return this.#head.getAll("set-cookie");
  }

  override append(): void {
    throw immutable();
  }

  override set(): void {
    throw immutable();
  }

  override delete(): void {
    throw immutable();
  }

  /** Fetch's "sort and combine": one entry per name, Set-Cookie lines one each; O(n log n), once. */
  #entries(): [string, string][] {
    if (this.#sorted) return this.#sorted;
    const names = new Set<string>();
    for (const [name] of this.#head) names.add(name.toLowerCase());
    const out: [string, string][] = [];
    for (const name of [...names].sort()) {
      if (name === "set-cookie") for (const value of this.#head.getAll(name)) out.push([name, value]);
      else out.push([name, this.#head.get(name)!]);
    }
    return (this.#sorted = out);
  }

  override forEach(callback: (value: string, key: string, parent: this) => void, thisArg?: unknown): void {
    for (const [name, value] of this.#entries()) callback.call(thisArg, value, name, this);
  }

  override entries(): EntriesIterator {
    return this.#entries()[Symbol.iterator]() as unknown as EntriesIterator;
  }

  override keys(): KeysIterator {
    return this.#entries().map(([name]) => name)[Symbol.iterator]() as unknown as KeysIterator;
  }

  override values(): KeysIterator {
    return this.#entries().map(([, value]) => value)[Symbol.iterator]() as unknown as KeysIterator;
  }

  override [Symbol.iterator](): EntriesIterator {
    return this.entries();
  }
}

/** A fetch `Request` whose `headers` are a HeadHeaders view; `clone()` keeps them. */
export class ListenRequest extends Request {
  readonly #headers: HeadHeaders;

  constructor(url: string, method: string, headers: HeadHeaders) {
    super(url, { method });
    this.#headers = headers;
  }

  override get headers(): Headers {
    return this.#headers;
  }

  override clone(): Request {
    return new ListenRequest(this.url, this.method, this.#headers);
  }
}

/** Past this many entries (distinct field names, each Set-Cookie line one) the request's headers are a HeadHeaders view. */
export const NATIVE_HEADER_ENTRIES = 256;

/**
 * The head's fields for a native Headers, one entry per name (lines joined
 * with ", ", RFC 9110 section 5.3; Set-Cookie lines kept apart), or null
 * past NATIVE_HEADER_ENTRIES entries. Linear in the lines.
 */
function combinedFields(headers: HttpHeaders): [string, string][] | null {
  const byName = new Map<string, [string, string[]]>();
  const cookies: [string, string][] = [];
  let entries = 0;
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    const entry = key === "set-cookie" ? undefined : byName.get(key);
    if (entry) {
      entry[1].push(value);
      continue;
    }
    if (++entries > NATIVE_HEADER_ENTRIES) return null;
    if (key === "set-cookie") cookies.push([name, value]);
    else byName.set(key, [name, [value]]);
  }
  const out: [string, string][] = [];
  for (const [name, values] of byName.values()) out.push([name, values.join(", ")]);
  return out.concat(cookies);
}

/** The request's http: or https: URL text, from Host and the target (unparsed). */
export function requestUrlOf(head: HttpRequestHead, secure: boolean): string {
  const host = head.headers.get("host") ?? "localhost";
  const path = head.target.startsWith("/") ? head.target : "/" + head.target;
  return `${secure ? "https" : "http"}://${host}${path}`;
}

/** The request as a fetch `Request` (http: or https: URL from Host and the target, headers as received). */
export function requestOf(head: HttpRequestHead, secure: boolean): Request {
  const url = requestUrlOf(head, secure);
  const fields = combinedFields(head.headers);
  if (fields) return new Request(url, { method: head.method, headers: fields });
  return new ListenRequest(url, head.method, new HeadHeaders(head.headers));
}
