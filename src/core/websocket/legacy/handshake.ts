/**
 * The server's half of the hixie-75 and hixie-76 opening handshakes
 * (draft-hixie-thewebsocketprotocol-75 section 4.2 and -76 section 5.2), the
 * drafts old clients and faye's driver still speak. RFC 6455 clients are
 * told apart by Sec-WebSocket-Version / Sec-WebSocket-Key, which no draft sends.
 *
 *   hixie-75:  GET + Upgrade: WebSocket ---------> 101 Web Socket Protocol Handshake
 *                                                  WebSocket-Origin, WebSocket-Location
 *   hixie-76:  GET + Sec-WebSocket-Key1/Key2 ----> 101 WebSocket Protocol Handshake
 *              then 8 bytes (key3), maybe late     Sec-WebSocket-Origin, -Location
 *                                             <--- then MD5(key1 | key2 | key3), 16 bytes
 *
 * The head goes out before key3 arrives: through an HTTP proxy the client's
 * 8 bytes only follow once the proxy has seen the 101 (the request has no
 * Content-Length). legacyChallenge() answers key3 when it comes; the
 * LegacyProtocol engine waits for it. Nothing here does I/O.
 */
import { md5 } from "../../shared/md5.ts";
import { findDuplicateHeader } from "../../http/headers.ts";
import type { HttpRequestHead } from "../../http/head-parser.ts";
import { headerEntries, type HttpHeadersInit } from "../../http/serializer.ts";
import { hasToken, isValidHeaderValue, splitList } from "../../http/tokens.ts";
import type { RejectedRequest } from "../handshake/server.ts";
import { handshakeError, invalid } from "../handshake/shared.ts";

/** A pre-RFC 6455 draft a server accepts behind `allowDrafts`. */
export type LegacyDraft = "hixie-75" | "hixie-76";

/** The draft-76 key numbers (section 5.2 steps 4-8), which the challenge response needs. */
export interface LegacyKeys {
  /** Sec-WebSocket-Key1's digits as a number, divided by its count of spaces. */
  key1: number;
  /** Sec-WebSocket-Key2's digits as a number, divided by its count of spaces. */
  key2: number;
}

/** A draft request the server accepts. */
export interface AcceptedLegacyRequest {
  ok: true;
  draft: LegacyDraft;
  /** Origin as sent, if any (echoed as [Sec-]WebSocket-Origin). */
  origin: string | undefined;
  /** The subprotocols asked for: one in the drafts, split on commas for leniency. */
  protocols: string[];
  /** hixie-76 only. */
  keys: LegacyKeys | undefined;
}

/**
 * The draft a request speaks, or null for an RFC 6455 (or hybi) request.
 * A draft client sends neither Sec-WebSocket-Version nor Sec-WebSocket-Key;
 * a hixie-76 client sends Sec-WebSocket-Key1 and -Key2 (-76 section 4.1 step 13).
 */
export function legacyDraftOf(request: HttpRequestHead): LegacyDraft | null {
  const { headers } = request;
  if (headers.get("Sec-WebSocket-Version") !== undefined || headers.get("Sec-WebSocket-Key") !== undefined) return null;
  if (headers.get("Sec-WebSocket-Key1") !== undefined || headers.get("Sec-WebSocket-Key2") !== undefined) return "hixie-76";
  return "hixie-75";
}

function reject(status: 400 | 405, reason: string, headers: Array<[string, string]> = []): RejectedRequest {
  return { ok: false, status, reason, headers, error: handshakeError(reason) };
}

const UNIQUE = ["Host", "Upgrade", "Origin", "Sec-WebSocket-Key1", "Sec-WebSocket-Key2", "Sec-WebSocket-Protocol", "WebSocket-Protocol"];

/**
 * Checks a draft client's request (-75 section 4.2, -76 section 5.2):
 * GET, HTTP/1.1, Host, `Upgrade: WebSocket`, `Connection: Upgrade`, and for
 * -76 two keys that divide evenly by their spaces. Refusals are 405 or 400.
 */
export function validateLegacyRequest(request: HttpRequestHead): AcceptedLegacyRequest | RejectedRequest {
  const draft = legacyDraftOf(request);
  if (draft === null) return reject(400, "Not a hixie-75/76 request");
  const { headers } = request;
  if (request.method !== "GET") return reject(405, "Invalid HTTP method", [["Allow", "GET"]]);
  if (request.versionMajor !== 1 || request.versionMinor < 1) return reject(400, "Invalid HTTP version");
  const duplicate = findDuplicateHeader(headers, UNIQUE);
  if (duplicate) return reject(400, `The ${duplicate} header appears more than once`);
  if (!headers.get("Host")) return reject(400, "Missing Host header");
  // The drafts send "Upgrade: WebSocket" and "Connection: Upgrade"; compare as tokens, case-insensitively.
  if (!hasToken(headers.get("Upgrade"), "websocket")) return reject(400, "Invalid Upgrade header");
  if (!hasToken(headers.get("Connection"), "upgrade")) return reject(400, "Invalid Connection header");
  let keys: LegacyKeys | undefined;
  if (draft === "hixie-76") {
    // -76 section 5.2: "If either /spaces_1/ or /spaces_2/ is zero ... abort",
    // and "If /key-number_n/ is not an integral multiple of /spaces_n/ ... abort".
    const key1 = parseLegacyKey(headers.get("Sec-WebSocket-Key1"));
    const key2 = parseLegacyKey(headers.get("Sec-WebSocket-Key2"));
    if (key1 === null) return reject(400, "Invalid Sec-WebSocket-Key1 header");
    if (key2 === null) return reject(400, "Invalid Sec-WebSocket-Key2 header");
    keys = { key1, key2 };
  }
  const protocolHeader = headers.get(draft === "hixie-76" ? "Sec-WebSocket-Protocol" : "WebSocket-Protocol");
  return { ok: true, draft, origin: headers.get("Origin"), protocols: splitList(protocolHeader), keys };
}

/**
 * The number a draft-76 key stands for (-76 section 5.2 steps 4-8): its
 * digits read as one decimal number, divided by its count of spaces. Null
 * when there are no spaces, the division leaves a remainder, or the result
 * does not fit in 32 bits. More than 15 digits is refused before any
 * arithmetic, so the number is always exact (a client's is at most 10).
 */
export function parseLegacyKey(value: string | undefined): number | null {
  if (value === undefined) return null;
  let digits = "";
  let spaces = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (digits.length === 15) return null;
      digits += value[i];
    } else if (c === 0x20) {
      spaces++;
    }
  }
  if (spaces === 0 || digits === "") return null;
  const number = Number(digits);
  if (number % spaces !== 0) return null;
  const quotient = number / spaces;
  return quotient <= 0xffffffff ? quotient : null;
}

/**
 * The draft-76 challenge response (-76 section 5.2 step 9 and on): the MD5
 * of key1 and key2 as big-endian 32-bit numbers followed by the 8 bytes the
 * client sent after its head. 16 bytes, sent right after the response head.
 */
export function legacyChallenge(keys: LegacyKeys, key3: Uint8Array): Uint8Array {
  if (key3.length !== 8) throw invalid("The draft-76 key body is 8 bytes");
  const challenge = new Uint8Array(16);
  const view = new DataView(challenge.buffer);
  view.setUint32(0, keys.key1);
  view.setUint32(4, keys.key2);
  challenge.set(key3, 8);
  return md5(challenge);
}

export interface LegacyResponseOptions {
  draft: LegacyDraft;
  /** The URL the client connected to, e.g. "ws://example.com/demo" (WebSocket-Location). */
  location: string;
  /** The client's Origin, echoed; omitted when the client sent none. */
  origin?: string;
  /** The subprotocol chosen, "" or undefined for none. */
  protocol?: string;
  /** Extra response headers. */
  headers?: HttpHeadersInit;
}

/** Headers a draft response writes itself. */
const RESERVED = ["upgrade", "connection", "websocket-origin", "websocket-location", "websocket-protocol",
  "sec-websocket-origin", "sec-websocket-location", "sec-websocket-protocol"];

/**
 * The response head, blank line included (-75 section 4.2 step 11, -76
 * section 5.2 step 11). The status line and first two fields are exactly the
 * bytes the drafts prescribe: old clients compare them byte for byte. Throws
 * a WebSocketError (`WS_ERR_INVALID_ARGUMENT`) for a bad location, origin,
 * protocol or header. For -76 the 16-byte challenge response follows.
 */
export function createLegacyResponse(options: LegacyResponseOptions): string {
  const sec = options.draft === "hixie-76" ? "Sec-" : "";
  let head = options.draft === "hixie-76"
    ? "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
    : "HTTP/1.1 101 Web Socket Protocol Handshake\r\n";
  head += "Upgrade: WebSocket\r\nConnection: Upgrade\r\n";
  const field = (name: string, value: string) => {
    if (!isValidHeaderValue(value)) throw invalid(`Invalid value for the ${name} header`);
    head += `${name}: ${value}\r\n`;
  };
  if (options.origin !== undefined) field(`${sec}WebSocket-Origin`, options.origin);
  field(`${sec}WebSocket-Location`, options.location);
  if (options.protocol) field(`${sec}WebSocket-Protocol`, options.protocol);
  for (const [name, value] of headerEntries(options.headers)) {
    if (RESERVED.includes(name.toLowerCase())) throw invalid(`The ${name} header is set by the handshake`);
    head += `${name}: ${value}\r\n`;
  }
  return head + "\r\n";
}
