/**
 * bufferutil's native masking, plugged into core/mask.ts by the Node entry,
 * must give the bytes of RFC 6455 section 5.3 for every alignment, length,
 * range and key offset, exactly as the portable loop does.
 */
import { createRequire } from "node:module";
import { afterAll, describe, expect, it, itWithPeer } from "../harness.ts";
import { applyMask, setNativeMask } from "../../src/core/websocket/frame/mask.ts";
import { bufferutilMask, installNativeMask } from "../../src/runtime/node/native-mask.ts";

function hasBufferutil(): boolean {
  try {
    createRequire(import.meta.url).resolve("bufferutil");
    return true;
  } catch {
    return false;
  }
}

/** Section 5.3, literally. */
function reference(data: Uint8Array, key: Uint8Array, start: number, end: number, offset: number): void {
  for (let i = start; i < end; i++) data[i] = data[i]! ^ key[(offset + i - start) % 4]!;
}

function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

describe("native masking (bufferutil)", () => {
  afterAll(() => {
    // Leave the process as the Node entry set it up.
    installNativeMask();
  });

  itWithPeer("equals the definition for every alignment, range and key offset", hasBufferutil, "npm install bufferutil", () => {
    let calls = 0;
    expect(installNativeMask()).toBe(true);
    // Count the native calls through a wrapper, so the test knows it ran the native path.
    const native = bufferutilMask()!;
    setNativeMask((data, key) => {
      calls++;
      native(data, key);
    });
    const key = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);
    for (const length of [1024, 1025, 4099, 70_001]) {
      for (let align = 0; align < 4; align++) {
        for (const [start, offset] of [[0, 0], [3, 1], [5, 2], [7, 3]] as const) {
          const backing = pattern(align + length + 8);
          const data = backing.subarray(align, align + length);
          const want = backing.slice();
          reference(want.subarray(align, align + length), key, start, length, offset);
          applyMask(data, key, start, length, offset);
          expect(backing).toEqual(want);
        }
      }
    }
    expect(calls).toBeGreaterThan(0);
  });

  it("short runs and OMNISOCKET_NO_BUFFER_UTIL keep the portable loop", () => {
    let calls = 0;
    setNativeMask(() => { calls++; });
    const data = pattern(100);
    const want = data.slice();
    const key = new Uint8Array([1, 2, 3, 4]);
    reference(want, key, 0, 100, 0);
    applyMask(data, key);
    expect(data).toEqual(want);
    expect(calls).toBe(0);
    setNativeMask(null);
    process.env.OMNISOCKET_NO_BUFFER_UTIL = "1";
    try {
      expect(installNativeMask()).toBe(false);
    } finally {
      delete process.env.OMNISOCKET_NO_BUFFER_UTIL;
    }
  });
});
