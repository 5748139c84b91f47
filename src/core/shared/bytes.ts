/**
 * Byte-array helpers shared by the engine and the shims.
 */

/** The parts one after another in a new array (`length`: their total, when the caller knows it). */
export function concatBytes(parts: readonly Uint8Array[], length?: number): Uint8Array {
  if (length === undefined) {
    length = 0;
    for (const part of parts) length += part.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
