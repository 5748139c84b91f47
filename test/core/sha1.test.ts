import { describe, it, expect } from "../harness.ts";
import { acceptKey, WEBSOCKET_GUID } from "../../src/core/websocket/handshake/accept-key.ts";
import { sha1 } from "../../src/core/shared/sha1.ts";

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe("sha1", () => {
  it("hashes the FIPS 180 examples", () => {
    expect(hex(sha1(ascii("abc")))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(hex(sha1(ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))))
      .toBe("84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    expect(hex(sha1(ascii(
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
    )))).toBe("a49b2446a02c645bf419f995b67091253a04a259");
  });

  it("hashes the empty input", () => {
    expect(hex(sha1(new Uint8Array(0)))).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
  });

  it("hashes a million 'a' (long input, many blocks)", () => {
    expect(hex(sha1(new Uint8Array(1_000_000).fill(0x61)))).toBe("34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  });

  it("pads correctly around the 64-byte block boundaries", () => {
    const expected: Record<number, string> = {
      55: "c1c8bbdc22796e28c0e15163d20899b65621d65a",
      56: "c2db330f6083854c99d4b5bfb6e8f29f201be699",
      63: "03f09f5b158a7a8cdad920bddc29b81c18a551f5",
      64: "0098ba824b5c16427bd7a1122a5a442a25ec644d",
      65: "11655326c708d70319be2610e8a57d9a5b959d3b",
      119: "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56",
      120: "f34c1488385346a55709ba056ddd08280dd4c6d6",
      1000: "291e9a6c66994949b57ba5e650361e98fc36b1ba",
    };
    for (const [n, digest] of Object.entries(expected)) {
      expect(hex(sha1(new Uint8Array(Number(n)).fill(0x61)))).toBe(digest);
    }
  });

  it("hashes every byte value, and reads only the view it is given", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(hex(sha1(all))).toBe("4916d6bdb7f78e6803698cab32d1586ea457dfc8");
    const framed = new Uint8Array(260).fill(0xff);
    framed.set(all, 2);
    expect(hex(sha1(framed.subarray(2, 258)))).toBe("4916d6bdb7f78e6803698cab32d1586ea457dfc8");
  });

  it("returns 20 bytes and leaves its input alone", () => {
    const input = ascii("abc");
    const digest = sha1(input);
    expect(digest).toBeInstanceOf(Uint8Array);
    expect(digest.length).toBe(20);
    expect(input).toEqual(ascii("abc"));
  });
});

describe("acceptKey", () => {
  it("computes the RFC 6455 section 1.3 example", () => {
    expect(acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("uses the RFC 6455 GUID", () => {
    expect(WEBSOCKET_GUID).toBe("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
  });

  it("hashes the key as sent, without decoding it", () => {
    expect(acceptKey("x3JJHMbDL1EzLkh9GBhXDw==")).toBe("HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
  });
});
