/**
 * Close payloads (RFC 6455 sections 5.5.1, 7.1.5, 7.4): codes allowed on the
 * wire, the empty payload, the 1-byte payload, UTF-8 reasons, size limits.
 */
import { describe, it, expect } from "../harness.ts";
import { encodeClosePayload, isValidCloseCode, parseClosePayload } from "../../src/core/websocket/close.ts";
import { WebSocketError } from "../../src/core/shared/errors.ts";
import { b, hex, utf8 } from "./support/bytes.ts";

describe("isValidCloseCode", () => {
  const valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
  const invalid = [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];
  for (const code of valid) it(`accepts ${code}`, () => expect(isValidCloseCode(code)).toBe(true));
  for (const code of invalid) it(`rejects ${code}`, () => expect(isValidCloseCode(code)).toBe(false));
});

describe("encodeClosePayload", () => {
  it("is empty without a code", () => {
    expect(encodeClosePayload(undefined)).toEqual(new Uint8Array(0));
  });

  it("puts the code big-endian before the UTF-8 reason", () => {
    expect(encodeClosePayload(1000)).toEqual(hex("03 e8"));
    expect(encodeClosePayload(1001, "bye")).toEqual(b("\x03\xe9bye"));
    expect(encodeClosePayload(4999, "é")).toEqual(hex("13 87 c3 a9"));
  });

  it("takes a reason of 123 bytes and refuses 124", () => {
    expect(encodeClosePayload(1000, "x".repeat(123))).toHaveLength(125);
    expect(() => encodeClosePayload(1000, "x".repeat(124))).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    // 62 two-byte chars = 124 bytes: the limit is bytes, not chars.
    expect(() => encodeClosePayload(1000, "é".repeat(62))).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
  });

  it("refuses codes that must not be sent", () => {
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 2999, 5000]) {
      expect(() => encodeClosePayload(code)).toThrow({ code: "WS_ERR_INVALID_CLOSE_CODE" });
    }
  });

  it("refuses a reason without a code", () => {
    expect(() => encodeClosePayload(undefined, "why")).toThrow(WebSocketError);
  });
});

describe("parseClosePayload", () => {
  it("reads no status as 1005 (section 7.1.5)", () => {
    expect(parseClosePayload(new Uint8Array(0))).toEqual({ code: 1005, reason: "" });
  });

  it("reads code and reason", () => {
    expect(parseClosePayload(b("\x03\xe8"))).toEqual({ code: 1000, reason: "" });
    expect(parseClosePayload(b("\x0f\xa0going"))).toEqual({ code: 4000, reason: "going" });
    expect(parseClosePayload(hex("03 e9 f0 9f 91 8b"))).toEqual({ code: 1001, reason: "\u{1f44b}" });
  });

  it("fails a 1-byte payload with 1002", () => {
    const err = parseClosePayload(hex("03")) as WebSocketError;
    expect(err).toBeInstanceOf(WebSocketError);
    expect(err.code).toBe("WS_ERR_INVALID_CLOSE_PAYLOAD");
    expect(err.closeCode).toBe(1002);
  });

  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
    it(`fails the received code ${code} with 1002`, () => {
      const err = parseClosePayload(new Uint8Array([code >> 8, code & 0xff])) as WebSocketError;
      expect(err).toBeInstanceOf(WebSocketError);
      expect(err.code).toBe("WS_ERR_INVALID_CLOSE_CODE");
      expect(err.closeCode).toBe(1002);
    });
  }

  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999]) {
    it(`accepts the received code ${code}`, () => {
      expect(parseClosePayload(new Uint8Array([code >> 8, code & 0xff]))).toEqual({ code, reason: "" });
    });
  }

  it("fails a reason that is not UTF-8 with 1007", () => {
    for (const bad of ["ff", "c0 80", "ed a0 80", "e2 82", "f4 90 80 80"]) {
      const err = parseClosePayload(new Uint8Array([0x03, 0xe8, ...hex(bad)])) as WebSocketError;
      expect(err).toBeInstanceOf(WebSocketError);
      expect(err.code).toBe("WS_ERR_INVALID_UTF8");
      expect(err.closeCode).toBe(1007);
    }
  });

  it("round-trips what encodeClosePayload makes", () => {
    for (const [code, reason] of [[1000, ""], [1011, "oops"], [3123, "\u00e9\u4e2d\u{1f600}"]] as const) {
      expect(parseClosePayload(encodeClosePayload(code, reason))).toEqual({ code, reason });
    }
    expect(parseClosePayload(encodeClosePayload(1000, "x".repeat(123)))).toEqual({ code: 1000, reason: "x".repeat(123) });
    expect(parseClosePayload(utf8(""))).toEqual({ code: 1005, reason: "" });
  });
});
