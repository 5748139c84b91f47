/**
 * Masking in native code on Node when the optional `bufferutil` addon is
 * installed (as ws does): its unmask XORs many bytes per instruction, where
 * the portable loop in core/mask.ts does four. Set OMNISOCKET_NO_BUFFER_UTIL=1
 * to keep the portable loop. Deno and Bun keep it always.
 */
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { setNativeMask, type NativeMask } from "../../core/websocket/frame/mask.ts";

interface BufferUtil {
  unmask(buffer: Buffer, mask: Buffer): void;
}

function load(): BufferUtil | null {
  try {
    const loaded = createRequire(import.meta.url)("bufferutil") as Partial<BufferUtil>;
    return typeof loaded.unmask === "function" ? (loaded as BufferUtil) : null;
  } catch {
    return null; // not installed: the portable loop it is
  }
}

/** bufferutil's unmask as a NativeMask, or null when it is not installed. */
export function bufferutilMask(): NativeMask | null {
  const bufferutil = load();
  if (!bufferutil) return null;
  return (data, key) => {
    bufferutil.unmask(
      Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      Buffer.from(key.buffer, key.byteOffset, 4),
    );
  };
}

/** Plugs bufferutil into core/mask.ts unless OMNISOCKET_NO_BUFFER_UTIL is set; true when it did. */
export function installNativeMask(): boolean {
  if (process.env.OMNISOCKET_NO_BUFFER_UTIL) return false;
  const mask = bufferutilMask();
  if (mask) setNativeMask(mask);
  return mask !== null;
}
