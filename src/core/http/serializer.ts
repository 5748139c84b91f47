/**
 * HTTP/1.1 message heads out (RFC 7230 section 3): request and response
 * heads with validated header fields, so a caller cannot inject a header
 * line, and their latin1 bytes. The parser is in head-parser.ts.
 */
import { WebSocketError } from "../shared/errors.ts";
import { isRequestTarget, isToken, isValidHeaderValue, tryEncodeLatin1 } from "./tokens.ts";
import { HttpHeaders } from "./headers.ts";

/**
 * Headers to send: pairs in order (an array, HttpHeaders, a WHATWG Headers or
 * a Map), or a record, where an array value makes several lines.
 */
export type HttpHeadersInit =
  | Iterable<readonly [string, string]>
  | Readonly<Record<string, string | readonly string[]>>;

function invalid(message: string): WebSocketError {
  return new WebSocketError("WS_ERR_INVALID_ARGUMENT", message);
}

/**
 * Normalizes `init` to validated pairs. Throws a WebSocketError
 * (`WS_ERR_INVALID_ARGUMENT`) for a name that is not a token or a value with
 * CR, LF or another control character, which would let a caller inject
 * header lines (RFC 7230 section 3.2), or a char above U+00FF.
 */
export function headerEntries(init: HttpHeadersInit | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (init === undefined) return out;
  const push = (name: string, value: unknown) => {
    const text = typeof value === "number" ? String(value) : value;
    if (typeof name !== "string" || !isToken(name)) throw invalid(`Invalid HTTP header name: ${JSON.stringify(name)}`);
    if (typeof text !== "string" || !isValidHeaderValue(text)) {
      throw invalid(`Invalid value for HTTP header "${name}"`);
    }
    out.push([name, text]);
  };
  if (Symbol.iterator in init) {
    for (const [name, value] of init as Iterable<readonly [string, string]>) push(name, value);
  } else {
    for (const [name, value] of Object.entries(init as Record<string, string | readonly string[]>)) {
      if (Array.isArray(value)) for (const v of value) push(name, v);
      else push(name, value);
    }
  }
  return out;
}

/** Reason phrases for the statuses a WebSocket endpoint sends. */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  101: "Switching Protocols", 200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
  404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 426: "Upgrade Required", 429: "Too Many Requests",
  431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented",
  503: "Service Unavailable",
};

function serializeFields(headers: HttpHeadersInit | undefined): string {
  let out = "";
  for (const [name, value] of headerEntries(headers)) out += `${name}: ${value}\r\n`;
  return out + "\r\n";
}

function checkVersion(version: string): string {
  if (!/^[0-9]\.[0-9]$/.test(version)) {
    throw invalid(`Invalid HTTP version: ${JSON.stringify(version)}`);
  }
  return version;
}

/**
 * The head of a request, CRLF line ends, blank line included (RFC 7230
 * section 3). Throws a WebSocketError (`WS_ERR_INVALID_ARGUMENT`) for an
 * invalid method, target, version or header.
 */
export function serializeRequestHead(head: {
  method: string;
  target: string;
  headers?: HttpHeadersInit;
  version?: string;
}): string {
  if (!isToken(head.method)) throw invalid("Invalid HTTP method");
  if (!isRequestTarget(head.target)) throw invalid("Invalid HTTP request target");
  return `${head.method} ${head.target} HTTP/${checkVersion(head.version ?? "1.1")}\r\n` + serializeFields(head.headers);
}

/**
 * The head of a response; `reason` defaults to the usual phrase. Throws a
 * WebSocketError (`WS_ERR_INVALID_ARGUMENT`) for a bad status, reason or header.
 */
export function serializeResponseHead(head: {
  status: number;
  reason?: string;
  headers?: HttpHeadersInit;
  version?: string;
}): string {
  const { status } = head;
  if (!Number.isInteger(status) || status < 100 || status > 999) throw invalid(`Invalid HTTP status: ${status}`);
  const reason = head.reason ?? STATUS_TEXT[status] ?? "";
  if (!isValidHeaderValue(reason)) throw invalid("Invalid HTTP reason phrase");
  return `HTTP/${checkVersion(head.version ?? "1.1")} ${status} ${reason}\r\n` + serializeFields(head.headers);
}

/**
 * Bytes of a serialized head (one byte per char). Throws a WebSocketError
 * (`WS_ERR_INVALID_ARGUMENT`) for a char above U+00FF, which latin1 cannot hold.
 */
export function encodeLatin1(s: string): Uint8Array {
  const bytes = tryEncodeLatin1(s);
  if (!bytes) throw invalid("HTTP head holds a character above U+00FF");
  return bytes;
}
