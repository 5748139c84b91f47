/**
 * Protocol's `textAsBytes` (the ws face's mode): text messages come out as
 * their UTF-8 bytes, checked as RFC 6455 section 8.1 asks, never decoded.
 * Client frames use the all-zero masking key, so masked bytes read as plain.
 */
import { describe, expect, it } from "../harness.ts";
import { Protocol } from "../../src/core/websocket/protocol.ts";
import { errorOf } from "./support/bytes.ts";

const server = () => new Protocol({ role: "server", textAsBytes: true });
const bytes = (...values: number[]) => new Uint8Array(values);
/** A masked (zero key) frame from a client. */
const frame = (first: number, payload: number[]) => bytes(first, 0x80 | payload.length, 0, 0, 0, 0, ...payload);

describe("Protocol textAsBytes", () => {
  it("delivers a one-frame text as its bytes", () => {
    const p = server();
    p.receiveData(frame(0x81, [0xc3, 0xa9, 0x21]));
    expect(p.eventsReceived()).toEqual([{ type: "utf8", data: bytes(0xc3, 0xa9, 0x21) }]);
  });

  it("delivers a fragmented text as the joined bytes, checked across fragments", () => {
    const p = server();
    p.receiveData(frame(0x01, [0x61, 0xc3]));
    p.receiveData(frame(0x80, [0xa9]));
    expect(p.eventsReceived()).toEqual([{ type: "utf8", data: bytes(0x61, 0xc3, 0xa9) }]);
  });

  it("fails invalid UTF-8 with 1007, whole or fragmented", () => {
    for (const input of [frame(0x81, [0xc3, 0x28]), new Uint8Array([...frame(0x01, [0x61, 0xc3]), ...frame(0x80, [0x28])])]) {
      const p = server();
      p.receiveData(input);
      expect(errorOf(p.eventsReceived())).toEqual({ code: "WS_ERR_INVALID_UTF8", closeCode: 1007 });
    }
  });

  it("leaves binary messages and the default mode alone", () => {
    const p = server();
    p.receiveData(frame(0x82, [0xc3, 0x28]));
    expect(p.eventsReceived()).toEqual([{ type: "binary", data: bytes(0xc3, 0x28) }]);
    const plain = new Protocol({ role: "server" });
    plain.receiveData(frame(0x81, [0xc3, 0xa9]));
    expect(plain.eventsReceived()).toEqual([{ type: "text", data: "é" }]);
  });

  it("skipUtf8Validation hands text on unchecked, whole or fragmented", () => {
    for (const [input, expected] of [
      [frame(0x81, [0xc3, 0x28]), bytes(0xc3, 0x28)],
      [new Uint8Array([...frame(0x01, [0x61, 0xc3]), ...frame(0x80, [0x28])]), bytes(0x61, 0xc3, 0x28)],
    ] as const) {
      const p = new Protocol({ role: "server", textAsBytes: true, skipUtf8Validation: true });
      p.receiveData(input);
      expect(p.eventsReceived()).toEqual([{ type: "utf8", data: expected }]);
    }
  });
});
