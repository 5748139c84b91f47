/**
 * MD5 (RFC 1321), synchronous, over Uint8Array.
 *
 *   data --> pad to 64-byte blocks (section 3.1, 3.2) --> 64 steps per block
 *        (section 3.4, four rounds) --> A B C D little-endian --> 16 bytes
 *
 * Only the draft-76 opening handshake needs it (draft-hixie-
 * thewebsocketprotocol-76 section 5.2: the server proves it read the
 * client's keys); it is no security measure. The core cannot use Web Crypto
 * (asynchronous, and without MD5) or node:crypto, so it carries its own.
 */

// The per-step shift amounts, four per round (section 3.4).
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

// T[i] = floor(2^32 * abs(sin(i + 1))) (section 3.4), written out rather than
// computed: Math.sin may round differently from one engine to another.
const T = Int32Array.from([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);

/** The 16-byte MD5 digest of `data`. */
export function md5(data: Uint8Array): Uint8Array {
  const length = data.length;
  // Section 3.1 and 3.2: a 1 bit, zeros to 56 mod 64, then the length in
  // bits as a 64-bit little-endian number.
  const padded = new Uint8Array((((length + 8) >>> 6) + 1) << 6);
  padded.set(data);
  padded[length] = 0x80;
  const end = padded.length;
  writeUint32LE(padded, end - 8, (length << 3) >>> 0);
  writeUint32LE(padded, end - 4, Math.floor(length / 0x20000000));

  // Section 3.3: the initial buffer.
  let a0 = 0x67452301 | 0;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476 | 0;
  const x = new Int32Array(16);
  for (let block = 0; block < end; block += 64) {
    for (let i = 0; i < 16; i++) x[i] = readInt32LE(padded, block + 4 * i);
    let a = a0, b = b0, c = c0, d = d0;
    for (let i = 0; i < 64; i++) {
      const round = i >>> 4;
      let f: number;
      let k: number;
      // Section 3.4: the auxiliary functions F, G, H, I and the message
      // word each round takes for step i.
      if (round === 0) {
        f = (b & c) | (~b & d);
        k = i;
      } else if (round === 1) {
        f = (b & d) | (c & ~d);
        k = (5 * i + 1) & 15;
      } else if (round === 2) {
        f = b ^ c ^ d;
        k = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        k = (7 * i) & 15;
      }
      const sum = (a + f + T[i]! + x[k]!) | 0;
      const s = SHIFTS[(round << 2) | (i & 3)]!;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  // Section 3.5: the digest is A, B, C, D, each low-order byte first.
  const out = new Uint8Array(16);
  writeUint32LE(out, 0, a0);
  writeUint32LE(out, 4, b0);
  writeUint32LE(out, 8, c0);
  writeUint32LE(out, 12, d0);
  return out;
}

function readInt32LE(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24);
}

function writeUint32LE(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}
