/**
 * The WHATWG steps of `new WebSocket(url, protocols)` for the URL
 * (websockets standard, "The WebSocket interface", constructor steps 1-6),
 * then the one ws:/wss: parser (../../core/websocket/url.ts) once: its
 * target is what the client dials and what goes in Host and Authorization.
 */
import { parseWebSocketUrl, type WebSocketTarget } from "../../core/websocket/url.ts";
import { isBadPort } from "./bad-ports.ts";

export interface ResolvedWebSocketUrl {
  /** The serialized URL (WebSocket.url). */
  href: string;
  /** Origin of the URL, for MessageEvent.origin. */
  origin: string;
  /** Where to connect, and the request line, Host and Authorization. */
  target: WebSocketTarget;
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

export function resolveWebSocketUrl(input: string | URL): ResolvedWebSocketUrl {
  let url: URL;
  try {
    // Steps 1-3: parse relative to the base URL; failure is a SyntaxError.
    url = new URL(String(input), baseUrl());
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
  const secure = url.protocol === "wss:";
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  // Fetch "port blocking": a bad port is refused; browsers throw a SecurityError here.
  if (isBadPort(port)) throw new DOMException(`Port ${port} is blocked (fetch standard, "bad port").`, "SecurityError");
  let target: WebSocketTarget;
  try {
    target = parseWebSocketUrl(url);
  } catch (error) {
    throw syntaxError((error as Error).message);
  }
  return {
    href: url.href,
    origin: url.origin === "null" ? `${url.protocol}//${url.host}` : url.origin,
    target,
  };
}
