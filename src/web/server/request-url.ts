/**
 * The ws:// or wss:// URL a client asked for, as a server socket's `url`:
 * from a request head (scheme from the listener, authority from Host), or
 * from a fetch Request's URL (Deno.serve, Bun.serve).
 */

/**
 * The URLs made lately, keyed by the text they were parsed from: most
 * connections to a server ask for the same few, and each would parse one.
 * Short texts only, and emptied when full, so it holds at most a few dozen
 * KiB, and a client sending a new target every time costs what no cache would.
 */
const fromHead = new Map<string, string>();
const fromRequest = new Map<string, string>();
const RECENT_LIMIT = 128;
const RECENT_TEXT_LIMIT = 256;

function remember(recent: Map<string, string>, text: string, href: string): string {
  if (text.length <= RECENT_TEXT_LIMIT) {
    if (recent.size >= RECENT_LIMIT) recent.clear();
    recent.set(text, href);
  }
  return href;
}

/** The URL from the Host header and request-target; `ws(s)://localhost/` when they do not make one. */
export function requestWebSocketUrl(secure: boolean | undefined, host: string | undefined, target: string): string {
  const scheme = secure ? "wss" : "ws";
  const text = `${scheme}://${host ?? "localhost"}${target.startsWith("/") ? target : "/" + target}`;
  const known = fromHead.get(text);
  if (known !== undefined) return known;
  let href: string;
  try {
    href = new URL(text).href;
  } catch {
    href = `${scheme}://localhost/`;
  }
  return remember(fromHead, text, href);
}

/** A fetch Request's http(s) URL with the scheme swapped for ws(s) (RFC 6455 section 3). */
export function webSocketUrlOf(requestUrl: string): string {
  const known = fromRequest.get(requestUrl);
  if (known !== undefined) return known;
  const url = new URL(requestUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return remember(fromRequest, requestUrl, url.href);
}
