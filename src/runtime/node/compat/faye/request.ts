/**
 * What faye reads off a node:http request: whether it came over TLS (or
 * through a proxy that says so), and the URL the client asked for.
 */
import type { IncomingMessage } from "node:http";

/** websocket-driver's isSecureRequest: a TLS socket, or a proxy header that says https. */
export function isSecureRequest(request: IncomingMessage): boolean {
  const socket = request.socket as { authorized?: boolean; encrypted?: boolean; secure?: boolean } | null;
  if (socket && (socket.authorized !== undefined || socket.encrypted === true || socket.secure === true)) return true;
  const headers = request.headers ?? {};
  return headers["https"] === "on" ||
    headers["x-forwarded-ssl"] === "on" ||
    headers["x-forwarded-scheme"] === "https" ||
    headers["x-forwarded-proto"] === "https";
}

/** `<scheme>//<Host header><request target>`, as faye builds `url`. */
export function requestUrl(request: IncomingMessage, plain: string, secure: string): string {
  return `${isSecureRequest(request) ? secure : plain}//${request.headers.host}${request.url}`;
}
