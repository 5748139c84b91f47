/**
 * SHA-1 (FIPS 180-4 section 6.1), synchronous, over Uint8Array.
 *
 * SHA-1 is used here only because the handshake requires it; it proves that
 * the server read the client's key, nothing more. The core cannot use Web
 * Crypto (its digest is asynchronous) or node:crypto, so it carries its own.
 */


// Initial hash value H(0) (FIPS 180-4 section 5.3.1).
const H0 = 0x67452301;
const H1 = 0xefcdab89;
const H2 = 0x98badcfe;
const H3 = 0x10325476;
const H4 = 0xc3d2e1f0;

/** The 20-byte SHA-1 digest of `data`. */
export function sha1(data: Uint8Array): Uint8Array {
  const length = data.length;
  // Padding (FIPS 180-4 section 5.1.1): a 1 bit, zeros, then the 64-bit
  // big-endian message length in bits, to a multiple of 64 bytes.
  const padded = new Uint8Array((((length + 8) >>> 6) + 1) << 6);
  padded.set(data);
  padded[length] = 0x80;
  const bitsHigh = Math.floor(length / 0x20000000); // length * 8 / 2^32
  const bitsLow = (length << 3) >>> 0;
  const end = padded.length;
  writeUint32(padded, end - 8, bitsHigh);
  writeUint32(padded, end - 4, bitsLow);

  const w = new Int32Array(80);
  let h0 = H0 | 0, h1 = H1 | 0, h2 = H2 | 0, h3 = H3 | 0, h4 = H4 | 0;

  for (let block = 0; block < end; block += 64) {
    // Message schedule (FIPS 180-4 section 6.1.2 step 1).
    for (let t = 0; t < 16; t++) {
      const i = block + (t << 2);
      w[t] = (padded[i]! << 24) | (padded[i + 1]! << 16) | (padded[i + 2]! << 8) | padded[i + 3]!;
    }
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
      w[t] = (x << 1) | (x >>> 31);
    }

    // Compression (section 6.1.2 steps 2-4), with f and K of section 4.1.1 / 4.2.1.
    let a = h0, b = h1, c = h2, d = h3, e = h4;
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) {
        f = (b & c) | (~b & d); // Ch
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d; // Parity
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d); // Maj
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d; // Parity
        k = 0xca62c1d6;
      }
      const temp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }

  const digest = new Uint8Array(20);
  writeUint32(digest, 0, h0);
  writeUint32(digest, 4, h1);
  writeUint32(digest, 8, h2);
  writeUint32(digest, 12, h3);
  writeUint32(digest, 16, h4);
  return digest;
}

function writeUint32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 24;
  target[offset + 1] = value >>> 16;
  target[offset + 2] = value >>> 8;
  target[offset + 3] = value;
}
