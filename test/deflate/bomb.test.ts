/**
 * maxLength is enforced while inflating, against decompression bombs: a
 * frame of about 1 MB that inflates to 1 GiB closes the connection with
 * 1009, and memory stays far below the inflated size.
 * Memory, not time, is what these tests measure.
 */
import zlib from "node:zlib";
import { describe, it, expect, beforeAll } from "../harness.ts";
import { permessageDeflate } from "../../src/runtime/node/zlib-codec.ts";
import { encodeFrame } from "../../src/core/websocket/frame/encoder.ts";
import { Opcode, RSV1 } from "../../src/core/websocket/frame/types.ts";
import type { ExtensionMessage } from "../../src/core/websocket/extensions/extension.ts";
import { MiB, clientSession, concat, failure, protocol, serverSession } from "./helpers.ts";
import { baseRss, peakGrowth } from "../peers/memory.ts";
import { zeroBomb } from "../peers/zero-bomb.ts";

describe("permessage-deflate: decompression bombs", () => {
  let bomb: Uint8Array;
  beforeAll(async () => {
    bomb = await zeroBomb(1024 * MiB);
  });

  it("the bomb is small and really inflates to 1 GiB (checked in a stream, never held)", async () => {
    expect(bomb.length).toBeLessThan(1.1 * MiB);
    let total = 0;
    const inflate = zlib.createInflateRaw();
    inflate.on("data", (c: Uint8Array) => { total += c.length; });
    await new Promise<void>((resolve, reject) => {
      inflate.on("error", reject);
      inflate.write(bomb);
      inflate.write(new Uint8Array([0, 0, 0xff, 0xff]));
      inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve());
    });
    inflate.close();
    expect(total).toBe(1024 * MiB);
  }, 60_000);

  it("a client Protocol with maxLength 2 MiB closes with 1009 and RSS grows < 200 MiB", async () => {
    const extension = permessageDeflate();
    const maxLength = 2 * MiB;
    const p = protocol("client", [{ extension, session: clientSession(extension, {}, maxLength) }], { maxLength });
    const frame = concat(encodeFrame(Opcode.BINARY, bomb, true, RSV1));
    const base = baseRss();
    p.receiveData(frame);
    const failed = failure(p, 30_000);
    const growth = await peakGrowth(base, failed);
    expect(await failed).toEqual({ closeCode: 1009, code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" });
    expect(growth).toBeLessThan(200 * MiB);
    // The close frame went out: 1009, unmasked payload 03 f1 behind a zero mask.
    const out = concat(p.dataToSend());
    expect(Array.from(out)).toEqual([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xf1]);
  }, 60_000);

  it("a server session with maxLength 1 MiB refuses the 1 GiB message with 1009", async () => {
    const extension = permessageDeflate();
    const session = serverSession(extension, [{}], 1 * MiB);
    const message: ExtensionMessage = { opcode: 2, rsv1: true, rsv2: false, rsv3: false, data: bomb };
    const base = baseRss();
    const result = Promise.resolve(session.processIncomingMessage(message));
    const growth = await peakGrowth(base, result.catch(() => {}));
    await expect(result).rejects.toThrow({ code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", closeCode: 1009 });
    expect(growth).toBeLessThan(200 * MiB);
    session.close?.();
  }, 60_000);

  it("a message of exactly maxLength inflates; one byte more is refused", async () => {
    const size = 100 * 1024;
    const raw = zlib.deflateRawSync(new Uint8Array(size).fill(0x61), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const payload = new Uint8Array(raw.subarray(0, raw.length - 4));
    const extension = permessageDeflate();
    const message = (): ExtensionMessage => ({ opcode: 2, rsv1: true, rsv2: false, rsv3: false, data: payload });
    const exact = serverSession(extension, [{}], size);
    const ok = await exact.processIncomingMessage(message());
    expect(ok.data.length).toBe(size);
    expect(ok.rsv1).toBe(false);
    const under = serverSession(extension, [{}], size - 1);
    await expect(Promise.resolve(under.processIncomingMessage(message()))).rejects.toThrow({ code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" });
    exact.close?.();
    under.close?.();
  });

  it("many bombs on many connections at once stay bounded too", async () => {
    const extension = permessageDeflate({ concurrencyLimit: 4 });
    const sessions = Array.from({ length: 16 }, () => serverSession(extension, [{}], 1 * MiB));
    const base = baseRss();
    const results = sessions.map((s) =>
      Promise.resolve(s.processIncomingMessage({ opcode: 2, rsv1: true, rsv2: false, rsv3: false, data: bomb })).then(
        () => "inflated",
        (e: { code: string }) => e.code,
      ));
    const growth = await peakGrowth(base, Promise.all(results));
    expect(await Promise.all(results)).toEqual(sessions.map(() => "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"));
    expect(growth).toBeLessThan(200 * MiB);
    for (const s of sessions) s.close?.();
  }, 60_000);
});
