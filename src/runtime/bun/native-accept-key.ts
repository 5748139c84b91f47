/**
 * The handshake's SHA-1 (Sec-WebSocket-Accept, RFC 6455 section 4.2.2) on
 * Bun: `Bun.CryptoHasher.hash`, one native call from string to base64,
 * plugged into core/websocket/handshake/accept-key.ts by ./setup.ts.
 * node:crypto (./node/native-accept-key.ts) where it is missing.
 */
import { setNativeAcceptKey, type NativeSha1Base64 } from "../../core/websocket/handshake/accept-key.ts";
import { nodeCryptoSha1 } from "../node/native-accept-key.ts";

interface CryptoHasherClass {
  hash(algorithm: "sha1", input: string, encoding: "base64"): string;
}

/** Bun.CryptoHasher's SHA-1, or null when this Bun has none (or it answers wrongly). */
export function bunSha1(): NativeSha1Base64 | null {
  const hasher = (globalThis as { Bun?: { CryptoHasher?: CryptoHasherClass } }).Bun?.CryptoHasher;
  if (typeof hasher?.hash !== "function") return null;
  try {
    const digest: NativeSha1Base64 = (input) => hasher.hash("sha1", input, "base64");
    // The RFC 6455 section 1.3 example.
    return digest("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11") === "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" ? digest : null;
  } catch {
    return null;
  }
}

/** Plugs Bun's SHA-1 (or node:crypto's) into the handshake; true when one was plugged in. */
export function installBunAcceptKey(): boolean {
  const digest = bunSha1() ?? nodeCryptoSha1();
  if (digest) setNativeAcceptKey(digest);
  return digest !== null;
}
