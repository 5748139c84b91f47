/**
 * The one ws:/wss: URL parser (RFC 6455 section 3): where a client dials,
 * and what goes in its request line and Host header.
 */
import { encodeBase64 } from "../shared/base64.ts";
import { encodeUtf8 } from "../shared/platform.ts";
import { invalid } from "./handshake/shared.ts";

/** Where a client connects, and what goes in its request line and Host. */
export interface WebSocketTarget {
  secure: boolean;
  /** Lower-cased host name; an IPv6 address keeps its brackets. */
  hostname: string;
  port: number;
  /** The request-target: path and query, percent-encoded, never empty. */
  path: string;
  /** The Host header: hostname, plus ":port" when not the scheme's default (RFC 6455 section 4.1 point 4). */
  host: string;
  /**
   * Present when the URL has `user:password@`: the `Authorization` value
   * (`Basic` + base64 of the percent-decoded "user:password" in UTF-8, RFC 7617
   * section 2), as browsers send it for such a WebSocket URL.
   */
  authorization?: string;
}

/** The parts of a WHATWG `URL` read here; a `URL` object fits. */
export interface UrlLike {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash?: string;
  readonly username?: string;
  readonly password?: string;
}

/** A ws:/wss: URL string or object, or the parts: host ("name[:port]"), path, secure. */
export type WebSocketUrl = string | UrlLike | { host: string; path?: string; secure?: boolean };

const SCHEMES: Record<string, boolean> = { "ws:": false, "wss:": true, "http:": false, "https:": true };

/**
 * Where a WebSocket URL (RFC 6455 section 3) connects. http: and https: map
 * to ws: and wss:, as in the WHATWG WebSocket constructor. Credentials
 * become an `authorization` value. A fragment is refused, and so is a host or path that is not already
 * ASCII and percent-encoded: a WHATWG URL (or its href) always is, so
 * normalize other input with `new URL` first. Throws a WebSocketError
 * (`WS_ERR_INVALID_ARGUMENT`).
 */
export function parseWebSocketUrl(url: WebSocketUrl): WebSocketTarget {
  if (typeof url === "string") {
    // scheme "://" authority path-abempty [ "?" query ] [ "#" fragment ] (RFC 3986 section 3)
    const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^#]*)(#[\s\S]*)?$/i.exec(url);
    const secure = match ? SCHEMES[match[1]!.toLowerCase() + ":"] : undefined;
    if (!match || secure === undefined) throw invalid(`Not a ws: or wss: URL: ${JSON.stringify(url)}`);
    if (match[4] !== undefined) throw invalid("A WebSocket URL must not have a fragment"); // section 3
    const authority = match[2]!;
    const at = authority.lastIndexOf("@");
    const target = parseWebSocketUrl({ host: authority.slice(at + 1), path: match[3]!, secure });
    if (at === -1) return target;
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(":");
    return withCredentials(target, colon === -1 ? userinfo : userinfo.slice(0, colon), colon === -1 ? "" : userinfo.slice(colon + 1));
  }
  let secure: boolean | undefined;
  let hostname: string;
  let portText: string;
  let path: string;
  if ("protocol" in url) {
    secure = SCHEMES[url.protocol.toLowerCase()];
    if (secure === undefined) throw invalid(`Not a ws: or wss: URL (${url.protocol})`);
    if (url.hash) throw invalid("A WebSocket URL must not have a fragment"); // section 3
    ({ hostname, port: portText } = url);
    path = url.pathname + url.search;
    if (url.username || url.password) {
      return withCredentials(parseWebSocketUrl({ host: portText ? `${hostname}:${portText}` : hostname, path, secure }), url.username ?? "", url.password ?? "");
    }
  } else {
    secure = !!url.secure;
    const colon = url.host.lastIndexOf(":");
    const port = colon > url.host.lastIndexOf("]") ? colon : url.host.length;
    hostname = url.host.slice(0, port);
    portText = url.host.slice(port + 1);
    path = url.path ?? "/";
  }
  hostname = hostname.toLowerCase();
  const valid = hostname.startsWith("[") ? /^\[[0-9a-f:.]+\]$/.test(hostname) : /^[a-z0-9\-._~%!$&'()*+,;=]+$/.test(hostname);
  if (!valid) throw invalid(`Invalid host in WebSocket URL: ${JSON.stringify(hostname)}`);
  const defaultPort = secure ? 443 : 80;
  let port = defaultPort;
  if (portText !== "") {
    port = /^[0-9]{1,5}$/.test(portText) ? +portText : 0;
    if (port < 1 || port > 65535) throw invalid(`Invalid port in WebSocket URL: ${JSON.stringify(portText)}`);
  }
  if (!path.startsWith("/")) path = "/" + path;
  for (let i = 0; i < path.length; i++) {
    // The request-target is visible ASCII (RFC 7230 section 5.3); a WHATWG URL percent-encodes the rest.
    const c = path.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x23) throw invalid(`Invalid character in WebSocket URL path: ${JSON.stringify(path)}`);
  }
  return { secure, hostname, port, path, host: port === defaultPort ? hostname : `${hostname}:${port}` };
}

/** Adds the Basic `authorization` for percent-encoded `user` and `password` (RFC 7617 section 2). */
function withCredentials(target: WebSocketTarget, user: string, password: string): WebSocketTarget {
  let id: string;
  let secret: string;
  try {
    id = decodeURIComponent(user);
    secret = decodeURIComponent(password);
  } catch {
    throw invalid("Invalid percent-encoding in the credentials of a WebSocket URL");
  }
  // "The user-id and password MUST NOT contain any control characters";
  // "a user-id containing a colon character is invalid" (RFC 7617 section 2).
  if (id.includes(":") || /[\x00-\x1f\x7f]/.test(id + secret)) throw invalid("Invalid credentials in a WebSocket URL");
  return { ...target, authorization: "Basic " + encodeBase64(encodeUtf8(`${id}:${secret}`)) };
}
