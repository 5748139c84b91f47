/**
 * The handshake's SHA-1 (Sec-WebSocket-Accept, RFC 6455 section 4.2.2) in
 * native code from node:crypto, which Node, Deno and Bun all ship, plugged
 * into core/websocket/handshake/accept-key.ts by each runtime's setup.
 * Node takes the one-shot `crypto.hash` (a quarter of createHash's cost
 * there); Deno's createHash is the quicker of its two. Where node:crypto
 * cannot hash SHA-1 the portable code stays.
 */
import * as crypto from "node:crypto";
import { setNativeAcceptKey, type NativeSha1Base64 } from "../../core/websocket/handshake/accept-key.ts";

/** The RFC 6455 section 1.3 example: a digest that answers it wrongly is not used. */
function answersTheExample(digest: NativeSha1Base64): boolean {
  return digest("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11") === "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
}

type OneShotHash = (algorithm: string, data: string, encoding: "base64") => string;

/**
 * node:crypto's SHA-1 as the accept key's digest, or null when it cannot
 * make one: `crypto.hash` when `oneShot` and the runtime has it, else createHash.
 */
export function nodeCryptoSha1(oneShot = false): NativeSha1Base64 | null {
  try {
    const hash = (crypto as { hash?: OneShotHash }).hash;
    if (oneShot && typeof hash === "function") {
      const digest: NativeSha1Base64 = (input) => hash("sha1", input, "base64");
      if (answersTheExample(digest)) return digest;
    }
    const digest: NativeSha1Base64 = (input) => crypto.createHash("sha1").update(input, "utf8").digest("base64");
    return answersTheExample(digest) ? digest : null;
  } catch {
    return null;
  }
}

/** Plugs node:crypto's SHA-1 into the handshake (see nodeCryptoSha1); true when it did. */
export function installNativeAcceptKey(oneShot = false): boolean {
  const digest = nodeCryptoSha1(oneShot);
  if (digest) setNativeAcceptKey(digest);
  return digest !== null;
}
