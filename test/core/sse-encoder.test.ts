/**
 * The SSE encoder: exact bytes for each kind of message, no field injection,
 * and a round trip through the parser.
 */
import { describe, expect, it } from "../harness.ts";
import { encodeComment, encodeEvent, encodeRetry, formatEvent } from "../../src/core/sse/encoder.ts";
import { SseParser } from "../../src/core/sse/parser.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function roundTrip(bytes: Uint8Array) {
  const parser = new SseParser();
  parser.receiveData(bytes);
  return { events: parser.eventsReceived(), lastEventId: parser.lastEventId };
}

describe("SSE encoder", () => {
  it("writes a plain message", () => {
    expect(text(encodeEvent({ data: "hello" }))).toBe("data: hello\n\n");
  });

  it("writes retry, event and id before the data", () => {
    expect(formatEvent({ data: "x", event: "notification", id: "99", retry: 1500 })).toBe(
      "retry: 1500\nevent: notification\nid: 99\ndata: x\n\n",
    );
  });

  it("splits multi-line data on LF, CR and CRLF", () => {
    expect(formatEvent({ data: "a\nb\rc\r\nd" })).toBe("data: a\ndata: b\ndata: c\ndata: d\n\n");
    expect(formatEvent({ data: "end\n" })).toBe("data: end\ndata: \n\n");
  });

  it("writes empty data as one empty data line (an empty message)", () => {
    expect(formatEvent({ data: "" })).toBe("data: \n\n");
    expect(roundTrip(encodeEvent({ data: "" })).events).toEqual([{ type: "message", event: "message", data: "", lastEventId: "" }]);
  });

  it("keeps leading spaces and colons in values", () => {
    const r = roundTrip(encodeEvent({ data: " two\n  lines: yes", event: " e", id: " 1" }));
    expect(r.events).toEqual([{ type: "message", event: " e", data: " two\n  lines: yes", lastEventId: " 1" }]);
  });

  it("writes an empty id (resets the client's ID)", () => {
    expect(formatEvent({ data: "x", id: "" })).toBe("id: \ndata: x\n\n");
    const parser = new SseParser({ lastEventId: "7" });
    parser.receiveData(encodeEvent({ data: "x", id: "" }));
    expect(parser.lastEventId).toBe("");
  });

  it("refuses CR or LF in event and id (no field injection)", () => {
    expect(() => encodeEvent({ data: "x", event: "a\ndata: injected" })).toThrow(TypeError);
    expect(() => encodeEvent({ data: "x", event: "a\r" })).toThrow(TypeError);
    expect(() => encodeEvent({ data: "x", id: "1\nevent: evil" })).toThrow(TypeError);
    expect(() => encodeEvent({ data: "x", id: "1\r\n" })).toThrow(TypeError);
  });

  it("refuses NUL in id (the client would ignore it)", () => {
    expect(() => encodeEvent({ data: "x", id: "a\0b" })).toThrow(TypeError);
  });

  it("refuses a retry that is not a non-negative integer", () => {
    for (const bad of [-1, 1.5, NaN, Infinity]) {
      expect(() => encodeEvent({ data: "x", retry: bad })).toThrow(TypeError);
      expect(() => encodeRetry(bad)).toThrow(TypeError);
    }
  });

  it("data with newlines cannot inject fields", () => {
    const r = roundTrip(encodeEvent({ data: "a\nid: 666\nevent: evil\n\ndata: b" }));
    expect(r.events).toEqual([{ type: "message", event: "message", data: "a\nid: 666\nevent: evil\n\ndata: b", lastEventId: "" }]);
    expect(r.lastEventId).toBe("");
  });

  it("writes comments and pings as comment lines the parser ignores", () => {
    expect(text(encodeComment())).toBe(":\n");
    expect(text(encodeComment("keep\nalive"))).toBe(": keep\n: alive\n");
    expect(roundTrip(encodeComment("x")).events).toEqual([]);
  });

  it("writes a retry preamble without dispatching", () => {
    expect(text(encodeRetry(5000))).toBe("retry: 5000\n");
    expect(roundTrip(encodeRetry(5000)).events).toEqual([{ type: "retry", retry: 5000 }]);
  });

  it("encodes UTF-8", () => {
    expect(Array.from(encodeEvent({ data: "é" }))).toEqual([...new TextEncoder().encode("data: "), 0xc3, 0xa9, 10, 10]);
  });
});
