/**
 * ws's data types and the engine's: Buffers over the engine's bytes (no
 * copy), and what ws's send() accepts turned into bytes.
 */
import { Buffer } from "node:buffer";

export function toBuffer(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** ws's toBuffer: views are used as they are, anything else goes through Buffer.from. */
export function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof SharedArrayBuffer !== "undefined" && data instanceof SharedArrayBuffer) return new Uint8Array(data);
  return Buffer.from(data as string);
}

export function byteLength(data: unknown): number {
  if (typeof Blob !== "undefined" && data instanceof Blob) return data.size;
  return toBytes(data).byteLength;
}
