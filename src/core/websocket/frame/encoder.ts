/**
 * The frame serializer (RFC 6455 section 5.2): one frame, header and
 * payload, as few writes as possible. Layout diagram: types.ts.
 */
import { allocate, cut, nextOffset, reserve, SLAB_FRAME_LIMIT } from "./slab.ts";
import { applyMask } from "./mask.ts";
import { encodeUtf8, textEncoder } from "../../shared/platform.ts";
import type { MaskSource } from "./mask-source.ts";
import { Opcode } from "./types.ts";

/** Payloads up to this size are copied behind the header: one write per frame. */
const COPY_LIMIT = 64 * 1024;

/**
 * Serializes one frame. Returns one Uint8Array (header and payload together)
 * unless the payload is large and unmasked, where it returns the header and
 * the caller's payload untouched: no copy of big server-side payloads.
 * A client (`mask` given) never mutates the caller's payload.
 */
export function encodeFrame(
  opcode: number,
  payload: Uint8Array,
  fin = true,
  rsv = 0,
  mask: MaskSource | null = null,
): Uint8Array[] {
  const length = payload.length;
  // RFC 6455 section 5.2: 7-bit length, or 126 + 16-bit, or 127 + 64-bit.
  const lenBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const headerLength = 2 + lenBytes + (mask ? 4 : 0);
  const together = mask !== null || length <= COPY_LIMIT;
  const out = allocate(together ? headerLength + length : headerLength);
  writeHeader(out, 0, fin, rsv, opcode, mask !== null, length, lenBytes);
  if (!together) return [out, payload];
  out.set(payload, headerLength);
  if (mask) maskInPlace(out, headerLength, mask);
  return [out];
}

/**
 * Serializes a whole text message in one frame, encoding the string as
 * UTF-8 straight behind the header (no intermediate byte array). The same
 * bytes as `encodeFrame(Opcode.TEXT, textEncoder.encode(text), true, 0, mask)`.
 */
export function encodeTextFrame(text: string, mask: MaskSource | null = null): Uint8Array[] {
  const frame = encodeSmallTextFrame(text, mask);
  return frame !== null ? [frame] : encodeFrame(Opcode.TEXT, encodeUtf8(text), true, 0, mask);
}

/**
 * `encodeTextFrame` for a text that fits a slab (the common case): the one
 * frame itself, with no array around it; null for a longer text.
 */
export function encodeSmallTextFrame(text: string, mask: MaskSource | null = null): Uint8Array | null {
  // Each UTF-16 code unit takes at most 3 bytes of UTF-8.
  const most = text.length * 3;
  const maskLength = mask ? 4 : 0;
  if (most + 10 + maskLength > SLAB_FRAME_LIMIT) return null;
  const slab = reserve(most + 10 + maskLength);
  const start = nextOffset();
  // Place the payload after a header sized for the shortest possible
  // encoding (one byte per code unit); move it if it came out longer.
  const guess = text.length < 126 ? 0 : 2;
  let payloadAt = start + 2 + guess + maskLength;
  const length = textEncoder.encodeInto(text, slab.subarray(payloadAt, payloadAt + most)).written;
  const lenBytes = length < 126 ? 0 : 2; // most <= SLAB_FRAME_LIMIT < 65536
  if (lenBytes !== guess) {
    slab.copyWithin(start + 2 + lenBytes + maskLength, payloadAt, payloadAt + length);
    payloadAt = start + 2 + lenBytes + maskLength;
  }
  writeHeader(slab, start, true, 0, Opcode.TEXT, mask !== null, length, lenBytes);
  const headerLength = payloadAt - start;
  const out = cut(headerLength + length);
  if (mask) maskInPlace(out, headerLength, mask);
  return out;
}

/** The payload length a serialized frame's header declares (section 5.2). */
export function payloadLength(frame: Uint8Array): number {
  const short = frame[1]! & 0x7f;
  if (short < 126) return short;
  if (short === 126) return (frame[2]! << 8) | frame[3]!;
  return (((frame[3]! << 16) | (frame[4]! << 8) | frame[5]!) * 0x100000000) + (((frame[6]! << 24) | (frame[7]! << 16) | (frame[8]! << 8) | frame[9]!) >>> 0);
}

/** RFC 6455 section 5.2: the header of a frame, at out[at ..]. */
function writeHeader(out: Uint8Array, at: number, fin: boolean, rsv: number, opcode: number, masked: boolean, length: number, lenBytes: number): void {
  out[at] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  const maskBit = masked ? 0x80 : 0;
  if (lenBytes === 0) {
    out[at + 1] = maskBit | length;
  } else if (lenBytes === 2) {
    out[at + 1] = maskBit | 126;
    out[at + 2] = length >>> 8;
    out[at + 3] = length & 0xff;
  } else {
    out[at + 1] = maskBit | 127;
    const high = Math.floor(length / 0x100000000);
    out[at + 2] = 0; // lengths stay below 2^53: the top 11 bits are 0
    out[at + 3] = (high >>> 16) & 0xff;
    out[at + 4] = (high >>> 8) & 0xff;
    out[at + 5] = high & 0xff;
    out[at + 6] = (length >>> 24) & 0xff;
    out[at + 7] = (length >>> 16) & 0xff;
    out[at + 8] = (length >>> 8) & 0xff;
    out[at + 9] = length & 0xff;
  }
}

/** RFC 6455 section 5.3: a fresh, unpredictable key for every frame, stored before the payload. */
function maskInPlace(out: Uint8Array, headerLength: number, mask: MaskSource): void {
  const key = mask.next();
  const keyAt = headerLength - 4;
  out[keyAt] = key[0]!;
  out[keyAt + 1] = key[1]!;
  out[keyAt + 2] = key[2]!;
  out[keyAt + 3] = key[3]!;
  applyMask(out, key, headerLength, out.length);
}
