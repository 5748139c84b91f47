/**
 * The opening handshake (RFC 6455 section 4) as pure functions.
 *
 *   client                                         server
 *   createClientRequest() --- GET, Upgrade ------> validateClientRequest()
 *     (key, offers, sessions)                      selectProtocol()
 *                                                  negotiateServerExtensions()
 *   validateServerResponse() <-- 101, Accept ----- createServerResponse()
 *     (protocol, active extensions)                (or createErrorResponse())
 *
 * Nothing here does I/O: heads are strings (latin1, see ../../http/) and parsed
 * heads come from HttpHeadParser. Checks of what the peer sent return a
 * WebSocketError (`WS_ERR_HANDSHAKE`) or a rejection; only bad arguments
 * from our own caller throw (`WS_ERR_INVALID_ARGUMENT`).
 */
import { encodeBase64 } from "../../shared/base64.ts";
import { WebSocketError } from "../../shared/errors.ts";
import type { ActiveExtension, ClientSession, Extension, ExtensionContext, ExtensionOffer } from "../extensions/extension.ts";
import { checkProtocols, parseExtensions, serializeExtensions } from "./header-params.ts";
import { findDuplicateHeader } from "../../http/headers.ts";
import { hasToken } from "../../http/tokens.ts";
import { type HttpResponseHead } from "../../http/head-parser.ts";
import { headerEntries, serializeRequestHead, type HttpHeadersInit } from "../../http/serializer.ts";
import { defaultRandom, type RandomSource } from "../../shared/platform.ts";
import { acceptKey } from "./accept-key.ts";
import { handshakeError, invalid, rsvClash } from "./shared.ts";
import { parseWebSocketUrl, type WebSocketTarget, type WebSocketUrl } from "../url.ts";
import { closeSessions } from "../extensions/close-sessions.ts";

export interface ClientRequestOptions {
  /** Where to connect: a URL, or a target parseWebSocketUrl already made (the one the caller dials). */
  url: WebSocketUrl | WebSocketTarget;
  /** Subprotocols to offer, best first (RFC 6455 section 4.1 point 10). */
  protocols?: string | readonly string[];
  /** Sent as Origin (version 13) or Sec-WebSocket-Origin (version 8). */
  origin?: string;
  /** Extra headers; Host and the origin header here replace the generated ones. */
  headers?: HttpHeadersInit;
  extensions?: readonly Extension[];
  extensionContext: ExtensionContext;
  /** Source of the key's 16 random bytes (tests fix it). */
  random?: RandomSource;
  /** 13 (RFC 6455), or 8 for hybi-08 servers. */
  version?: 13 | 8;
}

/** The client's half of the handshake, kept until the response arrives. */
export interface ClientHandshake {
  /** The serialized request head, blank line included. */
  head: string;
  key: string;
  expectedAccept: string;
  protocols: string[];
  /** The extension sessions offered, in offer order, to activate later. */
  sessions: Array<{ extension: Extension; session: ClientSession }>;
  version: 13 | 8;
  target: WebSocketTarget;
}

/** Headers the handshake itself writes; a caller may not set them. */
const CLIENT_RESERVED = ["upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
  "sec-websocket-protocol", "sec-websocket-extensions", "sec-websocket-accept"];

/**
 * Builds the client's opening handshake (RFC 6455 section 4.1). Throws a
 * WebSocketError (`WS_ERR_INVALID_ARGUMENT`) for a bad URL, protocol or
 * header; an extension that throws while offering propagates its error.
 */
export function createClientRequest(options: ClientRequestOptions): ClientHandshake {
  const version = options.version ?? 13;
  if (version !== 13 && version !== 8) throw invalid(`Unsupported WebSocket version: ${String(version)}`);
  const target = isTarget(options.url) ? options.url : parseWebSocketUrl(options.url);
  const protocols = typeof options.protocols === "string" ? [options.protocols] : [...(options.protocols ?? [])];
  const protocolError = checkProtocols(protocols);
  if (protocolError) throw protocolError;

  // "a nonce consisting of a randomly selected 16-byte value ... base64-encoded" (section 4.1 point 7)
  const key = encodeBase64((options.random ?? defaultRandom)(new Uint8Array(16)));
  const originName = version === 8 ? "Sec-WebSocket-Origin" : "Origin";
  const fields: Array<[string, string]> = [
    ["Host", target.host], // section 4.1 point 4
    ["Upgrade", "websocket"], // point 5
    ["Connection", "Upgrade"], // point 6
    ["Sec-WebSocket-Key", key], // point 7
  ];
  if (options.origin !== undefined) fields.push([originName, options.origin]); // point 8
  // Credentials from the URL (user:password@), unless the caller set Authorization.
  if (target.authorization !== undefined) fields.push(["Authorization", target.authorization]);
  if (protocols.length) fields.push(["Sec-WebSocket-Protocol", protocols.join(", ")]); // point 10
  fields.push(["Sec-WebSocket-Version", String(version)]); // point 9

  for (const [name, value] of headerEntries(options.headers)) {
    const lower = name.toLowerCase();
    if (CLIENT_RESERVED.includes(lower)) throw invalid(`The ${name} header is set by the handshake`);
    const generated = fields.findIndex(([n]) => n.toLowerCase() === lower && (lower === "host" || lower === "authorization" || n === originName));
    if (generated !== -1) fields[generated] = [name, value];
    else fields.push([name, value]);
  }

  const sessions: ClientHandshake["sessions"] = [];
  const offers: ExtensionOffer[] = [];
  const names = new Set<string>();
  try {
    for (const extension of options.extensions ?? []) {
      if (names.has(extension.name)) throw invalid(`Extension "${extension.name}" is listed twice`);
      names.add(extension.name);
      const session = extension.createClientSession(options.extensionContext);
      if (!session) continue;
      sessions.push({ extension, session });
      const offer = session.generateOffer();
      for (const params of Array.isArray(offer) ? offer : [offer]) offers.push({ name: extension.name, params });
    }
    // Extensions are offered in order of preference (section 9.1).
    if (offers.length) fields.push(["Sec-WebSocket-Extensions", serializeExtensions(offers)]); // point 11
  } catch (error) {
    closeSessions(sessions);
    throw error;
  }

  const head = serializeRequestHead({ method: "GET", target: target.path, headers: fields });
  return { head, key, expectedAccept: acceptKey(key), protocols, sessions, version, target };
}

function isTarget(url: ClientRequestOptions["url"]): url is WebSocketTarget {
  return typeof url === "object" && "hostname" in url && "path" in url && "secure" in url && !("protocol" in url);
}

/** What the server agreed to. */
export interface ClientHandshakeResult {
  /** The subprotocol in use, "" for none. */
  protocol: string;
  /** Active extensions, in the order the server listed them. */
  extensions: ActiveExtension[];
  /** The server's Sec-WebSocket-Extensions value, "" for none (WebSocket.extensions). */
  extensionsHeader: string;
}

/**
 * Checks the server's response (RFC 6455 section 4.1, the client's
 * requirements on the server's handshake) and activates the extensions it
 * chose. Returns the result, or a WebSocketError (`WS_ERR_HANDSHAKE`) saying
 * why the connection must fail. Sessions the server did not accept (all of
 * them on failure) are closed.
 */
export function validateServerResponse(
  response: HttpResponseHead,
  request: ClientHandshake,
): ClientHandshakeResult | WebSocketError {
  const result = checkServerResponse(response, request);
  const kept = result instanceof WebSocketError ? [] : result.extensions.map((a) => a.session);
  closeSessions(request.sessions.filter(({ session }) => !kept.includes(session)));
  return result;
}

function checkServerResponse(response: HttpResponseHead, request: ClientHandshake): ClientHandshakeResult | WebSocketError {
  const { headers } = response;
  // "If the status code received from the server is not 101, ..." (point 1)
  if (response.status !== 101) return handshakeError(`Unexpected server response: ${response.status}`);
  const duplicate = findDuplicateHeader(headers, ["Upgrade", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol"]);
  if (duplicate) return handshakeError(`The ${duplicate} header appears more than once`);
  // Upgrade must be an ASCII case-insensitive match for "websocket" (point 2).
  if (headers.get("Upgrade")?.toLowerCase() !== "websocket") return handshakeError("Invalid Upgrade header");
  // Connection must hold the token "Upgrade", case-insensitively (point 3).
  if (!hasToken(headers.get("Connection"), "upgrade")) return handshakeError("Invalid Connection header");
  // Sec-WebSocket-Accept must equal base64(SHA-1(key + GUID)) (point 4).
  if (headers.get("Sec-WebSocket-Accept") !== request.expectedAccept) {
    return handshakeError("Invalid Sec-WebSocket-Accept header");
  }

  // A subprotocol the client did not offer fails the connection (point 6).
  const protocol = headers.get("Sec-WebSocket-Protocol");
  if (protocol !== undefined && !request.protocols.includes(protocol)) {
    return handshakeError(request.protocols.length ? "Server sent an invalid subprotocol" : "Server sent a subprotocol but none was requested");
  }

  // Extensions must be ones the client offered (point 5), each once, on disjoint RSV bits.
  const extensionsHeader = headers.get("Sec-WebSocket-Extensions") ?? "";
  const chosen = parseExtensions(extensionsHeader);
  if (chosen instanceof WebSocketError) return chosen;
  const active: ActiveExtension[] = [];
  for (const { name, params } of chosen) {
    const offered = request.sessions.find((s) => s.extension.name === name);
    if (!offered) return handshakeError(`Server sent extension "${name}", which was not offered`);
    const { extension, session } = offered;
    if (active.some((a) => a.extension === extension)) return handshakeError(`Server sent extension "${name}" twice`);
    const clash = active.find((a) => rsvClash(a.extension, extension));
    if (clash) return handshakeError(`Extensions "${clash.extension.name}" and "${name}" clash on RSV bits`);
    let accepted: boolean;
    try {
      accepted = session.activate(params);
    } catch (error) {
      return handshakeError(`Extension "${name}" failed to activate: ${(error as Error)?.message ?? String(error)}`);
    }
    if (!accepted) return handshakeError(`Extension "${name}" rejected the server's parameters`);
    active.push({ extension, session });
  }
  return { protocol: protocol ?? "", extensions: active, extensionsHeader };
}
