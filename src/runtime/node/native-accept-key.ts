/**
 * The handshake's SHA-1 (Sec-WebSocket-Accept, RFC 6455 section 4.2.2) in
 * native code: node:crypto's createHash, which Node, Deno and Bun all ship,
 * plugged into core/websocket/handshake/accept-key.ts by each runtime's
 * setup. Where node:crypto cannot hash SHA-1 the portable code stays.
 */
import { createHash } from "node:crypto";
import { setNativeAcceptKey, type NativeSha1Base64 } from "../../core/websocket/handshake/accept-key.ts";

/** node:crypto's SHA-1 as the accept key's digest, or null when it cannot make one. */
export function nodeCryptoSha1(): NativeSha1Base64 | null {
  try {
    const digest: NativeSha1Base64 = (input) => createHash("sha1").update(input, "utf8").digest("base64");
    // The RFC 6455 section 1.3 example: a runtime whose hash answers wrongly is not used.
    return digest("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11") === "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" ? digest : null;
  } catch {
    return null;
  }
}

/** Plugs node:crypto's SHA-1 into the handshake; true when it did. */
export function installNativeAcceptKey(): boolean {
  const digest = nodeCryptoSha1();
  if (digest) setNativeAcceptKey(digest);
  return digest !== null;
}
