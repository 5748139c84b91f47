/**
 * Masking (RFC 6455 section 5.3): octet i of the payload is XORed with octet
 * i mod 4 of the masking key. Long payloads go four bytes at a time through a
 * Uint32Array view when the data is 4-byte aligned; the rest byte by byte.
 */

/**
 * XORs `data[start..end)` in place with `key`, where `data[start]` is payload
 * octet number `offset` (so a payload can be unmasked in pieces).
 */
export function applyMask(data: Uint8Array, key: Uint8Array, start = 0, end = data.length, offset = 0): void {
  let i = start;
  let k = offset & 3;
  // Walk to a 4-byte boundary of the underlying buffer, if the run is long.
  if (end - i >= 32) {
    while ((data.byteOffset + i) & 3) {
      data[i++]! ^= key[k]!;
      k = (k + 1) & 3;
    }
    const words = (end - i) >>> 2;
    if (words > 0) {
      // The key rotated so that word lanes line up with payload octets; the
      // lanes follow the platform's byte order, which a round trip through a
      // Uint8Array view of the same word makes explicit.
      const kw = new Uint8Array(4);
      kw[0] = key[k]!;
      kw[1] = key[(k + 1) & 3]!;
      kw[2] = key[(k + 2) & 3]!;
      kw[3] = key[(k + 3) & 3]!;
      const keyWord = new Uint32Array(kw.buffer)[0]!;
      const view = new Uint32Array(data.buffer, data.byteOffset + i, words);
      for (let w = 0; w < words; w++) view[w]! ^= keyWord;
      i += words << 2;
    }
  }
  for (; i < end; i++) {
    data[i]! ^= key[k]!;
    k = (k + 1) & 3;
  }
}
