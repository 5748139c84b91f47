/**
 * Streaming UTF-8 validation (RFC 3629 section 4, required by RFC 6455
 * section 8.1): the table of well-formed sequences, edge by edge, and the
 * same verdicts however the input is split.
 */
import { describe, it, expect } from "../harness.ts";
import { isValidUtf8, Utf8Validator } from "../../src/core/shared/utf8.ts";
import { hex, utf8 } from "./support/bytes.ts";
import { encodeUtf8 } from "../../src/core/shared/platform.ts";

const VALID: [string, string][] = [
  ["empty", ""],
  ["ASCII", "48 65 6c 6c 6f"],
  ["NUL and DEL", "00 7f"],
  ["U+0080 (smallest 2-byte)", "c2 80"],
  ["U+07FF (largest 2-byte)", "df bf"],
  ["U+0800 (smallest 3-byte)", "e0 a0 80"],
  ["U+D7FF (below the surrogates)", "ed 9f bf"],
  ["U+E000 (above the surrogates)", "ee 80 80"],
  ["U+FEFF (BOM)", "ef bb bf"],
  ["U+FFFE (noncharacter, still valid)", "ef bf be"],
  ["U+FFFF (largest 3-byte)", "ef bf bf"],
  ["U+10000 (smallest 4-byte)", "f0 90 80 80"],
  ["U+10FFFF (largest code point)", "f4 8f bf bf"],
  ["Hello-\u00b5@\u00df\u00f6\u00e4\u00fc\u00e0\u00e1-UTF-8!!", "48 65 6c 6c 6f 2d c2 b5 40 c3 9f c3 b6 c3 a4 c3 bc c3 a0 c3 a1 2d 55 54 46 2d 38 21 21"],
  ["κόσμε", "ce ba e1 bd b9 cf 83 ce bc ce b5"],
  ["emoji", "f0 9f 98 80"],
];

const INVALID: [string, string][] = [
  ["lone continuation byte", "80"],
  ["continuation byte bf", "bf"],
  ["overlong NUL, 2 bytes", "c0 80"],
  ["overlong '/', 2 bytes", "c0 af"],
  ["overlong U+007F, 2 bytes (c1)", "c1 bf"],
  ["overlong U+07FF, 3 bytes", "e0 9f bf"],
  ["overlong NUL, 3 bytes", "e0 80 80"],
  ["overlong U+FFFF, 4 bytes", "f0 8f bf bf"],
  ["overlong NUL, 4 bytes", "f0 80 80 80"],
  ["high surrogate U+D800", "ed a0 80"],
  ["low surrogate U+DFFF", "ed bf bf"],
  ["surrogate pair as CESU-8", "ed a0 bd ed b2 a9"],
  ["U+110000 (above U+10FFFF)", "f4 90 80 80"],
  ["f5 lead byte", "f5 80 80 80"],
  ["f8 lead byte (5-byte form)", "f8 88 80 80 80"],
  ["fc lead byte (6-byte form)", "fc 84 80 80 80 80"],
  ["fe", "fe"],
  ["ff", "ff"],
  ["2-byte lead then ASCII", "c2 41"],
  ["3-byte lead then ASCII", "e2 82 41"],
  ["4-byte lead then another lead", "f0 9f f0 9f 98 80"],
  ["truncated 2-byte at end", "48 c2"],
  ["truncated 3-byte at end", "e2 82"],
  ["truncated 4-byte at end", "f0 9f 98"],
  ["valid text then a bad byte", "ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64"],
];

describe("isValidUtf8", () => {
  for (const [name, bytes] of VALID) {
    it(`accepts ${name}`, () => expect(isValidUtf8(hex(bytes))).toBe(true));
  }
  for (const [name, bytes] of INVALID) {
    it(`rejects ${name}`, () => expect(isValidUtf8(hex(bytes))).toBe(false));
  }

  it("agrees with TextDecoder({fatal: true}) on every 1- and 2-byte input", () => {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    const fatal = (bytes: Uint8Array) => {
      try {
        decoder.decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    const buf = new Uint8Array(2);
    for (let x = 0; x < 256; x++) {
      expect(isValidUtf8(new Uint8Array([x]))).toBe(fatal(new Uint8Array([x])));
      for (let y = 0; y < 256; y++) {
        buf[0] = x;
        buf[1] = y;
        if (isValidUtf8(buf) !== fatal(buf)) throw new Error(`disagree on ${x.toString(16)} ${y.toString(16)}`);
      }
    }
  });

  it("agrees with TextDecoder on 3-byte sequences led by e0-f5, at every range edge", () => {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    const buf = new Uint8Array(3);
    const edges = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xff];
    for (let x = 0xe0; x <= 0xf5; x++) {
      for (const y of edges) {
        for (const z of edges) {
          buf[0] = x;
          buf[1] = y;
          buf[2] = z;
          let ok = true;
          try { decoder.decode(buf); } catch { ok = false; }
          if (isValidUtf8(buf) !== ok) throw new Error(`disagree on ${x.toString(16)} ${y.toString(16)} ${z.toString(16)}`);
        }
      }
    }
  });
});

describe("Utf8Validator (streaming)", () => {
  it("gives the same verdict for every split of every case into two or three pieces", () => {
    for (const [name, h] of [...VALID, ...INVALID]) {
      const bytes = hex(h);
      const want = isValidUtf8(bytes);
      for (let i = 0; i <= bytes.length; i++) {
        for (let j = i; j <= bytes.length; j++) {
          const v = new Utf8Validator();
          const got = v.write(bytes.subarray(0, i)) && v.write(bytes.subarray(i, j)) && v.write(bytes.subarray(j)) && v.end();
          if (got !== want) throw new Error(`${name}: split at ${i}/${j} gave ${got}`);
        }
      }
    }
  });

  it("fails at the first bad piece, before the rest arrives", () => {
    const v = new Utf8Validator();
    expect(v.write(utf8("caf"))).toBe(true);
    expect(v.write(hex("ed a0"))).toBe(false);
  });

  it("accepts a code point split across pieces and reports it unfinished until complete", () => {
    const v = new Utf8Validator();
    expect(v.write(hex("f0 9f"))).toBe(true);
    expect(v.write(hex("98"))).toBe(true);
    expect(v.write(hex("80"))).toBe(true);
    expect(v.end()).toBe(true);
    expect(v.write(hex("f0 9f 98"))).toBe(true);
    expect(v.end()).toBe(false);
  });

  it("checks the narrowed second byte across a split (e0, ed, f0, f4)", () => {
    for (const [lead, bad, good] of [[0xe0, 0x9f, 0xa0], [0xed, 0xa0, 0x9f], [0xf0, 0x8f, 0x90], [0xf4, 0x90, 0x8f]] as const) {
      const v = new Utf8Validator();
      expect(v.write(new Uint8Array([lead]))).toBe(true);
      expect(v.write(new Uint8Array([bad]))).toBe(false);
      const w = new Utf8Validator();
      expect(w.write(new Uint8Array([lead]))).toBe(true);
      expect(w.write(new Uint8Array([good]))).toBe(true);
    }
  });

  it("validates a sub-range with start and end", () => {
    const bytes = hex("ff 41 42 ff");
    const v = new Utf8Validator();
    expect(v.write(bytes, 1, 3)).toBe(true);
    expect(v.end()).toBe(true);
  });

  it("starts fresh after end() and after a failure", () => {
    const v = new Utf8Validator();
    v.write(hex("e2 82"));
    expect(v.end()).toBe(false);
    expect(v.write(utf8("ok"))).toBe(true);
    expect(v.end()).toBe(true);
    expect(v.write(hex("c0"))).toBe(false);
    expect(v.write(utf8("ok"))).toBe(true);
    expect(v.end()).toBe(true);
  });
});

describe("encodeUtf8", () => {
  const cases: [string, string][] = [
    ["empty", ""],
    ["ASCII", "Hello, world! {\"a\":[1,2]}"],
    ["ASCII then a two-byte letter at the end", "abc\u00e9"],
    ["a two-byte letter first", "\u00e9abc"],
    ["three-byte and four-byte characters", "\u20ac \u{1F600} z"],
    ["a lone surrogate (becomes U+FFFD)", "a\ud800b"],
    ["long ASCII", "x".repeat(70_000)],
  ];
  for (const [name, text] of cases) {
    it(`writes the same bytes as TextEncoder.encode: ${name}`, () => {
      const bytes = encodeUtf8(text);
      expect(bytes instanceof Uint8Array).toBe(true);
      expect([...bytes]).toEqual([...new TextEncoder().encode(text)]);
    });
  }
});
