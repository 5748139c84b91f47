/**
 * Masking (RFC 6455 section 5.3): octet i of the payload is XORed with octet
 * i mod 4 of the masking key. Long runs go four bytes at a time through an
 * Int32Array view of the 4-byte-aligned middle (eight words per loop turn);
 * short runs and the ragged ends go byte by byte, with no allocation. A
 * runtime may plug in a native XOR for long runs (`setNativeMask`).
 */

/** Below this many bytes the word path costs more (a view allocation) than it saves. */
const WORD_THRESHOLD = 128;

/**
 * A native XOR a runtime may plug in (Node: bufferutil, when installed):
 * XORs all of `data` in place with `key`, starting at key octet 0.
 */
export type NativeMask = (data: Uint8Array, key: Uint8Array) => void;

/** From this many bytes on, a native mask beats the loop below despite the call. */
const NATIVE_THRESHOLD = 1024;

let native: NativeMask | null = null;

/** Installs (or with null removes) a native mask for long runs. */
export function setNativeMask(fn: NativeMask | null): void {
  native = fn;
}

/** True when the platform stores the low byte of a word first. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * XORs `data[start..end)` in place with `key`, where `data[start]` is payload
 * octet number `offset` (so a payload can be unmasked in pieces).
 */
export function applyMask(data: Uint8Array, key: Uint8Array, start = 0, end = data.length, offset = 0): void {
  let i = start;
  let k = offset & 3;
  if (native !== null && end - i >= NATIVE_THRESHOLD) {
    const rotated = k === 0 ? key : new Uint8Array([key[k]!, key[(k + 1) & 3]!, key[(k + 2) & 3]!, key[(k + 3) & 3]!]);
    native(start === 0 && end === data.length ? data : data.subarray(start, end), rotated);
    return;
  }
  if (end - i >= WORD_THRESHOLD) {
    // Walk to a 4-byte boundary of the underlying buffer.
    while ((data.byteOffset + i) & 3) {
      data[i++]! ^= key[k]!;
      k = (k + 1) & 3;
    }
    // The key rotated so that word lanes line up with payload octets, packed
    // in the platform's byte order. Int32 keeps every value a small integer
    // for the JIT (Uint32 values past 2^31 would become doubles).
    const k0 = key[k]!;
    const k1 = key[(k + 1) & 3]!;
    const k2 = key[(k + 2) & 3]!;
    const k3 = key[(k + 3) & 3]!;
    const word = LITTLE_ENDIAN ? k0 | (k1 << 8) | (k2 << 16) | (k3 << 24) : (k0 << 24) | (k1 << 16) | (k2 << 8) | k3;
    const words = (end - i) >>> 2;
    const view = new Int32Array(data.buffer, data.byteOffset + i, words);
    const unrolled = words - (words & 7);
    let w = 0;
    for (; w < unrolled; w += 8) {
      view[w]! ^= word;
      view[w + 1]! ^= word;
      view[w + 2]! ^= word;
      view[w + 3]! ^= word;
      view[w + 4]! ^= word;
      view[w + 5]! ^= word;
      view[w + 6]! ^= word;
      view[w + 7]! ^= word;
    }
    for (; w < words; w++) view[w]! ^= word;
    i += words << 2;
  }
  // Byte path: whole key turns, then the remainder.
  if (end - i >= 4) {
    const k0 = key[k]!;
    const k1 = key[(k + 1) & 3]!;
    const k2 = key[(k + 2) & 3]!;
    const k3 = key[(k + 3) & 3]!;
    for (; i + 3 < end; i += 4) {
      data[i]! ^= k0;
      data[i + 1]! ^= k1;
      data[i + 2]! ^= k2;
      data[i + 3]! ^= k3;
    }
  }
  for (; i < end; i++) {
    data[i]! ^= key[k]!;
    k = (k + 1) & 3;
  }
}
