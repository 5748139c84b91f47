/**
 * The WHATWG steps of `new WebSocket(url, protocols)` for the URL
 * (websockets standard, "The WebSocket interface", constructor steps 1-6),
 * then the one ws:/wss: parser (../../core/websocket/url.ts) once: its
 * target is what the client dials and what goes in Host and Authorization.
 *
 *   resolveWebSocketUrl(url)   the WHATWG class: relative to `location`, fetch's bad ports refused
 *   parseWebSocketUrl(url)     the same steps without those two (the compatibility faces)
 */
import { parseWebSocketUrl as parseTarget, type WebSocketTarget } from "../../core/websocket/url.ts";
import { isBadPort } from "./bad-ports.ts";

/** A parsed ws:/wss: URL: what the client reports, dials and sends. */
export interface WebSocketUrl {
  /** The serialized URL (WebSocket.url). */
  href: string;
  /** Origin of the URL, for MessageEvent.origin. */
  origin: string;
  secure: boolean;
  /** Host to dial (an IPv6 address without brackets). */
  host: string;
  port: number;
  /** Path and query, as sent in the request line. */
  resource: string;
  /** Value of the Host header. */
  hostHeader: string;
  /**
   * The core parser's target (dial host and port, request line, Host,
   * Authorization from user:password@). Absent on a hand-made WebSocketUrl:
   * the client then builds it from the fields above.
   */
  target?: WebSocketTarget;
}

export interface ParseOptions {
  /** Base URL for a relative one (WHATWG: the API base URL). */
  base?: string;
  /** Refuse the fetch standard's bad ports with a SecurityError (browsers do; ws and faye do not). */
  blockBadPorts?: boolean;
}

function syntaxError(message: string): DOMException {
  return new DOMException(message, "SyntaxError");
}

/** The API base URL: `location` where the runtime has one (browsers, Deno with --location). */
function baseUrl(): string | undefined {
  try {
    return (globalThis as { location?: { href?: string } }).location?.href;
  } catch {
    return undefined; // Deno throws when no --location was given
  }
}

/** The WHATWG constructor's URL steps, as browsers take them. */
export function resolveWebSocketUrl(input: string | URL): WebSocketUrl {
  return parseWebSocketUrl(input, { base: baseUrl(), blockBadPorts: true });
}

/** Parses a ws:, wss:, http: or https: URL once; SyntaxError (a DOMException) when it is none. */
export function parseWebSocketUrl(input: string | URL, options: ParseOptions = {}): WebSocketUrl {
  let url: URL;
  try {
    // Steps 1-3: parse relative to the base URL; failure is a SyntaxError.
    url = new URL(String(input), options.base);
  } catch {
    throw syntaxError(`Invalid URL: ${String(input)}`);
  }
  // Step 4: http(s) become ws(s).
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  // Step 5: anything else but ws/wss is refused.
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw syntaxError(`The URL's scheme must be "ws" or "wss"; got "${url.protocol.slice(0, -1)}".`);
  }
  // Step 6: no fragment (an empty one, "#", counts too).
  if (url.hash !== "" || url.href.endsWith("#")) throw syntaxError("The URL contains a fragment identifier.");
  let target: WebSocketTarget;
  try {
    target = parseTarget(url);
  } catch (error) {
    throw syntaxError((error as Error).message);
  }
  // Fetch "port blocking": a bad port is refused; browsers throw a SecurityError here.
  if (options.blockBadPorts && isBadPort(target.port)) {
    throw new DOMException(`Port ${target.port} is blocked (fetch standard, "bad port").`, "SecurityError");
  }
  return {
    href: url.href,
    origin: url.origin === "null" ? `${url.protocol}//${url.host}` : url.origin,
    secure: target.secure,
    host: target.hostname.startsWith("[") ? target.hostname.slice(1, -1) : target.hostname,
    port: target.port,
    resource: target.path,
    hostHeader: target.host,
    target,
  };
}

/** The target of `url`: the one it was parsed with, or one built from its fields (a hand-made WebSocketUrl). */
export function targetOf(url: WebSocketUrl): WebSocketTarget {
  if (url.target) return url.target;
  const parsed = parseTarget({ host: url.hostHeader, path: url.resource, secure: url.secure });
  // The fields say where to dial; the Host header is theirs too.
  return { ...parsed, hostname: url.host.includes(":") ? `[${url.host}]` : url.host, port: url.port };
}
