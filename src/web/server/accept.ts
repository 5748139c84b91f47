/**
 * The server's side of the opening handshake, for any runtime hook that has
 * a parsed request head and the raw socket behind it.
 *
 *   request head -> validateClientRequest -> select protocol
 *     -> negotiate extensions -> write 101 (or 400/405/426 and close)
 *     -> AcceptedSocket for WebSocket.accept()
 */
import { WebSocketError } from "../../core/shared/errors.ts";
import type { Extension } from "../../core/websocket/extensions/extension.ts";
import { createErrorResponse, createServerResponse, negotiateServerExtensions, selectProtocol, validateClientRequest } from "../../core/websocket/handshake/server.ts";
import { type HttpRequestHead } from "../../core/http/head-parser.ts";
import { encodeLatin1 } from "../../core/http/serializer.ts";
import { DEFAULT_MAX_LENGTH } from "../../core/websocket/protocol.ts";
import { legacyDraftOf } from "../../core/websocket/legacy/handshake.ts";
import { acceptLegacyUpgrade } from "./accept-legacy.ts";
import { serverExtensions, type PerMessageDeflateSetting } from "../client/extension-options.ts";
import type { ByteSocket } from "../transport/byte-socket.ts";
import type { AcceptedSocket } from "../websocket/websocket.ts";
import { closeSessions } from "../../core/websocket/extensions/close-sessions.ts";
import { requestWebSocketUrl } from "./request-url.ts";

/**
 * How a server picks the subprotocol (RFC 6455 section 4.2.2, /subprotocol/):
 * a list (the first of the client's offers, in the client's order, that the
 * list holds), or a function given the client's offers that returns one of
 * them, or a falsy value for none. Picking one the client did not offer is
 * an error (the handshake is refused).
 */
export type ProtocolChooser = readonly string[] | ((offered: string[]) => string | false | null | undefined);

export interface AcceptOptions {
  /** Subprotocols the server speaks, or a function that picks one. */
  protocols?: ProtocolChooser;
  extensions?: Extension[];
  /** permessage-deflate, off unless set (see ../client/extension-options.ts). */
  perMessageDeflate?: PerMessageDeflateSetting;
  maxLength?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** True when the request came over TLS (for the ws:// or wss:// url). */
  secure?: boolean;
  /**
   * Also speak to old clients (faye's option): hixie-75 and hixie-76
   * requests, and hybi-08 (Sec-WebSocket-Version: 8). Off by default: such
   * requests then get the usual 426 or 400. See docs/legacy-drafts.md.
   */
  allowDrafts?: boolean;
  /**
   * Sees the 101 response as lines (status line first, no trailing blank
   * line) just before it is written, and may change them (ws's `headers` event).
   */
  editResponse?: (lines: string[]) => void;
}

function headerRecord(head: HttpRequestHead): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of head.headers.raw) {
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key]}, ${value}` : value;
  }
  return out;
}

/**
 * Answers the handshake on `socket`. On success the 101 is written and the
 * socket is paused until the WebSocket attaches; on refusal the HTTP error
 * is written, the socket ended, and the result carries `error`.
 */
export function acceptUpgrade(head: HttpRequestHead, socket: ByteSocket, leftover: Uint8Array | undefined, options: AcceptOptions): AcceptedSocket {
  // Misused options throw here, before anything is written.
  const extensions = serverExtensions(options);
  const headers = headerRecord(head);
  const url = requestWebSocketUrl(options.secure, head.headers.get("host"), head.target);
  // A draft client sends no Sec-WebSocket-Version or -Key; only opted-in servers answer it.
  const draft = options.allowDrafts ? legacyDraftOf(head) : null;
  if (draft) {
    const base = refusedBase(socket, url, headers);
    return acceptLegacyUpgrade(head, socket, leftover, options, base, (status, reason, extra, error) => refuse(socket, base, status, reason, extra, error));
  }
  const checked = validateClientRequest(head, options.allowDrafts ? HYBI_13_AND_8 : undefined);
  if (!checked.ok) return refuse(socket, refusedBase(socket, url, headers), checked.status, checked.reason, checked.headers, checked.error);
  let protocol: string;
  try {
    protocol = options.protocols ? selectProtocol(checked.protocols, options.protocols) ?? "" : "";
  } catch (err) {
    // A chooser that picks a protocol the client did not offer (or throws) is
    // the server's fault: answer 500 rather than throw out of the upgrade hook
    // and leave the client waiting. The WebSocket reports the cause as its error.
    const error = err instanceof WebSocketError ? err : new WebSocketError("WS_ERR_HANDSHAKE", String(err));
    return refuse(socket, refusedBase(socket, url, headers), 500, "Subprotocol selection failed", [], error);
  }
  // With no extension to offer there is nothing to negotiate (validateClientRequest
  // has already refused a malformed Sec-WebSocket-Extensions).
  const negotiated = extensions.length === 0
    ? { active: [], responseHeader: "" }
    : negotiateServerExtensions(extensions, head.headers.getAll("sec-websocket-extensions"), { maxLength: options.maxLength ?? DEFAULT_MAX_LENGTH });
  if (negotiated instanceof WebSocketError) return refuse(socket, refusedBase(socket, url, headers), 400, negotiated.message, [], negotiated);
  let response: string;
  try {
    response = createServerResponse({
      key: checked.key,
      protocol,
      extensionsHeader: negotiated.responseHeader,
      headers: options.headers,
    });
  } catch (err) {
    closeSessions(negotiated.active);
    const error = err instanceof WebSocketError ? err : new WebSocketError("WS_ERR_HANDSHAKE", String(err));
    return refuse(socket, refusedBase(socket, url, headers), 500, "Invalid handshake response", [], error);
  }
  if (options.editResponse) {
    const lines = response.slice(0, -4).split("\r\n");
    options.editResponse(lines);
    response = lines.join("\r\n") + "\r\n\r\n";
  }
  socket.write([encodeLatin1(response)]);
  socket.pause();
  return {
    socket,
    url,
    protocol,
    extensionsHeader: negotiated.responseHeader,
    extensions: negotiated.active,
    headers,
    version: checked.version === 13 ? "hybi-13" : "hybi-8",
    head: leftover,
  };
}

const HYBI_13_AND_8 = { versions: [13, 8] as const };

/** What a refused (or draft) handshake's result starts from. */
function refusedBase(socket: ByteSocket, url: string, headers: Record<string, string>): Omit<AcceptedSocket, "error"> {
  return { socket, url, protocol: "", extensionsHeader: "", extensions: [], headers };
}

/** Answers with an HTTP error and ends the connection; the result carries `error`. */
function refuse(socket: ByteSocket, base: Omit<AcceptedSocket, "error">, status: number, reason: string, extra: Array<[string, string]>, error: WebSocketError): AcceptedSocket {
  socket.write([encodeLatin1(createErrorResponse(status, reason, extra))]);
  socket.end();
  return { ...base, error };
}
