/**
 * The server's half of the opening handshake (RFC 6455 section 4.2): check
 * the client's request, pick a subprotocol, negotiate extensions, and build
 * the 101 response or the HTTP error that refuses the upgrade. The client's
 * half is in client.ts.
 */
import { WebSocketError } from "../../shared/errors.ts";
import type { ActiveExtension, Extension, ExtensionContext, ExtensionOffer, ServerSession } from "../extensions/extension.ts";
import { parseExtensions, parseProtocols, serializeExtensions } from "./header-params.ts";
import { findDuplicateHeader } from "../../http/headers.ts";
import { hasToken, isToken, isValidHeaderValue } from "../../http/tokens.ts";
import { type HttpRequestHead } from "../../http/head-parser.ts";
import { headerEntries, serializeResponseHead, STATUS_TEXT, type HttpHeadersInit } from "../../http/serializer.ts";

import { acceptKey } from "./accept-key.ts";
import { invalid, handshakeError, rsvClash } from "./shared.ts";
import { closeSessions } from "../extensions/close-sessions.ts";

/** A handshake the server accepts: what the client asked for. */
export interface AcceptedRequest {
  ok: true;
  key: string;
  /** 13, or 8 (hybi-08: same framing) when the caller allowed it. */
  version: 13 | 8;
  /** Origin (or Sec-WebSocket-Origin) as sent, if any. */
  origin: string | undefined;
  protocols: string[];
  extensions: ExtensionOffer[];
}

/** A handshake the server refuses: answer with createErrorResponse(status, reason, headers). */
export interface RejectedRequest {
  ok: false;
  status: 400 | 405 | 426;
  reason: string;
  headers: Array<[string, string]>;
  error: WebSocketError;
}

function reject(status: RejectedRequest["status"], reason: string, headers: Array<[string, string]> = []): RejectedRequest {
  return { ok: false, status, reason, headers, error: handshakeError(reason) };
}

/** Request headers that must appear once: RFC 7230 section 5.4, RFC 6455 sections 11.3.1 and 11.3.5, RFC 6454 section 7. */
const UNIQUE_REQUEST_HEADERS = ["Host", "Upgrade", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Origin", "Sec-WebSocket-Origin"];

const ONLY_13: readonly (13 | 8)[] = [13];

/** Char code -> base64 value (RFC 4648 section 4), -1 outside the alphabet. */
const BASE64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) BASE64_VALUE["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)] = i;

/**
 * True when `key` is the canonical, padded base64 of exactly 16 bytes
 * (RFC 6455 section 4.2.1 point 5), as tryDecodeBase64(key)?.length === 16
 * tells, without decoding: 22 alphabet chars, the last of which carries 2
 * bits (its low 4 bits zero, RFC 4648 section 3.5), then "==".
 */
export function isWebSocketKey(key: string): boolean {
  if (key.length !== 24 || key.charCodeAt(22) !== 0x3d || key.charCodeAt(23) !== 0x3d) return false;
  for (let i = 0; i < 22; i++) {
    const code = key.charCodeAt(i);
    const value = code < 128 ? BASE64_VALUE[code]! : -1;
    if (value < 0 || (i === 21 && (value & 15) !== 0)) return false;
  }
  return true;
}

export interface ValidateRequestOptions {
  /**
   * Versions accepted, 13 first (default `[13]`). 8 adds hybi-08 clients,
   * whose framing and handshake are RFC 6455's (they send Sec-WebSocket-Origin).
   */
  versions?: readonly (13 | 8)[];
}

/**
 * Checks a client's opening handshake (RFC 6455 section 4.2.1). Malformed
 * handshakes get 400, a method other than GET 405, and a version not
 * accepted 426 with `Sec-WebSocket-Version` listing those that are (section 4.4).
 */
export function validateClientRequest(request: HttpRequestHead, options?: ValidateRequestOptions): AcceptedRequest | RejectedRequest {
  const versions = options?.versions ?? ONLY_13;
  const { headers } = request;
  // "An HTTP/1.1 or higher GET request" (point 1).
  if (request.method !== "GET") return reject(405, "Invalid HTTP method", [["Allow", "GET"]]);
  if (request.versionMajor < 1 || (request.versionMajor === 1 && request.versionMinor < 1)) {
    return reject(400, "Invalid HTTP version");
  }
  const duplicate = findDuplicateHeader(headers, UNIQUE_REQUEST_HEADERS);
  if (duplicate) return reject(400, `The ${duplicate} header appears more than once`);
  if (!headers.get("Host")) return reject(400, "Missing Host header"); // point 2
  if (!hasToken(headers.get("Upgrade"), "websocket")) return reject(400, "Invalid Upgrade header"); // point 3
  if (!hasToken(headers.get("Connection"), "upgrade")) return reject(400, "Invalid Connection header"); // point 4
  // A version we do not speak: 426 listing the ones we do (point 6, section 4.4).
  const sent = headers.get("Sec-WebSocket-Version");
  const version = sent === "13" || sent === "8" ? versions.find((v) => v === Number(sent)) : undefined;
  if (version === undefined) {
    return reject(426, "Unsupported WebSocket version", [["Sec-WebSocket-Version", versions.join(", ")]]);
  }
  // The key must decode to 16 bytes (point 5).
  const key = headers.get("Sec-WebSocket-Key");
  if (key === undefined || !isWebSocketKey(key)) return reject(400, "Invalid Sec-WebSocket-Key header");
  const protocols = parseProtocols(headers.getAll("Sec-WebSocket-Protocol"));
  if (protocols instanceof WebSocketError) return reject(400, protocols.message);
  const extensions = parseExtensions(headers.getAll("Sec-WebSocket-Extensions"));
  if (extensions instanceof WebSocketError) return reject(400, extensions.message);
  const origin = headers.get("Origin") ?? headers.get("Sec-WebSocket-Origin");
  return { ok: true, key, version, origin, protocols, extensions };
}

/**
 * Picks the subprotocol: the first of the client's list the server supports
 * (the client lists them by preference), or what the callback returns, which
 * must be one the client offered. Undefined for none. Throws a WebSocketError
 * (`WS_ERR_INVALID_ARGUMENT`) when the callback picks one not offered.
 */
export function selectProtocol(
  offered: readonly string[],
  supported: readonly string[] | ((offered: string[]) => string | false | null | undefined),
): string | undefined {
  if (typeof supported !== "function") return offered.find((p) => supported.includes(p));
  const picked = supported([...offered]);
  if (!picked) return undefined;
  if (!offered.includes(picked)) throw invalid(`Subprotocol "${String(picked)}" was not offered by the client`);
  return picked;
}

/**
 * Chooses extensions in the websocket-extensions model (RFC 6455 section
 * 9.1): walk the client's offers in order, take all offers of one name
 * together, skip names we do not know and extensions whose RSV bits an
 * accepted one already uses, and let each extension accept or decline.
 * Returns the sessions in response order (the order they process data) and
 * the response header ("" for none), or a WebSocketError for a malformed
 * header (answer 400) or an extension that threw (`WS_ERR_EXTENSION`).
 */
export function negotiateServerExtensions(
  extensions: readonly Extension[],
  header: string | readonly string[] | undefined,
  context: ExtensionContext,
): { active: ActiveExtension[]; responseHeader: string } | WebSocketError {
  const offers = parseExtensions(header);
  if (offers instanceof WebSocketError) return offers;
  const grouped = new Map<string, ExtensionOffer["params"][]>();
  for (const { name, params } of offers) {
    const list = grouped.get(name);
    if (list) list.push(params);
    else grouped.set(name, [params]);
  }
  const active: ActiveExtension[] = [];
  const responses: ExtensionOffer[] = [];
  try {
    for (const [name, params] of grouped) {
      const extension = extensions.find((e) => e.name === name);
      if (!extension || active.some((a) => rsvClash(a.extension, extension))) continue;
      const session: ServerSession | null = extension.createServerSession(params, context);
      if (!session) continue;
      active.push({ extension, session });
      responses.push({ name, params: session.generateResponse() });
    }
    return { active, responseHeader: serializeExtensions(responses) };
  } catch (error) {
    closeSessions(active);
    const message = (error as Error)?.message ?? String(error);
    return new WebSocketError("WS_ERR_EXTENSION", `Extension negotiation failed: ${message}`);
  }
}

/** Headers a 101 response writes itself (RFC 6455 section 4.2.2 step 5). */
const SERVER_RESERVED: ReadonlySet<string> = new Set(["upgrade", "connection", "sec-websocket-accept", "sec-websocket-protocol", "sec-websocket-extensions"]);

/** True for a header the 101 response writes itself, which a caller may not set (any case). */
export function isReservedResponseHeader(name: string): boolean {
  return SERVER_RESERVED.has(name.toLowerCase());
}

/**
 * The server's 101 response (RFC 6455 section 4.2.2 step 5). Throws a
 * WebSocketError (`WS_ERR_INVALID_ARGUMENT`) for a bad key, protocol or
 * header, including one the handshake writes itself.
 */
export function createServerResponse(options: {
  key: string;
  protocol?: string;
  extensionsHeader?: string;
  headers?: HttpHeadersInit;
}): string {
  if (!isWebSocketKey(options.key)) throw invalid("Invalid Sec-WebSocket-Key");
  // What serializeResponseHead makes of these fields, written out: the
  // fixed lines are one constant, the rest is checked as it would check it.
  let head = RESPONSE_101 + acceptKey(options.key) + "\r\n";
  if (options.protocol) {
    if (!isToken(options.protocol)) throw invalid(`Invalid subprotocol: ${JSON.stringify(options.protocol)}`);
    head += `Sec-WebSocket-Protocol: ${options.protocol}\r\n`;
  }
  if (options.extensionsHeader) {
    if (!isValidHeaderValue(options.extensionsHeader)) throw invalid("Invalid Sec-WebSocket-Extensions value");
    head += `Sec-WebSocket-Extensions: ${options.extensionsHeader}\r\n`;
  }
  if (options.headers !== undefined) {
    for (const [name, value] of headerEntries(options.headers)) {
      if (isReservedResponseHeader(name)) throw invalid(`The ${name} header is set by the handshake`);
      head += `${name}: ${value}\r\n`;
    }
  }
  return head + "\r\n";
}

/** The 101 response up to the accept value (RFC 6455 section 4.2.2 step 5; reason phrase of STATUS_TEXT). */
const RESPONSE_101 = `HTTP/1.1 101 ${STATUS_TEXT[101]}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: `;

/**
 * A complete error response that ends the connection: `reason` becomes a
 * plain-text body (chars outside printable ASCII become "?"). Headers given
 * replace the defaults of the same name; Content-Length is always computed.
 * Throws a WebSocketError (`WS_ERR_INVALID_ARGUMENT`) for a bad status or header.
 */
export function createErrorResponse(status: number, reason?: string, headers?: HttpHeadersInit): string {
  const body = (reason ?? "").replace(/[^\x20-\x7e]/g, "?");
  const custom = headerEntries(headers);
  const names = new Set(custom.map(([n]) => n.toLowerCase()));
  if (names.has("content-length")) throw invalid("Content-Length is computed from the reason");
  const fields: Array<[string, string]> = [];
  if (!names.has("connection")) fields.push(["Connection", "close"]);
  if (!names.has("content-type")) fields.push(["Content-Type", "text/plain; charset=utf-8"]);
  fields.push(["Content-Length", String(body.length)], ...custom);
  return serializeResponseHead({ status, headers: fields }) + body;
}
