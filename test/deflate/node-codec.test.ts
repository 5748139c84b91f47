/**
 * The node:zlib codec on its own (runs the same on Node, Deno and Bun):
 * sync-flushed output, windows kept and reset, plain Uint8Array results,
 * errors as rejections, early stop at maxLength, and clean shutdown.
 */
import zlib from "node:zlib";
import { describe, it, expect } from "../harness.ts";
import { nodeDeflateCodec, permessageDeflate } from "../../src/runtime/node/zlib-codec.ts";
import type { ExtensionMessage } from "../../src/core/websocket/extensions/extension.ts";
import { MiB, bytes, hex, serverSession, clientSession } from "./helpers.ts";

const TAIL = bytes("00 00 ff ff");
const hello = new TextEncoder().encode("Hello");

function random(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe("node:zlib codec", () => {
  it("deflate sync-flushes and keeps its window; reset forgets it", async () => {
    const d = nodeDeflateCodec.createDeflater({ windowBits: 15 });
    expect(hex(await d.deflate(hello))).toBe("f2 48 cd c9 c9 07 00 00 00 ff ff");
    expect(hex(await d.deflate(hello))).toBe("f2 00 11 00 00 00 00 ff ff");
    d.reset();
    expect(hex(await d.deflate(hello))).toBe("f2 48 cd c9 c9 07 00 00 00 ff ff");
    d.close();
  });

  it("results are plain Uint8Arrays, not Buffers", async () => {
    const d = nodeDeflateCodec.createDeflater({ windowBits: 15 });
    const i = nodeDeflateCodec.createInflater({ windowBits: 15 });
    const out = await d.deflate(hello);
    const back = (await i.inflate([out], 100))!;
    expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
    expect(Object.getPrototypeOf(back)).toBe(Uint8Array.prototype);
    expect(new TextDecoder().decode(back)).toBe("Hello");
    d.close();
    i.close();
  });

  it("a 1 MiB message of random bytes round-trips through many zlib chunks", async () => {
    const data = random(MiB);
    const d = nodeDeflateCodec.createDeflater({ windowBits: 15, options: { level: 1 } });
    const i = nodeDeflateCodec.createInflater({ windowBits: 15, options: { chunkSize: 1024 } });
    const out = await d.deflate(data);
    expect(await i.inflate([out], MiB)).toEqual(data);
    d.close();
    i.close();
  });

  it("inflate stops at maxLength and resolves null", async () => {
    const i = nodeDeflateCodec.createInflater({ windowBits: 15 });
    const packed = zlib.deflateRawSync(new Uint8Array(MiB), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(await i.inflate([packed], MiB - 1)).toBeNull();
    // The context was dropped; a fresh stream serves the next message.
    expect(await i.inflate([bytes("f2 48 cd c9 c9 07 00"), TAIL], 10)).toEqual(hello);
    i.close();
  });

  it("corrupt input rejects, and the next message starts on a fresh stream", async () => {
    const i = nodeDeflateCodec.createInflater({ windowBits: 15 });
    await expect(Promise.resolve(i.inflate([bytes("ff ff ff ff"), TAIL], 100))).rejects.toThrow();
    expect(await i.inflate([bytes("f2 48 cd c9 c9 07 00"), TAIL], 100)).toEqual(hello);
    i.close();
  });

  it("close rejects the job in flight and every later one", async () => {
    const i = nodeDeflateCodec.createInflater({ windowBits: 15 });
    const packed = zlib.deflateRawSync(random(4 * MiB), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const job = Promise.resolve(i.inflate([packed], 8 * MiB));
    i.close();
    await expect(job).rejects.toThrow("closed");
    await expect(Promise.resolve(i.inflate([TAIL], 10))).rejects.toThrow("closed");
  });

  it("refuses a second job while one runs (the core never asks)", async () => {
    const d = nodeDeflateCodec.createDeflater({ windowBits: 15 });
    const first = d.deflate(random(MiB));
    await expect(Promise.resolve(d.deflate(hello))).rejects.toThrow("busy");
    expect((await first).length).toBeGreaterThan(0);
    d.close();
  });

  it("windowBits 9 (permessage-deflate's 8) compresses and reads back", async () => {
    const text = new TextEncoder().encode("abcdefgh".repeat(100) + random(300).join(",") + "abcdefgh".repeat(100));
    const d = nodeDeflateCodec.createDeflater({ windowBits: 9 });
    const i = nodeDeflateCodec.createInflater({ windowBits: 9 });
    expect(await i.inflate([await d.deflate(text)], MiB)).toEqual(text);
    d.close();
    i.close();
  });
});

describe("permessage-deflate sessions on node:zlib", () => {
  const message = (data: Uint8Array, rsv1 = false): ExtensionMessage => ({ opcode: 2, rsv1, rsv2: false, rsv3: false, data });

  it("client_no_context_takeover: the client resets its compressor after each message", async () => {
    const ext = permessageDeflate({ threshold: 0 });
    const session = clientSession(ext, { client_no_context_takeover: true });
    const a = await session.processOutgoingMessage(message(hello));
    const b = await session.processOutgoingMessage(message(hello));
    expect(hex(a.data)).toBe("f2 48 cd c9 c9 07 00");
    expect(hex(b.data)).toBe("f2 48 cd c9 c9 07 00");
    session.close?.();
  });

  it("server_no_context_takeover: the client may reset its decompressor; messages still decode", async () => {
    const ext = permessageDeflate();
    const session = clientSession(ext, { server_no_context_takeover: true });
    for (let k = 0; k < 3; k++) {
      const out = await session.processIncomingMessage(message(bytes("f2 48 cd c9 c9 07 00"), true));
      expect(out).toEqual(message(hello));
    }
    session.close?.();
  });

  it("closing a session with an inflate in flight rejects it and emits nothing later", async () => {
    const ext = permessageDeflate();
    const session = serverSession(ext);
    const packed = zlib.deflateRawSync(random(4 * MiB), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const job = Promise.resolve(session.processIncomingMessage(message(packed.subarray(0, packed.length - 4), true)));
    session.close?.();
    await expect(job).rejects.toThrow({ code: "WS_ERR_INVALID_STATE" });
    await new Promise((r) => setTimeout(r, 20));
  });

  it("level 0 (stored blocks) is still valid permessage-deflate", async () => {
    const ext = permessageDeflate({ threshold: 0, zlibDeflateOptions: { level: 0 } });
    const out = await serverSession(ext).processOutgoingMessage(message(hello));
    expect(hex(out.data)).toBe("00 05 00 fa ff 48 65 6c 6c 6f 00");
    expect(await clientSession(permessageDeflate()).processIncomingMessage(out)).toEqual(message(hello));
  });
});
