/**
 * The Deno connection shim's read side (src/runtime/deno/socket.ts): short
 * reads are handed over as views of the read buffer, never copied, and a
 * chunk already handed over is never overwritten by a later read, even
 * while the engine keeps it (a frame not yet whole).
 */
import { describe, expect, it, until } from "../harness.ts";
import { DenoByteSocket } from "../../src/runtime/deno/socket.ts";
import type { DenoConn } from "../../src/runtime/deno/deno-types.ts";

/** A connection whose reads return `reads` one by one, then end. */
function scriptedConn(reads: Uint8Array[]): DenoConn {
  let next = 0;
  const address = { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 };
  return {
    read(p: Uint8Array): Promise<number | null> {
      const bytes = reads[next++];
      if (!bytes) return Promise.resolve(null);
      p.set(bytes);
      return Promise.resolve(bytes.length);
    },
    write: (p: Uint8Array) => Promise.resolve(p.length),
    closeWrite: () => Promise.resolve(),
    close: () => {},
    localAddr: address,
    remoteAddr: address,
  };
}

describe("DenoByteSocket reads", () => {
  it("hands short reads over as views of one buffer (no copy), each intact after later reads", async () => {
    const reads = Array.from({ length: 60 }, (_, i) => new Uint8Array(300).fill(i + 1));
    const socket = new DenoByteSocket(scriptedConn(reads));
    const chunks: Uint8Array[] = [];
    let ended = false;
    socket.attach({ onData: (chunk) => chunks.push(chunk), onEnd: () => { ended = true; }, onClose: () => {}, onDrain: () => {} });
    await until(() => ended, 5000, "end of the scripted reads");
    expect(chunks.length).toBe(60);
    // Every chunk still holds its own bytes: no later read wrote over it.
    chunks.forEach((chunk, i) => expect(chunk).toEqual(reads[i]));
    // Short reads follow one another in one buffer: views, not copies.
    expect(chunks[1]!.buffer).toBe(chunks[0]!.buffer);
    expect(chunks[1]!.byteOffset).toBe(chunks[0]!.byteOffset + 300);
    // A buffer is replaced once little room is left in it, never reused.
    const buffers = new Set(chunks.map((c) => c.buffer));
    expect(buffers.size).toBeGreaterThan(1);
    socket.destroy();
  });
});
