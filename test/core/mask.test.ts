/**
 * Masking (RFC 6455 section 5.3): the word-at-a-time path must equal the
 * octet-by-octet definition for every alignment, length, range and key phase.
 */
import { describe, it, expect } from "../harness.ts";
import { applyMask } from "../../src/core/websocket/frame/mask.ts";
import { hex, seq, utf8 } from "./support/bytes.ts";

/** Section 5.3, literally: j = i MOD 4; transformed-octet-i = original-octet-i XOR masking-key-octet-j. */
function reference(data: Uint8Array, key: Uint8Array, start: number, end: number, offset: number): void {
  for (let i = start; i < end; i++) data[i] = data[i]! ^ key[(offset + i - start) % 4]!;
}

const KEYS = [hex("37 fa 21 3d"), hex("00 00 00 00"), hex("ff 01 80 7f")];

describe("applyMask", () => {
  it("masks the RFC example: Hello with 37 fa 21 3d", () => {
    const data = utf8("Hello");
    applyMask(data, hex("37 fa 21 3d"));
    expect(data).toEqual(hex("7f 9f 4d 51 58"));
  });

  it("is its own inverse", () => {
    const data = seq(1000, 7);
    applyMask(data, hex("01 02 03 04"));
    expect(data).not.toEqual(seq(1000, 7));
    applyMask(data, hex("01 02 03 04"));
    expect(data).toEqual(seq(1000, 7));
  });

  it("equals the octet-by-octet definition for every alignment and length 0..100", () => {
    for (const key of KEYS) {
      for (let align = 0; align < 4; align++) {
        for (let length = 0; length <= 100; length++) {
          const backing = seq(align + length + 8, length);
          const data = backing.subarray(align, align + length); // byteOffset = align
          const want = data.slice();
          reference(want, key, 0, length, 0);
          applyMask(data, key);
          expect(data).toEqual(want);
          // Bytes around the view are untouched.
          expect(backing.subarray(0, align)).toEqual(seq(align, length));
          expect(backing.subarray(align + length)).toEqual(seq(8, length + align + length));
        }
      }
    }
  });

  it("equals the definition for every start, end and key offset", () => {
    const key = KEYS[0]!;
    for (let align = 0; align < 4; align++) {
      const backing = seq(align + 100, 3);
      const base = backing.subarray(align);
      for (let start = 0; start <= 40; start += 3) {
        for (let end = start; end <= 100; end += 7) {
          for (let offset = 0; offset < 8; offset++) {
            const got = base.slice(); // byteOffset 0 for the copy; check the view too
            const view = backing.slice().subarray(align);
            const want = base.slice();
            reference(want, key, start, end, offset);
            applyMask(got, key, start, end, offset);
            applyMask(view, key, start, end, offset);
            expect(got).toEqual(want);
            expect(view).toEqual(want);
          }
        }
      }
    }
  });

  it("unmasks a payload in pieces when given the running offset", () => {
    const key = KEYS[2]!;
    const whole = seq(237, 11);
    const pieces = whole.slice();
    applyMask(whole, key);
    const cuts = [0, 1, 5, 6, 40, 77, 200, 237];
    for (let i = 0; i + 1 < cuts.length; i++) applyMask(pieces, key, cuts[i], cuts[i + 1], cuts[i]);
    expect(pieces).toEqual(whole);
  });

  it("equals the definition across the word-path threshold, at every alignment and key offset", () => {
    const key = KEYS[2]!;
    for (const length of [63, 64, 65, 127, 128, 129, 130, 131, 160, 161, 200, 257]) {
      for (let align = 0; align < 4; align++) {
        for (let offset = 0; offset < 4; offset++) {
          const backing = seq(align + length + 4, length + offset);
          const data = backing.subarray(align, align + length);
          const want = data.slice();
          reference(want, key, 0, length, offset);
          applyMask(data, key, 0, length, offset);
          expect(data).toEqual(want);
          expect(backing.subarray(align + length)).toEqual(seq(4, length + offset + align + length));
        }
      }
    }
  });

  it("masks long, odd-length runs at every alignment", () => {
    const key = KEYS[0]!;
    for (const length of [1021, 4096, 65539]) {
      for (let align = 0; align < 4; align++) {
        const data = seq(length + 4).subarray(align, align + length);
        const want = data.slice();
        reference(want, key, 0, length, 0);
        applyMask(data, key);
        expect(data).toEqual(want);
      }
    }
  });
});
