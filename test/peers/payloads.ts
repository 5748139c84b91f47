/**
 * Test payloads whose content, not only length, is checked: text of an
 * exact UTF-8 byte length with multi-byte characters all along it, and
 * bytes from a seeded generator, so a dropped, repeated or reordered chunk
 * shows up.
 */

/** Message sizes around the frame-length boundaries (RFC 6455 section 5.2), up to 16 MiB. */
export const SIZES = [0, 125, 126, 64 * 1024, 16 * 1024 * 1024] as const;

const encoder = new TextEncoder();

/** A string of exactly `bytes` bytes of UTF-8, mixing 1-, 2-, 3- and 4-byte characters. */
export function textOf(bytes: number, seed = 1): string {
  const unit = `a${seed % 10}é€😀`; // 1 + 1 + 2 + 3 + 4 = 11 bytes
  const unitBytes = encoder.encode(unit).length;
  const whole = Math.floor(bytes / unitBytes);
  let text = unit.repeat(whole);
  const rest = bytes - whole * unitBytes;
  text += "x".repeat(rest);
  return text;
}

/** `length` bytes from a seeded xorshift generator. */
export function bytesOf(length: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
    out[i + 1] = (x >>> 8) & 0xff;
    out[i + 2] = (x >>> 16) & 0xff;
    out[i + 3] = x >>> 24;
  }
  for (; i < length; i++) out[i] = (i * 31) & 0xff;
  return out;
}

/** Index of the first differing byte, or -1 when equal (lengths included). */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Short description of a size for test names. */
export function sizeName(n: number): string {
  if (n >= 1024 * 1024) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024) return `${n / 1024} KiB`;
  return `${n} B`;
}
