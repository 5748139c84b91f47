/**
 * The ws:// or wss:// URL a client asked for, as a server socket's `url`:
 * from a request head (scheme from the listener, authority from Host), or
 * from a fetch Request's URL (Deno.serve, Bun.serve).
 */

/** A request's socket URL and its origin (the origin of its messages' MessageEvents). */
export interface RequestUrl {
  readonly href: string;
  readonly origin: string;
}

/**
 * The URLs made lately, by scheme, Host and target: most connections to a
 * server ask for the same few, and each would parse one. Emptied when full,
 * so a client sending a new target every time costs what no cache would.
 */
const recent = new Map<string, RequestUrl>();
const RECENT_LIMIT = 256;

/** The URL from the Host header and request-target, and its origin; `ws(s)://localhost/` when they do not make one. */
export function requestWebSocketUrlOf(secure: boolean | undefined, host: string | undefined, target: string): RequestUrl {
  const scheme = secure ? "wss" : "ws";
  const text = `${scheme}://${host ?? "localhost"}${target.startsWith("/") ? target : "/" + target}`;
  let found = recent.get(text);
  if (found !== undefined) return found;
  try {
    const url = new URL(text);
    found = { href: url.href, origin: url.origin };
  } catch {
    found = { href: `${scheme}://localhost/`, origin: `${scheme}://localhost` };
  }
  if (recent.size >= RECENT_LIMIT) recent.clear();
  recent.set(text, found);
  return found;
}

/** The URL from the Host header and request-target; `ws(s)://localhost/` when they do not make one. */
export function requestWebSocketUrl(secure: boolean | undefined, host: string | undefined, target: string): string {
  return requestWebSocketUrlOf(secure, host, target).href;
}

/** A fetch Request's http(s) URL with the scheme swapped for ws(s) (RFC 6455 section 3). */
export function webSocketUrlOf(requestUrl: string): string {
  const url = new URL(requestUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}
