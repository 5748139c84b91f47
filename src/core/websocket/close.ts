/**
 * Close frame payloads (RFC 6455 section 5.5.1): empty, or a 2-byte status
 * code followed by a UTF-8 reason, 125 bytes in all.
 */
import { WebSocketError } from "../shared/errors.ts";
import { textDecoder, textEncoder } from "../shared/platform.ts";
import { isValidUtf8 } from "../shared/utf8.ts";

/**
 * Codes a peer may put on the wire (section 7.4.1 and the IANA registry):
 * 1000-1003 and 1007-1014 are defined, 1004 is reserved, 1005, 1006 and
 * 1015 MUST NOT be sent; 3000-4999 belong to libraries and applications.
 */
export function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}

const EMPTY = new Uint8Array(0);

/** Payload for a Close frame; `code` undefined gives the empty payload. */
export function encodeClosePayload(code: number | undefined, reason = ""): Uint8Array {
  if (code === undefined) {
    if (reason) throw new WebSocketError("WS_ERR_INVALID_ARGUMENT", "A close reason needs a close code");
    return EMPTY;
  }
  if (!isValidCloseCode(code)) throw new WebSocketError("WS_ERR_INVALID_CLOSE_CODE", `Invalid close code ${code}`);
  const bytes = reason ? textEncoder.encode(reason) : EMPTY;
  // Section 5.5: 125 bytes of payload, 2 of them the code.
  if (bytes.length > 123) throw new WebSocketError("WS_ERR_INVALID_ARGUMENT", "Close reason must be 123 bytes or less");
  const out = new Uint8Array(2 + bytes.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(bytes, 2);
  return out;
}

/** The code and reason of a received Close, or the error it carries. */
export function parseClosePayload(payload: Uint8Array): { code: number; reason: string } | WebSocketError {
  // Section 7.1.5: no status code in the frame reads as 1005.
  if (payload.length === 0) return { code: 1005, reason: "" };
  if (payload.length === 1) {
    return new WebSocketError("WS_ERR_INVALID_CLOSE_PAYLOAD", "Invalid close frame: 1-byte payload");
  }
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidCloseCode(code)) return new WebSocketError("WS_ERR_INVALID_CLOSE_CODE", `Invalid close code ${code}`);
  const reasonBytes = payload.subarray(2);
  // Section 5.5.1: the reason is UTF-8; invalid UTF-8 fails the connection.
  if (!isValidUtf8(reasonBytes)) return new WebSocketError("WS_ERR_INVALID_UTF8", "Invalid UTF-8 in close reason");
  return { code, reason: textDecoder.decode(reasonBytes) };
}
