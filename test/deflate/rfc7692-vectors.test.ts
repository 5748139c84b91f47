/**
 * The examples of RFC 7692 section 7.2.3, byte for byte, through a Protocol
 * with permessage-deflate on node:zlib: frames from the RFC decode to
 * "Hello", and "Hello" encodes to the RFC's frames.
 */
import { describe, it, expect } from "../harness.ts";
import { permessageDeflate } from "../../src/runtime/node/zlib-codec.ts";
import type { Extension, ExtensionSession } from "../../src/core/websocket/extensions/extension.ts";
import { bytes, clientSession, drainEvents, drainOutput, failure, hex, protocol, serverSession } from "./helpers.ts";

/** A client Protocol (it reads unmasked frames, as in the RFC) with deflate. */
function client(options: Parameters<typeof permessageDeflate>[0] = {}, response = {}) {
  const extension: Extension = permessageDeflate({ threshold: 0, ...options });
  const session: ExtensionSession = clientSession(extension, response);
  return protocol("client", [{ extension, session }]);
}

/** A server Protocol (it writes unmasked frames, as in the RFC) with deflate. */
function server(options: Parameters<typeof permessageDeflate>[0] = {}, offers = [{}]) {
  const extension = permessageDeflate({ threshold: 0, ...options });
  return protocol("server", [{ extension, session: serverSession(extension, offers) }]);
}

async function receive(frames: string[], count = 1) {
  const p = client();
  for (const f of frames) p.receiveData(bytes(f));
  return drainEvents(p, count);
}

describe("RFC 7692 section 7.2.3 examples, incoming", () => {
  it("7.2.3.1 a message compressed as one DEFLATE block", async () => {
    expect(await receive(["c1 07 f2 48 cd c9 c9 07 00"])).toEqual([{ type: "text", data: "Hello" }]);
  });

  it("7.2.3.1 the same message in two fragments, RSV1 on the first only", async () => {
    expect(await receive(["41 03 f2 48 cd", "80 04 c9 c9 07 00"])).toEqual([{ type: "text", data: "Hello" }]);
  });

  it("7.2.3.1 fragments split inside a frame header and payload", async () => {
    const p = client();
    const all = bytes("41 03 f2 48 cd 80 04 c9 c9 07 00");
    for (let i = 0; i < all.length; i++) p.receiveData(all.slice(i, i + 1));
    expect(await drainEvents(p, 1)).toEqual([{ type: "text", data: "Hello" }]);
  });

  it("7.2.3.2 sharing the LZ77 window: the second Hello", async () => {
    const events = await receive(["c1 07 f2 48 cd c9 c9 07 00", "c1 05 f2 00 11 00 00"], 2);
    expect(events).toEqual([{ type: "text", data: "Hello" }, { type: "text", data: "Hello" }]);
  });

  it("7.2.3.3 a DEFLATE block with no compression", async () => {
    expect(await receive(["c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00"])).toEqual([{ type: "text", data: "Hello" }]);
  });

  it("7.2.3.4 a DEFLATE block with BFINAL set, then a message on a fresh stream", async () => {
    const events = await receive(["c1 08 f3 48 cd c9 c9 07 00 00", "c1 07 f2 48 cd c9 c9 07 00"], 2);
    expect(events).toEqual([{ type: "text", data: "Hello" }, { type: "text", data: "Hello" }]);
  });

  it("7.2.3.5 two DEFLATE blocks in one message", async () => {
    expect(await receive(["c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00"])).toEqual([{ type: "text", data: "Hello" }]);
  });

  it("a lone 00 byte is an empty message", async () => {
    expect(await receive(["c1 01 00", "c2 01 00"], 2)).toEqual([{ type: "text", data: "" }, { type: "binary", data: new Uint8Array(0) }]);
  });

  it("an uncompressed message (RSV1 clear) passes untouched", async () => {
    expect(await receive(["81 05 48 65 6c 6c 6f", "c1 07 f2 48 cd c9 c9 07 00"], 2)).toEqual([
      { type: "text", data: "Hello" },
      { type: "text", data: "Hello" },
    ]);
  });

  it("pings between compressed fragments are answered and reported in place", async () => {
    const p = client();
    p.receiveData(bytes("41 03 f2 48 cd 89 01 21 80 04 c9 c9 07 00"));
    const events = await drainEvents(p, 2);
    expect(events).toEqual([{ type: "ping", data: bytes("21") }, { type: "text", data: "Hello" }]);
    expect(hex(p.dataToSend())).toBe("8a 81 00 00 00 00 21");
  });
});

describe("RFC 7692 section 7.2.3 examples, outgoing", () => {
  it("7.2.3.1 Hello goes out as c1 07 f2 48 cd c9 c9 07 00", async () => {
    const p = server();
    p.sendText("Hello");
    expect(hex(await drainOutput(p, 1))).toBe("c1 07 f2 48 cd c9 c9 07 00");
  });

  it("7.2.3.2 a second Hello reuses the window: c1 05 f2 00 11 00 00", async () => {
    const p = server();
    p.sendText("Hello");
    p.sendText("Hello");
    expect(hex(await drainOutput(p, 2))).toBe("c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00");
  });

  it("server_no_context_takeover: every Hello starts afresh", async () => {
    const p = server({ serverNoContextTakeover: true });
    p.sendText("Hello");
    p.sendText("Hello");
    expect(hex(await drainOutput(p, 2))).toBe("c1 07 f2 48 cd c9 c9 07 00 c1 07 f2 48 cd c9 c9 07 00");
  });

  it("a client masks the compressed payload (mask key fixed at 00 00 00 00)", async () => {
    const extension = permessageDeflate({ threshold: 0 });
    const p = protocol("client", [{ extension, session: clientSession(extension) }]);
    p.sendBinary(new TextEncoder().encode("Hello"));
    expect(hex(await drainOutput(p, 1))).toBe("c2 87 00 00 00 00 f2 48 cd c9 c9 07 00");
  });

  it("messages under the threshold, and compress: false, go out as is", async () => {
    const p = server({ threshold: 6 });
    p.sendText("Hello");
    p.sendText("Hello!", { compress: false });
    p.sendText("Hello!");
    expect(hex(await drainOutput(p, 3))).toBe("81 05 48 65 6c 6c 6f 81 06 48 65 6c 6c 6f 21 c1 08 f2 48 cd c9 c9 57 04 00");
  });

  it("order holds between compressed, uncompressed and control frames", async () => {
    const p = server({ threshold: 0 });
    p.sendText("Hello");
    p.sendText("Hello", { compress: false });
    p.sendClose(1000);
    expect(hex(await drainOutput(p, 3))).toBe("c1 07 f2 48 cd c9 c9 07 00 81 05 48 65 6c 6c 6f 88 02 03 e8");
  });
});

describe("RFC 7692 framing errors", () => {
  it("section 6.1: RSV1 on a continuation frame fails with 1002", async () => {
    const p = client();
    p.receiveData(bytes("41 03 f2 48 cd c0 04 c9 c9 07 00"));
    expect(await failure(p)).toEqual({ closeCode: 1002, code: "WS_ERR_UNEXPECTED_RSV_1" });
  });

  it("section 6.1: RSV1 on a control frame fails with 1002", async () => {
    const p = client();
    p.receiveData(bytes("c9 00"));
    expect(await failure(p)).toEqual({ closeCode: 1002, code: "WS_ERR_UNEXPECTED_RSV_1" });
  });

  it("RSV1 without the extension negotiated fails with 1002", async () => {
    const p = protocol("client", []);
    p.receiveData(bytes("c1 07 f2 48 cd c9 c9 07 00"));
    expect(await failure(p)).toEqual({ closeCode: 1002, code: "WS_ERR_UNEXPECTED_RSV_1" });
  });

  it("corrupt DEFLATE data fails with 1007 WS_ERR_INFLATE, after the messages before it", async () => {
    const p = client();
    p.receiveData(bytes("c1 07 f2 48 cd c9 c9 07 00 c1 04 ff ff ff ff"));
    const events = await drainEvents(p, 2);
    expect(events[0]).toEqual({ type: "text", data: "Hello" });
    expect(events[1]!.type).toBe("error");
    expect({ closeCode: p.error?.closeCode, code: p.error?.code }).toEqual({ closeCode: 1007, code: "WS_ERR_INFLATE" });
    expect(hex(p.dataToSend())).toBe("88 82 00 00 00 00 03 ef");
  });

  it("compressed text that inflates to invalid UTF-8 fails with 1007 WS_ERR_INVALID_UTF8", async () => {
    // raw DEFLATE of ff fe (a stored block), sync-flushed, tail removed
    const p = client();
    p.receiveData(bytes("c1 08 00 02 00 fd ff ff fe 00"));
    expect(await failure(p)).toEqual({ closeCode: 1007, code: "WS_ERR_INVALID_UTF8" });
  });
});
