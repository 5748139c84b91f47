/**
 * The hixie-75/76 engine, fed byte literals: the -76 key body (on time, late,
 * in pieces), text framing both ways, the closing frame, skipped
 * length-prefixed frames, and lengths refused past maxLength.
 */
import fc from "fast-check";
import { describe, it, expect } from "../harness.ts";
import { concatBytes } from "../../src/core/shared/bytes.ts";
import { ReadyState } from "../../src/core/websocket/protocol.ts";
import { LegacyProtocol } from "../../src/core/websocket/legacy/protocol.ts";
import { b, splitAt } from "./support/bytes.ts";

/** The -76 section 1.3 example: its keys, key3, and the challenge response. */
const KEYS = { key1: 829309203, key2: 259970620 };
const KEY3 = "^n:ds[4U";
const CHALLENGE = "8jKS'y:G*Co,Wxa-";

function draft76(maxLength?: number): LegacyProtocol {
  return new LegacyProtocol({ draft: "hixie-76", keys: KEYS, maxLength });
}

/** A -76 engine past its handshake, output drained. */
function open76(maxLength?: number): LegacyProtocol {
  const p = draft76(maxLength);
  p.receiveData(b(KEY3));
  expect(sent(p)).toEqual(b(CHALLENGE));
  return p;
}

function sent(p: LegacyProtocol): Uint8Array {
  return concatBytes(p.dataToSend());
}

describe("hixie-76 key body", () => {
  it("answers key3 with the spec's challenge response, then reads frames in the same chunk", () => {
    const p = draft76();
    expect(p.awaitingKey).toBe(true);
    p.receiveData(b(KEY3 + "\x00Hello\xff"));
    expect(sent(p)).toEqual(b(CHALLENGE));
    expect(p.awaitingKey).toBe(false);
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "Hello" }]);
  });

  it("waits for a key body that arrives late and in pieces, holding sends until it comes, in order", () => {
    const p = draft76();
    expect(p.sendText("first")).toBe(5);
    p.sendText("second");
    expect(p.dataToSend()).toEqual([]);
    p.receiveData(b("^n:"));
    expect(p.dataToSend()).toEqual([]);
    p.receiveData(b("ds[4U"));
    expect(sent(p)).toEqual(b(CHALLENGE + "\x00first\xff\x00second\xff"));
    p.sendText("third");
    expect(sent(p)).toEqual(b("\x00third\xff"));
  });

  it("holds a close sent before the key body behind the challenge", () => {
    const p = draft76();
    p.sendText("bye");
    p.sendClose();
    expect(p.state).toBe(ReadyState.CLOSING);
    expect(p.dataToSend()).toEqual([]);
    p.receiveData(b(KEY3));
    expect(sent(p)).toEqual(b(CHALLENGE + "\x00bye\xff\xff\x00"));
  });

  it("fails with WS_ERR_UNEXPECTED_EOF when the client leaves before its key body", () => {
    const p = draft76();
    p.sendText("never sent");
    p.receiveData(b("^n:ds"));
    p.receiveEof();
    expect(p.state).toBe(ReadyState.CLOSED);
    expect(p.error?.code).toBe("WS_ERR_UNEXPECTED_EOF");
    expect(p.dataToSend()).toEqual([]);
    expect(p.closeInfo()).toEqual({ code: 1006, reason: "", wasClean: false });
  });
});

describe("hixie-76 framing (section 5.3)", () => {
  it("frames text as 0x00 <UTF-8> 0xFF", () => {
    const p = open76();
    expect(p.sendText("Hello")).toBe(5);
    expect(sent(p)).toEqual(b("\x00Hello\xff"));
    expect(p.sendText("é€")).toBe(5);
    expect(sent(p)).toEqual(b("\x00\xc3\xa9\xe2\x82\xac\xff"));
    p.sendText("");
    expect(sent(p)).toEqual(b("\x00\xff"));
    expect(p.sendText(b("\xc3\xa9"))).toBe(2);
    expect(sent(p)).toEqual(b("\x00\xc3\xa9\xff"));
  });

  it("refuses text bytes holding 0xFF, which would end the frame early", () => {
    const p = open76();
    expect(() => p.sendText(b("a\xffb"))).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    expect(p.dataToSend()).toEqual([]);
    expect(p.state).toBe(ReadyState.OPEN);
  });

  it("reads text frames whole, split byte by byte, and several in one chunk", () => {
    const p = open76();
    for (const byte of b("\x00\xc3\xa9t\xc3\xa9\xff")) p.receiveData(Uint8Array.of(byte));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "été" }]);
    p.receiveData(b("\x00a\xff\x00\xff\x00b"));
    p.receiveData(b("c\xff"));
    expect(p.eventsReceived()).toEqual([
      { type: "text", data: "a" }, { type: "text", data: "" }, { type: "text", data: "bc" },
    ]);
  });

  it("decodes bad UTF-8 with U+FFFD, as the draft's 'interpret as UTF-8' does", () => {
    const p = open76();
    p.receiveData(b("\x00a\xc3\xff"));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "a\ufffd" }]);
  });

  it("discards text frames of other types and skips length-prefixed frames", () => {
    const p = open76();
    // type 0x01 (high bit clear, not 0x00): read to 0xFF, discarded (step 3.5).
    // type 0x80, length 3: skipped. type 0x81, length 0x81 0x00 = 128: skipped.
    const skipped = concatBytes([b("\x01ignored\xff\x80\x03abc\x81\x81\x00"), new Uint8Array(128).fill(0xff), b("\x00kept\xff")]);
    p.receiveData(skipped.subarray(0, 10));
    p.receiveData(skipped.subarray(10));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "kept" }]);
    expect(p.error).toBeNull();
  });

  it("refuses binary: sendBinary throws WS_ERR_LEGACY_BINARY, sends nothing and stays open", () => {
    const p = open76();
    expect(() => p.sendBinary(b("\x01\x02"))).toThrow({ code: "WS_ERR_LEGACY_BINARY", closeCode: 1003 });
    expect(p.dataToSend()).toEqual([]);
    expect(p.state).toBe(ReadyState.OPEN);
  });

  it("has no ping or pong: canPing is false and they send nothing", () => {
    const p = open76();
    expect(p.canPing).toBe(false);
    p.sendPing(b("x"));
    p.sendPong(b("x"));
    expect(p.dataToSend()).toEqual([]);
  });
});

describe("hixie-76 closing (section 5.3 step 2.7, section 5.5)", () => {
  it("answers the client's 0xFF 0x00 with its own and ends TCP: a clean close, code 1005", () => {
    const p = open76();
    p.receiveData(b("\x00last\xff\xff\x00\x00ignored\xff"));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "last" }, { type: "close", code: 1005, reason: "" }]);
    expect(sent(p)).toEqual(b("\xff\x00"));
    expect(p.closeTransport).toBe(true);
    expect(p.state).toBe(ReadyState.CLOSING);
    expect(() => p.sendText("late")).toThrow({ code: "WS_ERR_INVALID_STATE" });
    p.receiveEof();
    expect(p.state).toBe(ReadyState.CLOSED);
    expect(p.closeInfo()).toEqual({ code: 1005, reason: "", wasClean: true });
  });

  it("starts the closing handshake with 0xFF 0x00 and waits for the client's", () => {
    const p = open76();
    p.sendClose(1000, "ignored: the draft has no close codes");
    expect(sent(p)).toEqual(b("\xff\x00"));
    expect(p.closeTransport).toBe(false);
    p.receiveData(b("\xff\x00"));
    expect(p.dataToSend()).toEqual([]);
    expect(p.closeTransport).toBe(true);
    p.receiveEof();
    expect(p.closeInfo()).toEqual({ code: 1005, reason: "", wasClean: true });
  });

  it("reports 1006 when the client drops TCP without a closing frame", () => {
    const p = open76();
    p.receiveEof();
    expect(p.closeInfo()).toEqual({ code: 1006, reason: "", wasClean: false });
  });
});

describe("lengths are never trusted past maxLength", () => {
  it("refuses a length prefix over maxLength as soon as its digits pass it, before skipping a byte", () => {
    const p = open76(100);
    // 0x80, then length digits 0x81 0x00 = 128 > 100.
    p.receiveData(b("\x80\x81\x00"));
    expect(p.error?.code).toBe("WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH");
    expect(p.eventsReceived()).toEqual([{ type: "error", error: p.error }]);
    expect(sent(p)).toEqual(b("\xff\x00"));
    expect(p.closeTransport).toBe(true);
    p.receiveEof();
    expect(p.closeInfo()).toEqual({ code: 1006, reason: "", wasClean: false });
  });

  it("refuses an endless length (continuation bits forever) after a few bytes", () => {
    const p = open76();
    // 2^26 - 1 needs 26 bits: the 4th digit of 7 bits (2^28 - 1) already passes it.
    p.receiveData(b("\x80\xff\xff\xff\xff\xff"));
    expect(p.error?.code).toBe("WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH");
  });

  it("accepts a skipped frame of exactly maxLength", () => {
    const p = open76(128);
    p.receiveData(concatBytes([b("\x80\x81\x00"), new Uint8Array(128), b("\x00ok\xff")]));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "ok" }]);
  });

  it("refuses a text frame whose bytes pass maxLength without a 0xFF, across chunks", () => {
    const p = open76(8);
    p.receiveData(b("\x0012345678\xff"));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "12345678" }]);
    p.receiveData(b("\x001234"));
    p.receiveData(b("56789"));
    expect(p.error?.code).toBe("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH");
    expect(p.error?.closeCode).toBe(1009);
  });

  it("bounds discarded text frames too", () => {
    const p = open76(4);
    p.receiveData(b("\x01123456"));
    expect(p.error?.code).toBe("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH");
  });

  it("stops reading after a refusal", () => {
    const p = open76(4);
    p.receiveData(b("\x80\x81\x00\x00more\xff"));
    p.eventsReceived();
    p.receiveData(b("\x00more\xff"));
    expect(p.eventsReceived()).toEqual([]);
  });
});

describe("hixie-75", () => {
  it("needs no key body: frames flow at once", () => {
    const p = new LegacyProtocol({ draft: "hixie-75" });
    expect(p.awaitingKey).toBe(false);
    p.sendText("Hello");
    expect(sent(p)).toEqual(b("\x00Hello\xff"));
    p.receiveData(b("\x00Hi\xff"));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "Hi" }]);
  });

  it("has no closing frame: 0xFF 0x00 is an empty frame, skipped", () => {
    const p = new LegacyProtocol({ draft: "hixie-75" });
    p.receiveData(b("\xff\x00\x00after\xff"));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "after" }]);
    expect(p.closeReceived).toBeNull();
  });

  it("closes by ending TCP: no bytes, closeTransport, then a clean close", () => {
    const p = new LegacyProtocol({ draft: "hixie-75" });
    p.sendClose();
    expect(p.dataToSend()).toEqual([]);
    expect(p.closeTransport).toBe(true);
    expect(p.state).toBe(ReadyState.CLOSING);
    p.receiveEof();
    expect(p.closeInfo()).toEqual({ code: 1005, reason: "", wasClean: true });
  });

  it("a failure is reported, not clean, and sends nothing", () => {
    const p = new LegacyProtocol({ draft: "hixie-75", maxLength: 2 });
    p.receiveData(b("\x00abc"));
    expect(p.error?.code).toBe("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH");
    expect(p.dataToSend()).toEqual([]);
    p.receiveEof();
    expect(p.closeInfo()).toEqual({ code: 1006, reason: "", wasClean: false });
  });

  it("needs the keys for -76", () => {
    expect(() => new LegacyProtocol({ draft: "hixie-76" })).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
  });
});

describe("properties (fast-check)", () => {
  // A WebSocket message keeps a leading U+FEFF: decode without stripping a BOM.
  const wellFormed = (s: string) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(new TextEncoder().encode(s));

  it("however the stream is cut, -76 text frames (between skipped frames) arrive unchanged, after the challenge", () => {
    fc.assert(fc.property(
      fc.array(fc.string({ unit: "binary", maxLength: 60 }), { maxLength: 12 }),
      fc.array(fc.nat(2000), { maxLength: 12 }),
      (texts, cuts) => {
        const sender = new LegacyProtocol({ draft: "hixie-75" });
        const parts: Uint8Array[] = [b(KEY3)];
        for (const text of texts) {
          sender.sendText(text);
          parts.push(...sender.dataToSend(), b("\x80\x02xy")); // a skipped length-prefixed frame after each
        }
        const p = draft76();
        for (const chunk of splitAt(concatBytes(parts), cuts)) p.receiveData(chunk);
        expect(p.eventsReceived()).toEqual(texts.map((data) => ({ type: "text", data: wellFormed(data) })));
        expect(sent(p)).toEqual(b(CHALLENGE));
        expect(p.error).toBeNull();
      },
    ), { numRuns: 200 });
  });

  it("whatever bytes arrive, the engine never throws and ends in text events or one error, never past maxLength", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(400), { maxLength: 8 }), (bytes, cuts) => {
      const p = open76(32);
      for (const chunk of splitAt(bytes, cuts)) p.receiveData(chunk);
      const events = p.eventsReceived();
      const errors = events.filter((e) => e.type === "error");
      expect(errors.length).toBeLessThanOrEqual(1);
      for (const e of events) {
        if (e.type === "text") expect(new TextEncoder().encode(e.data).length).toBeLessThanOrEqual(32 * 3);
      }
    }), { numRuns: 300 });
  });
});
