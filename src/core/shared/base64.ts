/**
 * Base64 (RFC 4648 section 4, the standard alphabet with `=` padding)
 * between Uint8Array and string, without `atob`/`btoa` or a runtime's byte class.
 *
 * Decoding is strict, as the handshake needs it to be (RFC 6455 section
 * 4.2.1 point 5: the key must decode to exactly 16 bytes): no whitespace,
 * no URL-safe alphabet, length a multiple of 4, padding only at the end, and
 * the unused bits before the padding zero (RFC 4648 section 3.5), so that a
 * string decodes only if it is the one canonical encoding of its bytes.
 */
import { WebSocketError } from "./errors.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Char code -> 6-bit value, or -1 for a character outside the alphabet. */
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

function sextet(input: string, index: number): number {
  const code = input.charCodeAt(index);
  return code < 128 ? DECODE[code]! : -1;
}

/** Base64 of `bytes`, padded with `=`. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  const full = bytes.length - (bytes.length % 3);
  for (let i = 0; i < full; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const left = bytes.length - full;
  if (left === 1) {
    const n = bytes[full]! << 16;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + "==";
  } else if (left === 2) {
    const n = (bytes[full]! << 16) | (bytes[full + 1]! << 8);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + "=";
  }
  return out;
}

/** The bytes `input` encodes, or null when it is not canonical, padded base64. */
export function tryDecodeBase64(input: string): Uint8Array | null {
  const length = input.length;
  if (length % 4 !== 0) return null;
  if (length === 0) return new Uint8Array(0);
  const pad = input.charCodeAt(length - 1) !== 0x3d ? 0 : input.charCodeAt(length - 2) !== 0x3d ? 1 : 2;
  const out = new Uint8Array((length / 4) * 3 - pad);
  const body = length - 4; // every quantum but the last one has no padding
  let o = 0;
  for (let i = 0; i < body; i += 4) {
    const a = sextet(input, i), b = sextet(input, i + 1), c = sextet(input, i + 2), d = sextet(input, i + 3);
    if ((a | b | c | d) < 0) return null;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  // The last quantum: 4, 3 or 2 significant characters (RFC 4648 section 4).
  const a = sextet(input, body), b = sextet(input, body + 1);
  const c = pad === 2 ? 0 : sextet(input, body + 2);
  const d = pad >= 1 ? 0 : sextet(input, body + 3);
  if ((a | b | c | d) < 0) return null;
  // Pad bits must be zero: a non-canonical encoding is rejected (RFC 4648 section 3.5).
  if ((pad === 2 && (b & 15) !== 0) || (pad === 1 && (c & 3) !== 0)) return null;
  const n = (a << 18) | (b << 12) | (c << 6) | d;
  out[o++] = n >>> 16;
  if (pad < 2) out[o++] = (n >>> 8) & 255;
  if (pad < 1) out[o++] = n & 255;
  return out;
}

/**
 * The bytes `input` encodes. Throws a WebSocketError (`WS_ERR_INVALID_ARGUMENT`)
 * when it is not canonical, padded base64; use `tryDecodeBase64` to test.
 */
export function decodeBase64(input: string): Uint8Array {
  const bytes = tryDecodeBase64(input);
  if (bytes === null) throw new WebSocketError("WS_ERR_INVALID_ARGUMENT", "Invalid base64 string");
  return bytes;
}
