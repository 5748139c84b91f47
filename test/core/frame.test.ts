/**
 * The frame serializer (RFC 6455 section 5.2) and the masking-key source:
 * exact bytes out, including the examples of section 5.7.
 */
import { describe, it, expect } from "../harness.ts";
import { encodeFrame } from "../../src/core/websocket/frame/encoder.ts";
import { MaskSource } from "../../src/core/websocket/frame/mask-source.ts";
import { Opcode, RSV1, RSV2, RSV3 } from "../../src/core/websocket/frame/types.ts";
import { b, concat, fixedKey, countingRandom, hex, seq, utf8 } from "./support/bytes.ts";

const rfcKey = () => new MaskSource(fixedKey([0x37, 0xfa, 0x21, 0x3d]));
const one = (chunks: Uint8Array[]) => concat(...chunks);

describe("encodeFrame: RFC 6455 section 5.7 examples", () => {
  it("a single-frame unmasked text message", () => {
    expect(one(encodeFrame(Opcode.TEXT, utf8("Hello")))).toEqual(hex("81 05 48 65 6c 6c 6f"));
  });

  it("a single-frame masked text message (key 37 fa 21 3d)", () => {
    expect(one(encodeFrame(Opcode.TEXT, utf8("Hello"), true, 0, rfcKey()))).toEqual(
      hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"),
    );
  });

  it("a fragmented unmasked text message", () => {
    expect(one(encodeFrame(Opcode.TEXT, utf8("Hel"), false))).toEqual(hex("01 03 48 65 6c"));
    expect(one(encodeFrame(Opcode.CONTINUATION, utf8("lo"), true))).toEqual(hex("80 02 6c 6f"));
  });

  it("an unmasked Ping and a masked Pong with body Hello", () => {
    expect(one(encodeFrame(Opcode.PING, utf8("Hello")))).toEqual(hex("89 05 48 65 6c 6c 6f"));
    expect(one(encodeFrame(Opcode.PONG, utf8("Hello"), true, 0, rfcKey()))).toEqual(
      hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"),
    );
  });

  it("256 bytes of binary data in a single unmasked frame", () => {
    const payload = seq(256);
    const frame = one(encodeFrame(Opcode.BINARY, payload));
    expect(frame.subarray(0, 4)).toEqual(hex("82 7e 01 00"));
    expect(frame.subarray(4)).toEqual(payload);
  });

  it("64 KiB of binary data in a single unmasked frame", () => {
    const payload = seq(65536);
    const frame = one(encodeFrame(Opcode.BINARY, payload));
    expect(frame.subarray(0, 10)).toEqual(hex("82 7f 00 00 00 00 00 01 00 00"));
    expect(frame.length).toBe(10 + 65536);
    expect(frame.subarray(10)).toEqual(payload);
  });
});

describe("encodeFrame: lengths", () => {
  const cases: [number, string][] = [
    [0, "82 00"],
    [1, "82 01"],
    [125, "82 7d"],
    [126, "82 7e 00 7e"],
    [127, "82 7e 00 7f"],
    [65535, "82 7e ff ff"],
    [65536, "82 7f 00 00 00 00 00 01 00 00"],
    [65537, "82 7f 00 00 00 00 00 01 00 01"],
  ];
  for (const [n, head] of cases) {
    it(`${n} bytes use the header ${head}`, () => {
      const frame = one(encodeFrame(Opcode.BINARY, seq(n)));
      const h = hex(head);
      expect(frame.subarray(0, h.length)).toEqual(h);
      expect(frame.length).toBe(h.length + n);
    });
  }

  it("writes 64-bit lengths big-endian, high word included", () => {
    // encodeFrame reads only .length of a large unmasked payload.
    const fake = (length: number) => ({ length }) as unknown as Uint8Array;
    expect(encodeFrame(Opcode.BINARY, fake(2 ** 40 + 0x0102))[0]).toEqual(hex("82 7f 00 00 01 00 00 00 01 02"));
    expect(encodeFrame(Opcode.BINARY, fake(0x12345678))[0]).toEqual(hex("82 7f 00 00 00 00 12 34 56 78"));
    expect(encodeFrame(Opcode.BINARY, fake(2 ** 53 - 1))[0]).toEqual(hex("82 7f 00 1f ff ff ff ff ff ff"));
    expect(encodeFrame(Opcode.BINARY, fake(2 ** 50 + 3))[0]).toEqual(hex("82 7f 00 04 00 00 00 00 00 03"));
  });
});

describe("encodeFrame: header bits", () => {
  it("sets FIN, RSV1..3 and the opcode in the first byte", () => {
    expect(encodeFrame(Opcode.TEXT, b(""), false, 0)[0]![0]).toBe(0x01);
    expect(encodeFrame(Opcode.TEXT, b(""), true, RSV1)[0]![0]).toBe(0xc1);
    expect(encodeFrame(Opcode.BINARY, b(""), true, RSV2)[0]![0]).toBe(0xa2);
    expect(encodeFrame(Opcode.BINARY, b(""), false, RSV3)[0]![0]).toBe(0x12);
    expect(encodeFrame(Opcode.CONTINUATION, b(""), true, RSV1 | RSV2 | RSV3)[0]![0]).toBe(0xf0);
    expect(encodeFrame(Opcode.CLOSE, b(""))[0]![0]).toBe(0x88);
    expect(encodeFrame(Opcode.PONG, b(""))[0]![0]).toBe(0x8a);
  });

  it("masks an empty payload: header and key only", () => {
    expect(one(encodeFrame(Opcode.PING, b(""), true, 0, rfcKey()))).toEqual(hex("89 80 37 fa 21 3d"));
  });

  it("masks 16-bit-length payloads after the extended length", () => {
    const payload = new Uint8Array(200);
    const frame = one(encodeFrame(Opcode.BINARY, payload, true, 0, rfcKey()));
    expect(frame.subarray(0, 8)).toEqual(hex("82 fe 00 c8 37 fa 21 3d"));
    // Zeros XOR key = the key repeated.
    for (let i = 0; i < 200; i++) expect(frame[8 + i]).toBe([0x37, 0xfa, 0x21, 0x3d][i & 3]);
  });
});

describe("encodeFrame: copies", () => {
  it("puts header and payload in one array up to 64 KiB", () => {
    expect(encodeFrame(Opcode.BINARY, seq(65536))).toHaveLength(1);
  });

  it("hands back a large unmasked payload as is, after its header", () => {
    const payload = seq(65537);
    const out = encodeFrame(Opcode.BINARY, payload);
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual(hex("82 7f 00 00 00 00 00 01 00 01"));
    expect(out[1]).toBe(payload);
  });

  it("never changes the caller's payload when masking", () => {
    for (const n of [5, 200, 70000]) {
      const payload = seq(n);
      const copy = payload.slice();
      const out = encodeFrame(Opcode.BINARY, payload, true, 0, rfcKey());
      expect(out).toHaveLength(1);
      expect(payload).toEqual(copy);
    }
  });
});

describe("MaskSource", () => {
  it("hands out consecutive 4-byte keys from the random source", () => {
    const source = new MaskSource(countingRandom());
    expect(source.next()).toEqual(hex("00 01 02 03"));
    expect(source.next()).toEqual(hex("04 05 06 07"));
  });

  it("asks the random source for a block, not per key", () => {
    let calls = 0;
    const source = new MaskSource((buf) => {
      calls++;
      return buf.fill(calls);
    });
    for (let i = 0; i < 256; i++) expect(source.next()).toEqual(new Uint8Array([1, 1, 1, 1]));
    expect(calls).toBe(1);
    expect(source.next()).toEqual(new Uint8Array([2, 2, 2, 2]));
    expect(calls).toBe(2);
  });

  it("gives each frame a fresh key", () => {
    const source = new MaskSource(countingRandom());
    const f1 = one(encodeFrame(Opcode.TEXT, utf8("a"), true, 0, source));
    const f2 = one(encodeFrame(Opcode.TEXT, utf8("a"), true, 0, source));
    expect(f1.subarray(2, 6)).toEqual(hex("00 01 02 03"));
    expect(f2.subarray(2, 6)).toEqual(hex("04 05 06 07"));
    expect(f1[6]).toBe(0x61 ^ 0x00);
    expect(f2[6]).toBe(0x61 ^ 0x04);
  });

  it("defaults to crypto.getRandomValues", () => {
    const source = new MaskSource();
    const keys = new Set<string>();
    for (let i = 0; i < 16; i++) keys.add(Array.from(source.next()).join(","));
    expect(keys.size).toBeGreaterThan(1);
  });
});
