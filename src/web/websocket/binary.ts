/**
 * How binary messages reach `message` listeners, by `binaryType`:
 * "blob" (browser default), "arraybuffer", and beyond browsers
 * "uint8array" and, where a runtime registers it, "nodebuffer".
 */

export type BinaryType = "blob" | "arraybuffer" | "uint8array" | "nodebuffer";

type Converter = (data: Uint8Array) => unknown;

const converters = new Map<string, Converter>([
  ["blob", (data) => new Blob([data as Uint8Array<ArrayBuffer>])],
  ["arraybuffer", (data) =>
    data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
      ? data.buffer
      : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)],
  ["uint8array", (data) => data],
]);

export function binaryConverter(type: string): Converter | undefined {
  return converters.get(type);
}

/** Lets a runtime add a binaryType (Node adds "nodebuffer"). */
export function registerBinaryType(type: string, convert: Converter): void {
  converters.set(type, convert);
}
