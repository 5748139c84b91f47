/**
 * The Protocol state machine, in the style of python-websockets'
 * tests/test_protocol.py: byte literals in, exact bytes out. Clients use the
 * all-zero masking key (so masked bytes read as plain) unless a test fixes
 * another; servers receive frames masked with that same zero key.
 */
import { describe, it, expect } from "../harness.ts";
import { DEFAULT_MAX_LENGTH, Protocol, ReadyState, type ProtocolEvent } from "../../src/core/websocket/protocol.ts";
import { WebSocketError } from "../../src/core/shared/errors.ts";
import { b, client, closeFrame, concat, errorOf, fixedKey, hex, sent, seq, server, utf8 } from "./support/bytes.ts";

type Role = "client" | "server";
const make = (role: Role, maxLength?: number) => (role === "client" ? client({ maxLength }) : server({ maxLength }));
const rfcClient = () => client({ random: fixedKey([0x37, 0xfa, 0x21, 0x3d]) });

/** A frame as a peer of `role` receives it: masked with the zero key when it goes to a server. */
function frameTo(role: Role, first: number, payload: Uint8Array | string): Uint8Array {
  const data = typeof payload === "string" ? b(payload) : payload;
  const n = data.length;
  const mask = role === "server" ? 0x80 : 0;
  const len = n < 126 ? [mask | n] : n < 65536 ? [mask | 126, n >> 8, n & 0xff] : [mask | 127, 0, 0, 0, 0, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  return concat(new Uint8Array([first, ...len]), role === "server" ? new Uint8Array(4) : new Uint8Array(0), data);
}

/** The Close frame `role` sends for `code`: zero-masked from a client. */
const closeFrom = (role: Role, code?: number, reason = "") => closeFrame(code, reason, role === "client");

/** Feeds bytes and checks the connection failed with the close code and error code. */
function expectFailure(p: Protocol, data: Uint8Array, code: string, closeCode: number): ProtocolEvent[] {
  p.receiveData(data);
  const evs = p.eventsReceived();
  expect(errorOf(evs)).toEqual({ code, closeCode });
  expect(sent(p)).toEqual(closeFrom(p.role, closeCode));
  expect(p.closeTransport).toBe(true);
  expect(p.state).toBe(ReadyState.CLOSING);
  expect(p.error?.code).toBe(code);
  expect(p.closeInfo()).toEqual({ code: 1006, reason: "", wasClean: false });
  return evs;
}

describe("Protocol: sending", () => {
  it("a server sends unmasked text, binary, ping, pong", () => {
    const p = server();
    p.sendText("Spam");
    p.sendBinary(b("Eggs"));
    p.sendPing(b("ping"));
    p.sendPong(b("pong"));
    expect(sent(p)).toEqual(b("\x81\x04Spam\x82\x04Eggs\x89\x04ping\x8a\x04pong"));
  });

  it("a client masks every frame (RFC 6455 section 5.7 key 37 fa 21 3d)", () => {
    const p = rfcClient();
    p.sendText("Hello");
    expect(sent(p)).toEqual(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"));
    p.sendPong(utf8("Hello"));
    expect(sent(p)).toEqual(hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"));
    p.sendBinary(utf8("Hello"));
    expect(sent(p)).toEqual(hex("82 85 37 fa 21 3d 7f 9f 4d 51 58"));
    p.sendPing(utf8("Hello"));
    expect(sent(p)).toEqual(hex("89 85 37 fa 21 3d 7f 9f 4d 51 58"));
  });

  it("a client with the zero key sends readable bytes", () => {
    const p = client();
    p.sendText("Spam");
    expect(sent(p)).toEqual(b("\x81\x84\x00\x00\x00\x00Spam"));
  });

  it("sends text given as UTF-8 bytes, and empty messages", () => {
    const p = server();
    p.sendText(utf8("\u00e9"));
    p.sendText("");
    p.sendBinary(new Uint8Array(0));
    p.sendPing();
    p.sendPong();
    expect(sent(p)).toEqual(b("\x81\x02\xc3\xa9\x81\x00\x82\x00\x89\x00\x8a\x00"));
  });

  it("sends 126 and 65536 byte messages with 16- and 64-bit lengths", () => {
    const p = server();
    p.sendBinary(seq(126));
    expect(sent(p)).toEqual(concat(b("\x82\x7e\x00\x7e"), seq(126)));
    p.sendBinary(seq(65536));
    expect(sent(p)).toEqual(concat(b("\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00"), seq(65536)));
  });

  it("hands a large server payload to the transport without copying it", () => {
    const p = server();
    const payload = seq(100_000);
    p.sendBinary(payload);
    const out = p.dataToSend();
    expect(out).toHaveLength(2);
    expect(out[1]).toBe(payload);
  });

  it("does not change a client's payload", () => {
    const p = rfcClient();
    const payload = utf8("Hello");
    p.sendBinary(payload);
    expect(payload).toEqual(utf8("Hello"));
  });

  it("refuses control payloads over 125 bytes", () => {
    const p = server();
    expect(() => p.sendPing(new Uint8Array(126))).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    expect(() => p.sendPong(new Uint8Array(126))).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    p.sendPing(new Uint8Array(125));
    expect(sent(p)).toEqual(concat(b("\x89\x7d"), new Uint8Array(125)));
    expect(p.state).toBe(ReadyState.OPEN);
  });

  it("returns the same empty array when there is nothing to send or report", () => {
    const p = server();
    expect(p.dataToSend()).toHaveLength(0);
    expect(p.eventsReceived()).toHaveLength(0);
  });
});

describe("Protocol: receiving", () => {
  for (const role of ["client", "server"] as const) {
    describe(role, () => {
      it("receives text and binary messages", () => {
        const p = make(role);
        p.receiveData(frameTo(role, 0x81, "Spam"));
        p.receiveData(frameTo(role, 0x82, "Eggs"));
        expect(p.eventsReceived()).toEqual([
          { type: "text", data: "Spam" },
          { type: "binary", data: utf8("Eggs") },
        ]);
      });

      it("receives empty messages", () => {
        const p = make(role);
        p.receiveData(concat(frameTo(role, 0x81, ""), frameTo(role, 0x82, "")));
        expect(p.eventsReceived()).toEqual([
          { type: "text", data: "" },
          { type: "binary", data: new Uint8Array(0) },
        ]);
      });

      it("receives a fragmented text message with a ping in the middle", () => {
        const p = make(role);
        p.receiveData(frameTo(role, 0x01, "Sp"));
        expect(p.eventsReceived()).toEqual([]);
        p.receiveData(frameTo(role, 0x00, "a"));
        p.receiveData(frameTo(role, 0x89, ""));
        expect(p.eventsReceived()).toEqual([{ type: "ping", data: new Uint8Array(0) }]);
        p.receiveData(frameTo(role, 0x80, "m"));
        expect(p.eventsReceived()).toEqual([{ type: "text", data: "Spam" }]);
      });

      it("receives a fragmented binary message", () => {
        const p = make(role);
        p.receiveData(concat(frameTo(role, 0x02, "\x01\x02"), frameTo(role, 0x00, ""), frameTo(role, 0x80, "\x03")));
        expect(p.eventsReceived()).toEqual([{ type: "binary", data: hex("01 02 03") }]);
      });

      it("receives messages split into chunks at every offset", () => {
        const stream = concat(frameTo(role, 0x01, "He"), frameTo(role, 0x8a, "x"), frameTo(role, 0x80, "llo"), frameTo(role, 0x82, seq(300)));
        for (let i = 1; i < stream.length; i++) {
          const p = make(role);
          const copy = stream.slice();
          p.receiveData(copy.subarray(0, i));
          p.receiveData(copy.subarray(i));
          expect(p.eventsReceived()).toEqual([
            { type: "pong", data: utf8("x") },
            { type: "text", data: "Hello" },
            { type: "binary", data: seq(300) },
          ]);
        }
      });

      it("keeps a byte order mark in text", () => {
        const p = make(role);
        p.receiveData(frameTo(role, 0x81, "\xef\xbb\xbfhi"));
        expect(p.eventsReceived()).toEqual([{ type: "text", data: "\ufeffhi" }]);
      });
    });
  }

  it("hands a binary payload that a chunk holds whole as a view of that chunk (zero copy)", () => {
    const p = client();
    const chunk = b("\x82\x05Hello\x82\x03abc");
    p.receiveData(chunk);
    const [e1, e2] = p.eventsReceived() as { type: "binary"; data: Uint8Array }[];
    expect(e1!.data).toEqual(utf8("Hello"));
    expect(e1!.data.buffer === chunk.buffer).toBe(true);
    expect(e2!.data.buffer === chunk.buffer).toBe(true);
  });

  it("unmasks at a server in place, in the chunk (zero copy)", () => {
    const p = server();
    const chunk = hex("82 85 37 fa 21 3d 7f 9f 4d 51 58");
    p.receiveData(chunk);
    const [e] = p.eventsReceived() as { type: "binary"; data: Uint8Array }[];
    expect(e!.data).toEqual(utf8("Hello"));
    expect(e!.data.buffer === chunk.buffer).toBe(true);
  });
});

describe("Protocol: ping and pong", () => {
  it("a server answers a Ping with the exact Pong", () => {
    const p = server();
    p.receiveData(b("\x89\x84\x00\x44\x88\xccp-\xe6\xab")); // "ping" masked with 00 44 88 cc
    expect(p.eventsReceived()).toEqual([{ type: "ping", data: utf8("ping") }]);
    expect(sent(p)).toEqual(b("\x8a\x04ping"));
  });

  it("a client answers with a masked Pong (RFC 6455 section 5.7 bytes)", () => {
    const p = rfcClient();
    p.receiveData(hex("89 05 48 65 6c 6c 6f"));
    expect(p.eventsReceived()).toEqual([{ type: "ping", data: utf8("Hello") }]);
    expect(sent(p)).toEqual(hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"));
  });

  it("answers a 125-byte Ping and an empty one", () => {
    const p = client();
    p.receiveData(concat(b("\x89\x7d"), seq(125), b("\x89\x00")));
    expect(sent(p)).toEqual(concat(b("\x8a\xfd\x00\x00\x00\x00"), seq(125), b("\x8a\x80\x00\x00\x00\x00")));
  });

  it("answers pings between fragments right away", () => {
    const p = client();
    p.receiveData(b("\x01\x02Sp\x89\x01!"));
    expect(sent(p)).toEqual(b("\x8a\x81\x00\x00\x00\x00!"));
    p.receiveData(b("\x80\x02am"));
    expect(p.eventsReceived()).toEqual([{ type: "ping", data: b("!") }, { type: "text", data: "Spam" }]);
  });

  it("sends nothing for a Pong", () => {
    const p = server();
    p.receiveData(b("\x8a\x84\x00\x00\x00\x00pong"));
    expect(p.eventsReceived()).toEqual([{ type: "pong", data: utf8("pong") }]);
    expect(sent(p)).toEqual(new Uint8Array(0));
  });

  it("reports but does not answer a Ping once its own Close is sent", () => {
    const p = server();
    p.sendClose(1000);
    expect(sent(p)).toEqual(b("\x88\x02\x03\xe8"));
    p.receiveData(b("\x89\x80\x00\x00\x00\x00"));
    expect(p.eventsReceived()).toEqual([{ type: "ping", data: new Uint8Array(0) }]);
    expect(sent(p)).toEqual(new Uint8Array(0));
  });
});

describe("Protocol: closing handshake", () => {
  it("a server receiving a Close echoes the code and asks to close the transport", () => {
    const p = server();
    p.receiveData(b("\x88\x85\x00\x00\x00\x00\x03\xe9bye"));
    expect(p.eventsReceived()).toEqual([{ type: "close", code: 1001, reason: "bye" }]);
    expect(sent(p)).toEqual(b("\x88\x02\x03\xe9"));
    expect(p.state).toBe(ReadyState.CLOSING);
    expect(p.closeTransport).toBe(true);
    expect(p.closeExpected()).toBe(true);
    p.receiveEof();
    expect(p.state).toBe(ReadyState.CLOSED);
    expect(p.closeExpected()).toBe(false);
    expect(p.closeInfo()).toEqual({ code: 1001, reason: "bye", wasClean: true });
  });

  it("a client receiving a Close echoes it masked and waits for the server to end TCP", () => {
    const p = client();
    p.receiveData(b("\x88\x02\x03\xe8"));
    expect(p.eventsReceived()).toEqual([{ type: "close", code: 1000, reason: "" }]);
    expect(sent(p)).toEqual(b("\x88\x82\x00\x00\x00\x00\x03\xe8"));
    expect(p.state).toBe(ReadyState.CLOSING);
    expect(p.closeTransport).toBe(false);
    expect(p.closeExpected()).toBe(true);
    p.receiveEof();
    expect(p.state).toBe(ReadyState.CLOSED);
    expect(p.closeInfo()).toEqual({ code: 1000, reason: "", wasClean: true });
  });

  it("a server starting the close waits for the echo, then closes the transport", () => {
    const p = server();
    p.sendClose(1001, "bye");
    expect(sent(p)).toEqual(b("\x88\x05\x03\xe9bye"));
    expect(p.state).toBe(ReadyState.CLOSING);
    expect(p.closeTransport).toBe(false);
    expect(p.closeSent).toEqual({ code: 1001, reason: "bye" });
    p.receiveData(b("\x88\x82\x00\x00\x00\x00\x03\xe9"));
    expect(p.eventsReceived()).toEqual([{ type: "close", code: 1001, reason: "" }]);
    expect(sent(p)).toEqual(new Uint8Array(0)); // no second Close
    expect(p.closeTransport).toBe(true);
    p.receiveEof();
    expect(p.closeInfo()).toEqual({ code: 1001, reason: "", wasClean: true });
  });

  it("a client starting the close waits for the echo, then for EOF", () => {
    const p = client();
    p.sendClose(1000, "done");
    expect(sent(p)).toEqual(b("\x88\x86\x00\x00\x00\x00\x03\xe8done"));
    expect(p.closeExpected()).toBe(false);
    p.receiveData(b("\x88\x02\x03\xe8"));
    expect(p.eventsReceived()).toEqual([{ type: "close", code: 1000, reason: "" }]);
    expect(sent(p)).toEqual(new Uint8Array(0));
    expect(p.closeTransport).toBe(false);
    expect(p.closeExpected()).toBe(true);
    p.receiveEof();
    expect(p.state).toBe(ReadyState.CLOSED);
    expect(p.closeInfo()).toEqual({ code: 1000, reason: "", wasClean: true });
  });

  it("an empty Close reads as 1005 and is echoed empty", () => {
    const p = server();
    p.receiveData(b("\x88\x80\x00\x00\x00\x00"));
    expect(p.eventsReceived()).toEqual([{ type: "close", code: 1005, reason: "" }]);
    expect(sent(p)).toEqual(b("\x88\x00"));
    p.receiveEof();
    expect(p.closeInfo()).toEqual({ code: 1005, reason: "", wasClean: true });
  });

  it("sendClose() without a code sends an empty Close", () => {
    const p = client();
    p.sendClose();
    expect(sent(p)).toEqual(b("\x88\x80\x00\x00\x00\x00"));
    expect(p.closeSent).toEqual({ code: 1005, reason: "" });
  });

  it("sendClose refuses codes and reasons that cannot go on the wire, leaving the state", () => {
    const p = server();
    expect(() => p.sendClose(1005)).toThrow({ code: "WS_ERR_INVALID_CLOSE_CODE" });
    expect(() => p.sendClose(999)).toThrow({ code: "WS_ERR_INVALID_CLOSE_CODE" });
    expect(() => p.sendClose(1000, "x".repeat(124))).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    expect(() => p.sendClose(undefined, "why")).toThrow(WebSocketError);
    expect(p.state).toBe(ReadyState.OPEN);
    expect(p.closeSent).toBeNull();
    expect(sent(p)).toEqual(new Uint8Array(0));
  });

  it("keeps delivering messages after sending its Close, until the peer's Close", () => {
    const p = client();
    p.sendClose(1000);
    sent(p);
    p.receiveData(b("\x81\x04late\x88\x02\x03\xe8"));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "late" }, { type: "close", code: 1000, reason: "" }]);
  });

  it("ignores data after a Close, in the same chunk and later", () => {
    const p = client();
    p.receiveData(b("\x88\x02\x03\xe8\x81\x04Spam\x83\x00"));
    expect(p.eventsReceived()).toEqual([{ type: "close", code: 1000, reason: "" }]);
    p.receiveData(b("\x81\x04Eggs\xff\xff"));
    expect(p.eventsReceived()).toEqual([]);
    expect(p.error).toBeNull();
  });

  it("reports 1006 when the transport ends without a Close", () => {
    const p = client();
    p.receiveData(b("\x01\x02Sp"));
    p.receiveEof();
    expect(p.state).toBe(ReadyState.CLOSED);
    expect(p.closeInfo()).toEqual({ code: 1006, reason: "", wasClean: false });
    expect(p.eventsReceived()).toEqual([]);
    p.receiveData(b("\x80\x02am"));
    expect(p.eventsReceived()).toEqual([]);
  });

  it("reports 1006 when the transport ends after its own Close only", () => {
    const p = server();
    p.sendClose(1000);
    p.receiveEof();
    expect(p.closeInfo()).toEqual({ code: 1006, reason: "", wasClean: false });
  });

  it("reports a failed connection as 1006, not clean", () => {
    const p = server();
    p.fail(1011);
    p.receiveEof();
    expect(p.closeInfo()).toEqual({ code: 1006, reason: "", wasClean: false });
  });
});

describe("Protocol: state machine", () => {
  it("starts OPEN, goes CLOSING on close, CLOSED on EOF", () => {
    expect(ReadyState).toEqual({ CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
    const p = server();
    expect(p.state).toBe(ReadyState.OPEN);
    p.sendClose(1000);
    expect(p.state).toBe(ReadyState.CLOSING);
    p.receiveEof();
    expect(p.state).toBe(ReadyState.CLOSED);
    p.receiveEof(); // twice is harmless
    expect(p.state).toBe(ReadyState.CLOSED);
  });

  const sends: [string, (p: Protocol) => void][] = [
    ["sendText", (p) => p.sendText("x")],
    ["sendBinary", (p) => p.sendBinary(b("x"))],
    ["sendPing", (p) => p.sendPing()],
    ["sendPong", (p) => p.sendPong()],
    ["sendClose", (p) => p.sendClose(1000)],
  ];
  const states: [string, () => Protocol][] = [
    ["CLOSING (Close sent)", () => { const p = client(); p.sendClose(1000); return p; }],
    ["CLOSING (Close received)", () => { const p = client(); p.receiveData(b("\x88\x00")); return p; }],
    ["CLOSING (failed)", () => { const p = client(); p.receiveData(b("\x83\x00")); return p; }],
    ["CLOSED", () => { const p = client(); p.receiveEof(); return p; }],
  ];
  for (const [state, setup] of states) {
    for (const [name, send] of sends) {
      it(`${name} in ${state} throws WS_ERR_INVALID_STATE and sends nothing`, () => {
        const p = setup();
        p.dataToSend();
        expect(() => send(p)).toThrow({ code: "WS_ERR_INVALID_STATE" });
        expect(p.dataToSend()).toHaveLength(0);
      });
    }
  }
});

describe("Protocol: protocol violations (RFC 6455 section 5)", () => {
  const cases: [string, string, string, number][] = [
    ["RSV1 without an extension", "\xc1\x00", "WS_ERR_UNEXPECTED_RSV_1", 1002],
    ["RSV2 without an extension", "\xa1\x00", "WS_ERR_UNEXPECTED_RSV_2", 1002],
    ["RSV3 without an extension", "\x91\x00", "WS_ERR_UNEXPECTED_RSV_3", 1002],
    ["RSV1 on a Ping", "\xc9\x00", "WS_ERR_UNEXPECTED_RSV_1", 1002],
    ["opcode 3", "\x83\x00", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 4", "\x84\x00", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 5", "\x85\x00", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 6", "\x86\x00", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 7", "\x87\x00", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 0xB", "\x8b\x00", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 0xC", "\x8c\x00", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 0xD", "\x8d\x00", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 0xE", "\x8e\x00", "WS_ERR_INVALID_OPCODE", 1002],
    ["opcode 0xF", "\x8f\x00", "WS_ERR_INVALID_OPCODE", 1002],
    ["a fragmented Ping", "\x09\x00", "WS_ERR_EXPECTED_FIN", 1002],
    ["a fragmented Pong", "\x0a\x00", "WS_ERR_EXPECTED_FIN", 1002],
    ["a fragmented Close", "\x08\x02\x03\xe8", "WS_ERR_EXPECTED_FIN", 1002],
    ["a Ping of 126 bytes", "\x89\x7e\x00\x7e", "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", 1002],
    ["a Close of 126 bytes", "\x88\x7e\x00\x7e", "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", 1002],
    ["a continuation without a start", "\x80\x01a", "WS_ERR_INVALID_CONTINUATION_FRAME", 1002],
    ["a text frame inside a fragmented message", "\x01\x01a\x81\x01b", "WS_ERR_EXPECTED_CONTINUATION_FRAME", 1002],
    ["a binary frame inside a fragmented message", "\x02\x01a\x82\x01b", "WS_ERR_EXPECTED_CONTINUATION_FRAME", 1002],
    ["a 64-bit length of 2^53", "\x82\x7f\x00\x20\x00\x00\x00\x00\x00\x00", "WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH", 1009],
    ["a 64-bit length with the MSB set", "\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00", "WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH", 1009],
    ["a 64-bit length of 2^53 - 1 (over maxLength)", "\x82\x7f\x00\x1f\xff\xff\xff\xff\xff\xff", "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", 1009],
    ["a masked frame at a client", "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", "WS_ERR_UNEXPECTED_MASK", 1002],
    ["a Close with a 1-byte payload", "\x88\x01\x03", "WS_ERR_INVALID_CLOSE_PAYLOAD", 1002],
    ["invalid UTF-8 in text", "\x81\x02\xc0\x80", "WS_ERR_INVALID_UTF8", 1007],
    ["invalid UTF-8 in a close reason", "\x88\x04\x03\xe8\xed\xa0", "WS_ERR_INVALID_UTF8", 1007],
  ];
  for (const [name, bytes, code, closeCode] of cases) {
    it(`a client fails ${name}: close ${closeCode}, ${code}`, () => {
      expectFailure(client(), b(bytes), code, closeCode);
    });
  }

  it("a server fails an unmasked frame: close 1002, WS_ERR_EXPECTED_MASK", () => {
    expectFailure(server(), b("\x81\x04Spam"), "WS_ERR_EXPECTED_MASK", 1002);
  });

  it("a server fails an unknown opcode in a masked frame", () => {
    expectFailure(server(), b("\x83\x80\x00\x00\x00\x00"), "WS_ERR_INVALID_OPCODE", 1002);
  });

  it("the error event carries the WebSocketError", () => {
    const p = client();
    p.receiveData(b("\x83\x00"));
    const [e] = p.eventsReceived();
    expect(e!.type).toBe("error");
    const err = (e as { error: WebSocketError }).error;
    expect(err).toBeInstanceOf(WebSocketError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("WebSocketError");
    expect(err.code).toBe("WS_ERR_INVALID_OPCODE");
    expect(err.closeCode).toBe(1002);
    expect(p.error).toBe(err);
  });

  it("delivers the messages before the violation, then stops reading", () => {
    const p = client();
    p.receiveData(b("\x81\x02ok\x89\x00\x8f\x00\x81\x02no"));
    // Section 7.1.7 in order: the messages first, with the connection open.
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "ok" }, { type: "ping", data: new Uint8Array(0) }]);
    expect(p.state).toBe(ReadyState.OPEN);
    const evs = p.eventsReceived();
    expect(evs[0]!.type).toBe("error");
    expect(evs).toHaveLength(1);
    // The pong for the ping went out before the Close.
    expect(sent(p)).toEqual(b("\x8a\x80\x00\x00\x00\x00\x88\x82\x00\x00\x00\x00\x03\xea"));
    p.receiveData(b("\x81\x02no"));
    expect(p.eventsReceived()).toEqual([]);
  });

  it("fails a control frame over 125 bytes on its header alone", () => {
    expectFailure(client(), b("\x89\x7e"), "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", 1002);
  });
});

describe("Protocol: close codes received", () => {
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
    it(`fails a received ${code} with 1002`, () => {
      expectFailure(client(), new Uint8Array([0x88, 0x02, code >> 8, code & 0xff]), "WS_ERR_INVALID_CLOSE_CODE", 1002);
    });
  }
  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999]) {
    it(`accepts and echoes a received ${code}`, () => {
      const p = server();
      p.receiveData(new Uint8Array([0x88, 0x82, 0, 0, 0, 0, code >> 8, code & 0xff]));
      expect(p.eventsReceived()).toEqual([{ type: "close", code, reason: "" }]);
      expect(sent(p)).toEqual(new Uint8Array([0x88, 0x02, code >> 8, code & 0xff]));
    });
  }

  it("accepts a 123-byte UTF-8 reason", () => {
    const p = client();
    const reason = "\u00e9".repeat(61) + "x";
    p.receiveData(closeFrame(4000, reason));
    expect(p.eventsReceived()).toEqual([{ type: "close", code: 4000, reason }]);
  });
});

describe("Protocol: UTF-8 in text messages (RFC 6455 section 8.1)", () => {
  const bad: [string, string][] = [
    ["an overlong '/'", "\xc0\xaf"],
    ["an overlong 3-byte form", "\xe0\x80\xaf"],
    ["an overlong 4-byte form", "\xf0\x80\x80\xaf"],
    ["a high surrogate", "\xed\xa0\x80"],
    ["a low surrogate", "\xed\xbf\xbf"],
    ["U+110000", "\xf4\x90\x80\x80"],
    ["a lead byte above f4", "\xf5\x80\x80\x80"],
    ["a lone continuation byte", "a\x80b"],
    ["a truncated sequence at the end", "ab\xe2\x82"],
  ];
  for (const [name, payload] of bad) {
    it(`fails ${name} with 1007`, () => {
      expectFailure(client(), b(`\x81${String.fromCharCode(payload.length)}${payload}`), "WS_ERR_INVALID_UTF8", 1007);
    });
  }

  it("accepts the largest code point and the edges around the surrogates", () => {
    const p = client();
    p.receiveData(b("\x81\x0a\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80"));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "\u{10ffff}\ud7ff\ue000" }]);
  });

  it("fails on a bad first fragment before later fragments arrive", () => {
    const p = client();
    expectFailure(p, b("\x01\x03ok\xff"), "WS_ERR_INVALID_UTF8", 1007);
  });

  it("fails on a bad middle fragment at once", () => {
    const p = client();
    p.receiveData(b("\x01\x02ok"));
    expect(p.eventsReceived()).toEqual([]);
    expectFailure(p, b("\x00\x02\xed\xa0"), "WS_ERR_INVALID_UTF8", 1007);
  });

  it("accepts a code point split across fragments", () => {
    const p = client();
    p.receiveData(b("\x01\x01\xf0"));
    p.receiveData(b("\x00\x01\x9f"));
    p.receiveData(b("\x00\x00"));
    p.receiveData(b("\x80\x02\x98\x80"));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "\u{1f600}" }]);
    expect(p.error).toBeNull();
  });

  it("fails a message that ends in the middle of a code point split across fragments", () => {
    const p = client();
    p.receiveData(b("\x01\x01\xe2"));
    expect(p.eventsReceived()).toEqual([]);
    expectFailure(p, b("\x80\x01\x82"), "WS_ERR_INVALID_UTF8", 1007);
  });

  it("starts each message afresh", () => {
    const p = client();
    p.receiveData(b("\x81\x02\xc3\xa9\x81\x01a"));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "\u00e9" }, { type: "text", data: "a" }]);
  });

  it("does not check binary messages", () => {
    const p = client();
    p.receiveData(b("\x82\x02\xc0\x80"));
    expect(p.eventsReceived()).toEqual([{ type: "binary", data: hex("c0 80") }]);
  });
});

describe("Protocol: maxLength", () => {
  it("defaults to 2^26 - 1", () => {
    expect(DEFAULT_MAX_LENGTH).toBe(2 ** 26 - 1);
    expect(client().maxLength).toBe(2 ** 26 - 1);
  });

  it("accepts a header announcing 2^26 - 1 bytes and fails 2^26 at once", () => {
    const ok = client();
    ok.receiveData(b("\x82\x7f\x00\x00\x00\x00\x03\xff\xff\xff"));
    expect(ok.eventsReceived()).toEqual([]);
    expect(ok.error).toBeNull();
    expectFailure(client(), b("\x82\x7f\x00\x00\x00\x00\x04\x00\x00\x00"), "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", 1009);
  });

  it("fails a frame over the limit on its header, before any payload arrives", () => {
    const p = server({ maxLength: 1024 });
    expectFailure(p, b("\x82\xfe\x04\x01"), "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", 1009);
    p.receiveData(new Uint8Array(1025)); // ignored, never buffered
    expect(p.eventsReceived()).toEqual([]);
  });

  it("takes a message of exactly maxLength", () => {
    const p = client({ maxLength: 4 });
    p.receiveData(b("\x81\x04Spam"));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "Spam" }]);
  });

  it("sums the fragments of a message", () => {
    const p = client({ maxLength: 4 });
    p.receiveData(b("\x01\x02Sp\x00\x02am"));
    expect(p.eventsReceived()).toEqual([]);
    expectFailure(p, b("\x80\x01!"), "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", 1009);
  });

  it("does not count control frames", () => {
    const p = client({ maxLength: 4 });
    p.receiveData(b("\x01\x02Sp\x89\x05Hello\x80\x02am"));
    expect(p.eventsReceived()).toEqual([{ type: "ping", data: utf8("Hello") }, { type: "text", data: "Spam" }]);
  });
});

describe("Protocol: fail()", () => {
  it("sends the Close, reports the error and asks to close the transport", () => {
    const p = server();
    p.fail(1011, "boom");
    expect(sent(p)).toEqual(b("\x88\x06\x03\xf3boom"));
    expect(p.closeTransport).toBe(true);
    expect(p.state).toBe(ReadyState.CLOSING);
    expect(p.closeSent).toEqual({ code: 1011, reason: "boom" });
    const evs = p.eventsReceived();
    expect(evs).toHaveLength(1);
    expect(errorOf(evs)).toEqual({ code: "WS_ERR_INTERNAL", closeCode: 1011 });
    expect(p.closeExpected()).toBe(true);
  });

  it("masks the Close from a client", () => {
    const p = client();
    p.fail(1008, "no");
    expect(sent(p)).toEqual(b("\x88\x84\x00\x00\x00\x00\x03\xf0no"));
  });

  it("carries the given error", () => {
    const p = server();
    const err = new WebSocketError("WS_ERR_CLOSE_TIMEOUT", "timed out");
    p.fail(1006, "", err);
    expect(sent(p)).toEqual(new Uint8Array(0)); // 1006 never goes on the wire
    expect(p.eventsReceived()).toEqual([{ type: "error", error: err }]);
    expect(p.error).toBe(err);
    expect(p.closeTransport).toBe(true);
  });

  it("does not send a second Close after its own", () => {
    const p = client();
    p.sendClose(1000);
    sent(p);
    p.fail(1002);
    expect(sent(p)).toEqual(new Uint8Array(0));
    expect(p.closeTransport).toBe(true);
  });

  it("happens once", () => {
    const p = server();
    p.fail(1002);
    p.fail(1011);
    expect(sent(p)).toEqual(b("\x88\x02\x03\xea"));
    expect(p.eventsReceived()).toHaveLength(1);
  });

  it("does nothing after the transport ended", () => {
    const p = server();
    p.receiveEof();
    p.fail(1011);
    expect(sent(p)).toEqual(new Uint8Array(0));
    expect(p.eventsReceived()).toEqual([]);
    expect(p.error).toBeNull();
  });

  it("refuses a code that cannot be sent without changing anything", () => {
    const p = server();
    expect(() => p.fail(999)).toThrow({ code: "WS_ERR_INVALID_CLOSE_CODE" });
    expect(() => p.fail(1000, "x".repeat(124))).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    expect(p.state).toBe(ReadyState.OPEN);
    expect(p.error).toBeNull();
    expect(p.closeTransport).toBe(false);
    p.sendText("still open");
    expect(sent(p)).toEqual(b("\x81\x0astill open"));
  });

  it("stops reading after a failure", () => {
    const p = client();
    p.fail(1001);
    p.eventsReceived();
    p.receiveData(b("\x81\x02hi"));
    expect(p.eventsReceived()).toEqual([]);
  });
});
