/**
 * `Sec-WebSocket-Accept` (RFC 6455 section 4.2.2):
 *
 *   key --+-- GUID --> UTF-8 bytes --> sha1 --> 20 bytes --> base64 --> accept
 */
import { encodeBase64 } from "../../shared/base64.ts";
import { textEncoder } from "../../shared/platform.ts";
import { sha1 } from "../../shared/sha1.ts";

/** The GUID appended to the client's key (RFC 6455 section 1.3). */
export const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key`: base64 of the
 * SHA-1 of the key (as sent, without decoding it) followed by the GUID
 * (RFC 6455 section 4.2.2 step 5.4, example in section 1.3).
 */
export function acceptKey(key: string): string {
  return encodeBase64(sha1(textEncoder.encode(key + WEBSOCKET_GUID)));
}
