/**
 * The WHATWG constructor checks for `new WebSocket(url, protocols)`
 * (websockets standard, "The WebSocket interface", constructor steps).
 */

function syntaxError(message: string): DOMException {
  return new DOMException(message, "SyntaxError");
}

export interface WebSocketUrl {
  href: string;
  origin: string;
  secure: boolean;
  host: string;
  port: number;
  /** Path and query, as sent in the request line. */
  resource: string;
  /** Value of the Host header. */
  hostHeader: string;
}

export function parseWebSocketUrl(input: string | URL): WebSocketUrl {
  let url: URL;
  try {
    // Step 1-2: parse; failure is a SyntaxError.
    url = new URL(String(input));
  } catch {
    throw syntaxError(`Invalid URL: ${String(input)}`);
  }
  // Step 3-4: http(s) become ws(s); anything else but ws/wss is refused.
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw syntaxError(`The URL's scheme must be "ws" or "wss"; got "${url.protocol.slice(0, -1)}".`);
  }
  // Step 5: no fragment.
  if (url.hash !== "" || String(input).endsWith("#")) throw syntaxError("The URL contains a fragment identifier.");
  const secure = url.protocol === "wss:";
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  let host = url.hostname;
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return {
    href: url.href,
    origin: url.origin === "null" ? `${url.protocol}//${url.host}` : url.origin,
    secure,
    host,
    port,
    resource: (url.pathname || "/") + url.search,
    hostHeader: url.host,
  };
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Steps 6-7: a protocol list of unique RFC 7230 tokens. */
export function validateProtocols(protocols: string | string[] | undefined): string[] {
  if (protocols === undefined) return [];
  const list = typeof protocols === "string" ? [protocols] : Array.from(protocols, String);
  const seen = new Set<string>();
  for (const p of list) {
    if (!TOKEN.test(p)) throw syntaxError(`Invalid subprotocol "${p}".`);
    if (seen.has(p)) throw syntaxError(`Duplicate subprotocol "${p}".`);
    seen.add(p);
  }
  return list;
}
