/**
 * The ws:// or wss:// URL a client asked for, as a server socket's `url`:
 * from a request head (scheme from the listener, authority from Host), or
 * from a fetch Request's URL (Deno.serve, Bun.serve).
 */

/** The URL from the Host header and request-target; `ws(s)://localhost/` when they do not make one. */
export function requestWebSocketUrl(secure: boolean | undefined, host: string | undefined, target: string): string {
  const scheme = secure ? "wss" : "ws";
  try {
    return new URL(`${scheme}://${host ?? "localhost"}${target.startsWith("/") ? target : "/" + target}`).href;
  } catch {
    return `${scheme}://localhost/`;
  }
}

/** A fetch Request's http(s) URL with the scheme swapped for ws(s) (RFC 6455 section 3). */
export function webSocketUrlOf(requestUrl: string): string {
  const url = new URL(requestUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}
