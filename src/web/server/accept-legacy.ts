/**
 * The server's answer to a hixie-75/76 client, for acceptUpgrade when the
 * server opted in with `allowDrafts` (faye's option name).
 *
 *   request head -> validateLegacyRequest -> select protocol
 *     -> write the 101 head now (-76: the challenge response waits for the
 *        client's 8-byte key body, which the LegacyProtocol engine answers)
 *     -> AcceptedSocket { version: "hixie-75" | "hixie-76", legacy }
 *
 * The head goes out before the key body arrives: a proxy in between only
 * forwards the body once it has seen the 101.
 */
import { WebSocketError } from "../../core/shared/errors.ts";
import type { HttpRequestHead } from "../../core/http/head-parser.ts";
import { encodeLatin1 } from "../../core/http/serializer.ts";
import { selectProtocol } from "../../core/websocket/handshake/server.ts";
import { createLegacyResponse, validateLegacyRequest, type LegacyDraft } from "../../core/websocket/legacy/handshake.ts";
import type { ByteSocket } from "../transport/byte-socket.ts";
import type { AcceptedSocket } from "../websocket/websocket.ts";
import type { AcceptOptions } from "./accept.ts";

type Refuse = (status: number, reason: string, extra: Array<[string, string]>, error: WebSocketError) => AcceptedSocket;

export function acceptLegacyUpgrade(
  head: HttpRequestHead,
  socket: ByteSocket,
  leftover: Uint8Array | undefined,
  options: AcceptOptions,
  base: Omit<AcceptedSocket, "error">,
  refuse: Refuse,
): AcceptedSocket {
  const checked = validateLegacyRequest(head);
  if (!checked.ok) return refuse(checked.status, checked.reason, checked.headers, checked.error);
  let protocol = "";
  try {
    protocol = options.protocols ? selectProtocol(checked.protocols, options.protocols) ?? "" : "";
  } catch (err) {
    const error = err instanceof WebSocketError ? err : new WebSocketError("WS_ERR_HANDSHAKE", String(err));
    return refuse(500, "Subprotocol selection failed", [], error);
  }
  const draft: LegacyDraft = checked.draft;
  let response: string;
  try {
    response = createLegacyResponse({
      draft,
      // [Sec-]WebSocket-Location: the URL as the client wrote it (-76 section 5.2 step 11).
      location: `${options.secure ? "wss" : "ws"}://${head.headers.get("Host")}${head.target}`,
      origin: checked.origin,
      protocol,
      headers: options.headers,
    });
  } catch (err) {
    const error = err instanceof WebSocketError ? err : new WebSocketError("WS_ERR_HANDSHAKE", String(err));
    return refuse(500, "Invalid handshake response", [], error);
  }
  socket.write([encodeLatin1(response)]);
  socket.pause();
  return { ...base, protocol, version: draft, legacy: { draft, keys: checked.keys }, head: leftover };
}
