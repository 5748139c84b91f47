import { describe, it, expect } from "../harness.ts";
import { decodeBase64, encodeBase64, tryDecodeBase64 } from "../../src/core/shared/base64.ts";

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

// RFC 4648 section 10.
const VECTORS: Array<[string, string]> = [
  ["", ""],
  ["f", "Zg=="],
  ["fo", "Zm8="],
  ["foo", "Zm9v"],
  ["foob", "Zm9vYg=="],
  ["fooba", "Zm9vYmE="],
  ["foobar", "Zm9vYmFy"],
];

describe("base64", () => {
  it("encodes the RFC 4648 test vectors", () => {
    for (const [plain, encoded] of VECTORS) expect(encodeBase64(ascii(plain))).toBe(encoded);
  });

  it("decodes the RFC 4648 test vectors", () => {
    for (const [plain, encoded] of VECTORS) expect(decodeBase64(encoded)).toEqual(ascii(plain));
  });

  it("round-trips every byte value at every length modulo 3", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const n of [253, 254, 255, 256]) {
      const bytes = all.subarray(0, n);
      expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes.slice());
    }
    expect(encodeBase64(Uint8Array.of(0xfb, 0xff, 0xbf))).toBe("+/+/");
  });

  it("decodes the RFC 6455 sample nonce to 16 bytes", () => {
    const nonce = decodeBase64("dGhlIHNhbXBsZSBub25jZQ==");
    expect(nonce.length).toBe(16);
    expect(nonce).toEqual(ascii("the sample nonce"));
  });

  it("rejects anything but canonical, padded base64", () => {
    const bad = [
      "Zg", "Zg=", "Zm9", // length not a multiple of 4
      "Zh==", "Zm9=", // non-zero bits under the padding
      "Z===", "====", "=Zm9", "Zm=v", "Zg==Zg==", // misplaced padding
      "Zm9v ", " Zm9v", "Zm 9", "Zm9v\r\n", "Zm\t9", // whitespace
      "Zm-_", // URL-safe alphabet
      "Zm9é", "Zm9\u0100", "Zm9\u{1F600}", // non-ASCII
      "Zm9\0",
    ];
    for (const input of bad) {
      expect(tryDecodeBase64(input)).toBeNull();
      expect(() => decodeBase64(input)).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    }
  });
});
