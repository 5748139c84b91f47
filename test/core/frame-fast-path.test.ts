/**
 * The allocation-light paths of the engine must produce exactly the bytes
 * and events of the plain ones: text encoded straight into its frame, small
 * frames cut from a shared slab (and joined into one write), and single-frame
 * text validated by a strict decode instead of the streaming check.
 */
import { describe, it, expect } from "../harness.ts";
import { encodeFrame, encodeTextFrame, payloadLength } from "../../src/core/websocket/frame/encoder.ts";
import { MaskSource } from "../../src/core/websocket/frame/mask-source.ts";
import { Opcode } from "../../src/core/websocket/frame/types.ts";
import { allocate, SLAB_FRAME_LIMIT } from "../../src/core/websocket/frame/slab.ts";
import { client, concat, countingRandom, errorOf, events, fixedKey, hex, sent, server } from "./support/bytes.ts";

const utf8 = new TextEncoder();
const one = (chunks: Uint8Array[]) => concat(...chunks);

/** Strings around every length boundary, ASCII and not, including a lone surrogate. */
function samples(): string[] {
  const out = ["", "a", "Hello", "é", "✓", "😀", "\ud800", "x\udc00y"];
  for (const n of [41, 42, 43, 62, 63, 125, 126, 127, 2730, 2731, 2732, 8000, 65535, 65536, 70000]) {
    out.push("a".repeat(n), "é".repeat(n), "✓".repeat(Math.ceil(n / 3)), "a".repeat(n - 1) + "😀");
  }
  return out;
}

describe("encodeTextFrame", () => {
  it("makes the same bytes as encodeFrame of the UTF-8, unmasked", () => {
    for (const text of samples()) {
      expect(one(encodeTextFrame(text))).toEqual(one(encodeFrame(Opcode.TEXT, utf8.encode(text))));
    }
  });

  it("makes the same bytes as encodeFrame of the UTF-8, masked with the same keys", () => {
    for (const text of samples()) {
      const a = one(encodeTextFrame(text, new MaskSource(countingRandom())));
      const b = one(encodeFrame(Opcode.TEXT, utf8.encode(text), true, 0, new MaskSource(countingRandom())));
      expect(a).toEqual(b);
    }
  });

  it("the RFC 6455 section 5.7 example, masked", () => {
    expect(one(encodeTextFrame("Hello", new MaskSource(fixedKey([0x37, 0xfa, 0x21, 0x3d]))))).toEqual(
      hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"),
    );
  });

  it("payloadLength reads back every length form", () => {
    for (const n of [0, 1, 125, 126, 65535, 65536, 100_000]) {
      expect(payloadLength(encodeFrame(Opcode.BINARY, new Uint8Array(n))[0]!)).toBe(n);
      expect(payloadLength(encodeFrame(Opcode.BINARY, new Uint8Array(n), true, 0, new MaskSource())[0]!)).toBe(n);
    }
  });
});

describe("frame slab", () => {
  it("hands out zeroed, disjoint regions and never reuses them", () => {
    const a = allocate(10);
    a.fill(0xaa);
    const b = allocate(20);
    expect(b).toEqual(new Uint8Array(20));
    b.fill(0xbb);
    expect(a).toEqual(new Uint8Array(10).fill(0xaa));
    // Past a slab's end a new one starts; earlier regions keep their bytes.
    const many: Uint8Array[] = [];
    for (let i = 0; i < 40; i++) many.push(allocate(SLAB_FRAME_LIMIT).fill(i));
    for (let i = 0; i < 40; i++) expect(many[i]![0]).toBe(i);
    expect(a[9]).toBe(0xaa);
    expect(b[19]).toBe(0xbb);
  });

  it("large frames get a buffer of their own", () => {
    const big = allocate(SLAB_FRAME_LIMIT + 1);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(SLAB_FRAME_LIMIT + 1);
  });
});

describe("Protocol fast paths", () => {
  it("a burst of small frames leaves as one buffer with the same bytes", () => {
    const s = server();
    s.sendText("one");
    s.sendBinary(new Uint8Array([1, 2]));
    s.sendText("thrée");
    const out = s.dataToSend();
    expect(out.length).toBe(1);
    expect(out[0]!).toEqual(concat(hex("81 03 6f 6e 65"), hex("82 02 01 02"), hex("81 06"), utf8.encode("thrée")));
  });

  it("sendText returns the UTF-8 length of the message", () => {
    const s = server();
    expect(s.sendText("héllo ✓")).toBe(utf8.encode("héllo ✓").length);
    expect(s.sendText(utf8.encode("abc"))).toBe(3);
    expect(s.sendText("x".repeat(70_000))).toBe(70_000);
  });

  it("a single-frame text message is decoded, and invalid UTF-8 in one fails with 1007", () => {
    const s = server();
    const key = new MaskSource(fixedKey([1, 2, 3, 4]));
    s.receiveData(one(encodeFrame(Opcode.TEXT, utf8.encode("héllo ✓ 😀"), true, 0, key)));
    expect(events(s)).toEqual([{ type: "text", data: "héllo ✓ 😀" }]);
    // An overlong encoding, a surrogate, and a truncated sequence.
    for (const bad of [hex("c0 80"), hex("ed a0 80"), hex("61 e2 9c")]) {
      const p = server();
      p.receiveData(one(encodeFrame(Opcode.TEXT, bad, true, 0, key)));
      const evs = events(p);
      expect(errorOf(evs)).toEqual({ code: "WS_ERR_INVALID_UTF8", closeCode: 1007 });
      expect(sent(p)).toEqual(hex("88 02 03 ef"));
    }
  });

  it("a single-frame binary message is handed out as a view of the chunk", () => {
    const c = client({ random: fixedKey() });
    const chunk = one(encodeFrame(Opcode.BINARY, new Uint8Array([9, 8, 7])));
    c.receiveData(chunk);
    const [e] = events(c) as { type: "binary"; data: Uint8Array }[];
    expect(e!.data).toEqual(new Uint8Array([9, 8, 7]));
    expect(e!.data.buffer === chunk.buffer).toBe(true);
  });
});
