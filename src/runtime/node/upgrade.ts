/**
 * node:http's `upgrade` event as a WebSocket server hook (faye style):
 *
 *   server.on("upgrade", (req, socket, head) => {
 *     if (WebSocket.isWebSocket(req)) new WebSocket(req, socket, head, protocols, options);
 *   });
 *
 * node:http has already parsed the request head; it is rebuilt from
 * `rawHeaders` so repeated critical headers are still seen.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";
import { hasToken } from "../../core/http/tokens.ts";
import { HttpHeaders } from "../../core/http/headers.ts";
import { type HttpRequestHead } from "../../core/http/head-parser.ts";
import { acceptUpgrade, type AcceptOptions } from "../../web/server/accept.ts";
import type { AcceptedSocket } from "../../web/websocket/websocket.ts";
import { NodeByteSocket } from "./socket.ts";

/** True for a request that asks for a WebSocket upgrade (GET, Upgrade: websocket, Connection: upgrade). */
export function isWebSocketRequest(req: IncomingMessage): boolean {
  if (req.method !== "GET") return false;
  const upgrade = req.headers.upgrade;
  return typeof upgrade === "string" && hasToken(upgrade, "websocket") && hasToken(req.headers.connection, "upgrade");
}

export function requestHead(req: IncomingMessage): HttpRequestHead {
  const headers = new HttpHeaders();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return {
    kind: "request",
    method: req.method ?? "GET",
    target: req.url ?? "/",
    version: req.httpVersion,
    versionMajor: req.httpVersionMajor,
    versionMinor: req.httpVersionMinor,
    headers,
  };
}

/** Answers the upgrade on `socket` and returns what WebSocket.accept takes. */
export function acceptNodeUpgrade(req: IncomingMessage, socket: Duplex, head: Uint8Array | undefined, options: AcceptOptions): AcceptedSocket {
  const secure = options.secure ?? Boolean((req.socket as { encrypted?: boolean }).encrypted);
  const byteSocket = new NodeByteSocket(socket as Socket);
  const leftover = head && head.length > 0 ? new Uint8Array(head.buffer, head.byteOffset, head.byteLength) : undefined;
  const accepted = acceptUpgrade(requestHead(req), byteSocket, leftover, { ...options, secure });
  if (accepted.error) {
    // The refusal (400/426 ...) is the last thing said on this connection:
    // once it is flushed the socket goes, even if the client keeps its side open.
    const raw = socket as Socket;
    if (raw.writableFinished) raw.destroy();
    else raw.once("finish", () => raw.destroy());
  }
  return accepted;
}
