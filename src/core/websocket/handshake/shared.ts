/**
 * Helpers both halves of the opening handshake use: error constructors,
 * discarding extension sessions, and the RSV-bit clash check.
 */
import { WebSocketError } from "../../shared/errors.ts";
import type { Extension } from "../extensions/extension.ts";

export function invalid(message: string): WebSocketError {
  return new WebSocketError("WS_ERR_INVALID_ARGUMENT", message);
}

export function handshakeError(message: string): WebSocketError {
  return new WebSocketError("WS_ERR_HANDSHAKE", message);
}

/** True when two extensions claim the same RSV bit (RFC 6455 section 9). */
export function rsvClash(a: Extension, b: Extension): boolean {
  return (a.rsv1 && b.rsv1) || (a.rsv2 && b.rsv2) || (a.rsv3 && b.rsv3);
}
