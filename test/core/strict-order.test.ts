/**
 * Strictness where the Autobahn test suite looks, byte literals in, exact
 * bytes out (RFC 6455 sections 5.4, 7.1.7, 8.1, 10.4):
 *
 *   - a failure takes effect in order: the messages before the violation
 *     are handed out first, with the connection open, and what the caller
 *     sends in answer goes out before the Close;
 *   - a text frame is checked as UTF-8 as its bytes arrive: a bad byte
 *     fails the connection before the frame is whole;
 *   - fragments are bounded (maxFragments) and joined into one buffer.
 */
import { describe, it, expect } from "../harness.ts";
import { DEFAULT_MAX_FRAGMENTS, Protocol, ReadyState } from "../../src/core/websocket/protocol.ts";
import { FrameParser } from "../../src/core/websocket/frame/parser.ts";
import { WebSocketError } from "../../src/core/shared/errors.ts";
import { concatBytes } from "../../src/core/shared/bytes.ts";
import { b, client, closeFrame, concat, errorOf, events, sent, server } from "./support/bytes.ts";

/** A masked (zero key) frame to a server. */
const toServer = (first: number, payload: string) => concat(new Uint8Array([first, 0x80 | payload.length, 0, 0, 0, 0]), b(payload));
/** An unmasked frame to a client. */
const toClient = (first: number, payload: string) => concat(new Uint8Array([first, payload.length]), b(payload));

describe("a failure takes effect after the events before it (section 7.1.7)", () => {
  it("server: echoes a message that shares its chunk with a violation, then closes 1002 (Autobahn 5.15, 6.4.x)", () => {
    const p = server();
    // "Hello", then a continuation frame with no message to continue.
    p.receiveData(concat(toServer(0x81, "Hello"), toServer(0x80, "x")));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "Hello" }]);
    expect(p.state).toBe(ReadyState.OPEN);
    expect(p.error).toBeNull();
    p.sendText("Hello"); // the echo, as a message handler makes it
    const evs = p.eventsReceived();
    expect(errorOf(evs)).toEqual({ code: "WS_ERR_INVALID_CONTINUATION_FRAME", closeCode: 1002 });
    expect(sent(p)).toEqual(b("\x81\x05Hello\x88\x02\x03\xea"));
    expect(p.closeTransport).toBe(true);
  });

  it("client: the same, its echo masked before its Close", () => {
    const p = client();
    p.receiveData(concat(toClient(0x82, "ab"), toClient(0x8f, "")));
    expect(p.eventsReceived()).toEqual([{ type: "binary", data: b("ab") }]);
    p.sendBinary(b("ab"));
    expect(errorOf(p.eventsReceived())).toEqual({ code: "WS_ERR_INVALID_OPCODE", closeCode: 1002 });
    expect(sent(p)).toEqual(b("\x82\x82\x00\x00\x00\x00ab\x88\x82\x00\x00\x00\x00\x03\xea"));
  });

  it("dataToSend() also applies it, once the events were taken", () => {
    const p = server();
    p.receiveData(concat(toServer(0x81, "a"), toServer(0x81, "\xff")));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "a" }]);
    p.sendText("a");
    expect(concat(...p.dataToSend())).toEqual(b("\x81\x01a\x88\x02\x03\xef"));
    expect(errorOf(p.eventsReceived())).toEqual({ code: "WS_ERR_INVALID_UTF8", closeCode: 1007 });
  });

  it("nothing after the violation is read, and a close from the caller first wins", () => {
    const p = server();
    p.receiveData(concat(toServer(0x81, "a"), toServer(0x83, ""), toServer(0x81, "b")));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "a" }]);
    p.sendClose(1000);
    expect(errorOf(events(p))).toEqual({ code: "WS_ERR_INVALID_OPCODE", closeCode: 1002 });
    // The caller's Close went out first; no second Close.
    expect(sent(p)).toEqual(closeFrame(1000));
  });

  it("a violation alone in its chunk fails at once, as before", () => {
    const p = server();
    p.receiveData(toServer(0x83, ""));
    expect(errorOf(p.eventsReceived())).toEqual({ code: "WS_ERR_INVALID_OPCODE", closeCode: 1002 });
  });
});

describe("text is checked as its bytes arrive (section 8.1)", () => {
  it("fails in the first chunk of a text frame that holds a bad byte (Autobahn 6.4.3)", () => {
    const p = client();
    // A 21-byte text frame; its first 6 bytes arrive, and hold f4 90 (above U+10FFFF).
    p.receiveData(b("\x81\x15\xce\xba\xe1\xbd\xb9\xf4\x90"));
    expect(errorOf(p.eventsReceived())).toEqual({ code: "WS_ERR_INVALID_UTF8", closeCode: 1007 });
    expect(sent(p)).toEqual(b("\x88\x82\x00\x00\x00\x00\x03\xef"));
  });

  it("masked frames too, with the bytes unmasked in place as they come", () => {
    const p = server();
    const key = [0x37, 0xfa, 0x21, 0x3d];
    const payload = b("ok\xc0\xafmore"); // c0 af: an overlong "/"
    const masked = payload.map((v, i) => v ^ key[i & 3]!);
    p.receiveData(concat(new Uint8Array([0x81, 0x80 | payload.length, ...key]), masked.subarray(0, 2)));
    expect(p.eventsReceived()).toEqual([]);
    p.receiveData(masked.subarray(2, 3));
    expect(errorOf(p.eventsReceived())).toEqual({ code: "WS_ERR_INVALID_UTF8", closeCode: 1007 });
  });

  it("valid text split anywhere, masked, decodes whole", () => {
    const key = [0x01, 0x02, 0x03, 0x04];
    const text = "κόσμε-€-😀";
    const payload = new TextEncoder().encode(text);
    const masked = payload.map((v, i) => v ^ key[i & 3]!);
    const frame = concat(new Uint8Array([0x81, 0x80 | payload.length, ...key]), masked);
    for (let cut1 = 1; cut1 < frame.length; cut1++) {
      for (const cut2 of [cut1 + 1, cut1 + 3, frame.length]) {
        const p = server();
        const copy = frame.slice();
        for (const part of [copy.subarray(0, cut1), copy.subarray(cut1, cut2), copy.subarray(cut2)]) p.receiveData(part);
        expect(events(p)).toEqual([{ type: "text", data: text }]);
      }
    }
  });

  it("fails inside a continuation frame before it is whole, and at a message that ends mid-character", () => {
    const p = client();
    p.receiveData(b("\x01\x02ab\x80\x10cd\xed\xa0"));
    expect(errorOf(p.eventsReceived())).toEqual({ code: "WS_ERR_INVALID_UTF8", closeCode: 1007 });
    const q = client();
    q.receiveData(b("\x01\x02a\xe2\x80\x01\x82"));
    expect(errorOf(q.eventsReceived())).toEqual({ code: "WS_ERR_INVALID_UTF8", closeCode: 1007 });
  });

  it("the parser marks what it checked", () => {
    const p = new FrameParser({ role: "client", maxLength: 1000 });
    p.push(b("\x81\x02ok"));
    expect((p.read() as { checked: boolean }).checked).toBe(false); // left to the engine's strict decode
    p.push(b("\x81\x02o"));
    expect(p.read()).toBeNull();
    p.push(b("k\x01\x01a\x80\x01b\x82\x01x"));
    expect((p.read() as { checked: boolean }).checked).toBe(true);
    expect((p.read() as { checked: boolean }).checked).toBe(true);
    expect((p.read() as { checked: boolean }).checked).toBe(true);
    expect((p.read() as { checked: boolean }).checked).toBe(false); // binary
  });
});

describe("fragments are bounded (section 10.4)", () => {
  it("takes maxFragments frames for one message and fails the next with 1008", () => {
    const p = client({ maxFragments: 3 });
    p.receiveData(b("\x01\x01a\x00\x01b\x80\x01c"));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "abc" }]);
    p.receiveData(b("\x02\x01a\x00\x01b\x00\x01c"));
    expect(p.eventsReceived()).toEqual([]);
    p.receiveData(b("\x80\x00"));
    expect(errorOf(p.eventsReceived())).toEqual({ code: "WS_ERR_TOO_MANY_FRAGMENTS", closeCode: 1008 });
    expect(sent(p)).toEqual(b("\x88\x82\x00\x00\x00\x00\x03\xf0"));
  });

  it("counts per message, fails on the header before any payload, and 0 means no limit", () => {
    const p = server({ maxFragments: 2 });
    p.receiveData(concat(toServer(0x02, "a"), toServer(0x80, "b"), toServer(0x02, "c"), toServer(0x80, "d")));
    expect(p.eventsReceived()).toEqual([{ type: "binary", data: b("ab") }, { type: "binary", data: b("cd") }]);
    const parser = new FrameParser({ role: "client", maxLength: 100, maxFragments: 1 });
    parser.push(b("\x01\x01a"));
    expect(parser.read()).not.toBeInstanceOf(WebSocketError);
    parser.push(b("\x80\x7e")); // a header announcing a 16-bit length: refused before it
    expect((parser.read() as WebSocketError).code).toBe("WS_ERR_TOO_MANY_FRAGMENTS");
    const free = client({ maxFragments: 0 });
    const many: Uint8Array[] = [b("\x02\x00")];
    for (let i = 0; i < DEFAULT_MAX_FRAGMENTS + 10; i++) many.push(b("\x00\x00"));
    many.push(b("\x80\x01z"));
    free.receiveData(concatBytes(many));
    expect(free.eventsReceived()).toEqual([{ type: "binary", data: b("z") }]);
  });

  it("the default takes 65,536 fragments of 64 bytes (Autobahn 9.3.1) and refuses one more than 2^17", () => {
    const payload = new Uint8Array(64).fill(0x61);
    const frag = (first: number) => concat(new Uint8Array([first, 64]), payload);
    const parts = [frag(0x01)];
    for (let i = 1; i < 65535; i++) parts.push(frag(0x00));
    parts.push(frag(0x80));
    const p = client();
    p.receiveData(concatBytes(parts));
    const evs = p.eventsReceived();
    expect(evs).toHaveLength(1);
    expect((evs[0] as { data: string }).data.length).toBe(64 * 65536);
    const q = client();
    const empty = [b("\x02\x00")];
    for (let i = 1; i < DEFAULT_MAX_FRAGMENTS; i++) empty.push(b("\x00\x00"));
    q.receiveData(concatBytes(empty));
    expect(q.eventsReceived()).toEqual([]);
    q.receiveData(b("\x80\x00"));
    expect(errorOf(q.eventsReceived())).toEqual({ code: "WS_ERR_TOO_MANY_FRAGMENTS", closeCode: 1008 });
  });

  it("joins fragments into one buffer of their own (no view of the transport chunk is kept)", () => {
    const p = client();
    const chunk = b("\x02\x01a\x00\x01b\x80\x01c" + "\x00".repeat(1000));
    p.receiveData(chunk.subarray(0, 9));
    const [e] = p.eventsReceived();
    const data = (e as { data: Uint8Array }).data;
    expect(data).toEqual(b("abc"));
    expect(data.buffer).not.toBe(chunk.buffer);
    expect(data.buffer.byteLength).toBeLessThanOrEqual(16);
  });

  it("a long payload in tiny transport chunks is held in 64 KiB blocks, not a chunk each", () => {
    for (const role of ["client", "server"] as const) {
      const parser = new FrameParser({ role, maxLength: 1 << 20 });
      const text = "aé€😀".repeat(20_000); // 200,000 bytes of UTF-8, checked as it comes
      const payload = new TextEncoder().encode(text);
      const key = [9, 8, 7, 6];
      const masked = role === "server" ? payload.map((v, i) => v ^ key[i & 3]!) : payload;
      const n = payload.length;
      const header = [0x81, (role === "server" ? 0x80 : 0) | 127, 0, 0, 0, 0, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
      const trailer = role === "server" ? b("\x82\x80\x00\x00\x00\x00") : b("\x82\x00"); // an empty binary frame
      const bytes = concat(new Uint8Array(header), new Uint8Array(role === "server" ? key : []), masked, trailer);
      const last = trailer.length + 1;
      let most = 0;
      for (let i = 0; i < bytes.length - last; i++) {
        parser.push(bytes.slice(i, i + 1));
        expect(parser.read()).toBeNull();
        most = Math.max(most, parser.bufferedChunks);
      }
      parser.push(bytes.slice(bytes.length - last));
      const frame = parser.read() as { payload: Uint8Array; checked: boolean };
      expect(new TextDecoder().decode(frame.payload)).toBe(text);
      expect(frame.checked).toBe(true);
      expect((parser.read() as { opcode: number }).opcode).toBe(2);
      expect(most).toBeLessThanOrEqual(16 + Math.ceil(n / 65536) + 1);
    }
  });

  it("a single-frame message is still a view of its chunk (no copy)", () => {
    const p = client();
    const chunk = b("\x82\x03abc");
    p.receiveData(chunk);
    const [e] = p.eventsReceived();
    expect((e as { data: Uint8Array }).data.buffer).toBe(chunk.buffer);
  });
});
