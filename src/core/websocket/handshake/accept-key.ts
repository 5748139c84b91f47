/**
 * `Sec-WebSocket-Accept` (RFC 6455 section 4.2.2):
 *
 *   key --+-- GUID --> UTF-8 bytes --> sha1 --> 20 bytes --> base64 --> accept
 *
 * The SHA-1 and base64 here are portable code; a runtime entry may plug in
 * its native digest (`setNativeAcceptKey`), which every handshake then uses.
 * The portable path stays as the fallback and as the reference the native
 * one is tested against.
 */
import { encodeBase64 } from "../../shared/base64.ts";
import { textEncoder } from "../../shared/platform.ts";
import { sha1 } from "../../shared/sha1.ts";

/** The GUID appended to the client's key (RFC 6455 section 1.3). */
export const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * A native SHA-1 a runtime may plug in: the base64 (RFC 4648 section 4,
 * padded) of the SHA-1 of the UTF-8 bytes of `input`.
 */
export type NativeSha1Base64 = (input: string) => string;

let native: NativeSha1Base64 | null = null;

/** Installs (or with null removes) the native digest the accept key uses. */
export function setNativeAcceptKey(fn: NativeSha1Base64 | null): void {
  native = fn;
}

/** True while a native digest is installed. */
export function hasNativeAcceptKey(): boolean {
  return native !== null;
}

/** The accept key computed by the portable SHA-1 and base64, whatever is installed (the reference). */
export function portableAcceptKey(key: string): string {
  return encodeBase64(sha1(textEncoder.encode(key + WEBSOCKET_GUID)));
}

/**
 * The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key`: base64 of the
 * SHA-1 of the key (as sent, without decoding it) followed by the GUID
 * (RFC 6455 section 4.2.2 step 5.4, example in section 1.3).
 */
export function acceptKey(key: string): string {
  return native !== null ? native(key + WEBSOCKET_GUID) : portableAcceptKey(key);
}
