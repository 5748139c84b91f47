/**
 * The SSE parser against the WHATWG event stream interpretation rules (HTML
 * 9.2.6), the spec's own examples and the WPT eventsource/format-* inputs,
 * written out as bytes. Every case runs in every chunking: whole, one byte
 * at a time, every split into two, and seeded random chunkings.
 */
import { describe, expect, it } from "../harness.ts";
import { DEFAULT_MAX_EVENT_SIZE, SseError, SseParser, type SseParserEvent, type SseParserOptions } from "../../src/core/sse/parser.ts";

const enc = new TextEncoder();

/** Bytes from text (UTF-8) and raw byte arrays. */
function bytes(...parts: (string | number[])[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === "string" ? enc.encode(p) : Uint8Array.from(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

interface Result {
  events: SseParserEvent[];
  lastEventId: string;
}

function parseChunks(chunks: Uint8Array[], options?: SseParserOptions, eof = true): Result {
  const parser = new SseParser(options);
  const events: SseParserEvent[] = [];
  for (const chunk of chunks) {
    parser.receiveData(chunk);
    events.push(...parser.eventsReceived());
  }
  if (eof) parser.receiveEof();
  events.push(...parser.eventsReceived());
  return { events, lastEventId: parser.lastEventId };
}

// A small deterministic PRNG so random chunkings are reproducible.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function chunkings(input: Uint8Array): Uint8Array[][] {
  const all: Uint8Array[][] = [[input], Array.from(input, (b) => Uint8Array.of(b))];
  for (let i = 1; i < input.length; i++) all.push([input.subarray(0, i), input.subarray(i)]);
  const random = rng(input.length);
  for (let n = 0; n < 8; n++) {
    const parts: Uint8Array[] = [];
    for (let at = 0; at < input.length; ) {
      const size = Math.min(input.length - at, 1 + Math.floor(random() * 7));
      parts.push(input.subarray(at, at + size));
      if (random() < 0.2) parts.push(new Uint8Array(0)); // empty reads happen too
      at += size;
    }
    all.push(parts);
  }
  return all;
}

/** Parse in every chunking; all must agree. Returns the one result. */
function parse(input: Uint8Array, options?: SseParserOptions): Result {
  const [first, ...rest] = chunkings(input).map((c) => parseChunks(c, options));
  for (const other of rest) expect(other).toEqual(first);
  return first!;
}

const msg = (data: string, event = "message", lastEventId = ""): SseParserEvent => ({ type: "message", event, data, lastEventId });
const datas = (r: Result) => r.events.filter((e) => e.type === "message").map((e) => (e as { data: string }).data);

describe("SSE parser: WHATWG examples (HTML 9.2.5)", () => {
  it("joins data lines with LF (stock ticker example)", () => {
    expect(parse(bytes("data: YHOO\ndata: +2\ndata: 10\n\n")).events).toEqual([msg("YHOO\n+2\n10")]);
  });

  it("comment, ids, and an id field with no value resetting the ID", () => {
    const r = parse(bytes(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n"));
    expect(r.events).toEqual([msg("first event", "message", "1"), msg("second event"), msg(" third event")]);
    expect(r.lastEventId).toBe("");
  });

  it("empty data lines: one empty event, one LF event, an unfinished one discarded", () => {
    expect(parse(bytes("data\n\ndata\ndata\n\ndata:")).events).toEqual([msg(""), msg("\n")]);
  });

  it("one optional space after the colon", () => {
    expect(parse(bytes("data:test\n\ndata: test\n\n")).events).toEqual([msg("test"), msg("test")]);
  });
});

describe("SSE parser: WPT eventsource/format-* inputs", () => {
  it("format-bom: strips only a leading BOM", () => {
    expect(datas(parse(bytes("\uFEFFdata:1\n\n\uFEFFdata:2\n\ndata:3\n\n")))).toEqual(["1", "3"]);
  });

  it("format-bom-2: a second BOM is part of the field name", () => {
    expect(datas(parse(bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], "data:1\n\ndata:2\n\ndata:3\n\n")))).toEqual(["2", "3"]);
  });

  it("format-comments", () => {
    const long = "x".repeat(2049);
    const input = bytes(`data:1\r:\0\n:\r\ndata:2\n:${long}\rdata:3\n:data:fail\r:${long}\ndata:4\n\n`);
    expect(parse(input).events).toEqual([msg("1\n2\n3\n4")]);
  });

  it("format-data-before-final-empty-line: an unterminated event is not dispatched", () => {
    const r = parse(bytes("retry:1000\ndata:test1\n\nid:test\ndata:test2"));
    expect(r.events).toEqual([{ type: "retry", retry: 1000 }, msg("test1")]);
    expect(r.lastEventId).toBe("");
  });

  it("format-field-data", () => {
    expect(datas(parse(bytes("data:\n\ndata\ndata\n\ndata:test\n\n")))).toEqual(["", "\n", "test"]);
  });

  it("format-field-event and format-field-event-empty", () => {
    expect(parse(bytes("event:test\ndata:x\n\ndata:x\n\n")).events).toEqual([msg("x", "test"), msg("x")]);
    expect(parse(bytes("event: \ndata:data\n\n")).events).toEqual([msg("data")]);
  });

  it("format-field-id: the ID persists until set again", () => {
    const r = parse(bytes("id: 1\ndata: 1\n\ndata: 2\n\nid: 2\ndata:3\n\ndata:4\n\n"));
    expect(r.events).toEqual([msg("1", "message", "1"), msg("2", "message", "1"), msg("3", "message", "2"), msg("4", "message", "2")]);
    expect(r.lastEventId).toBe("2");
  });

  it("format-field-id-null: an id with NUL is ignored", () => {
    const r = parse(bytes("id:1\ndata:a\n\nid:a\0b\ndata:b\n\nid:\0\ndata:c\n\n"));
    expect(r.events).toEqual([msg("a", "message", "1"), msg("b", "message", "1"), msg("c", "message", "1")]);
  });

  it("format-field-parsing", () => {
    const input = bytes("data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n\n");
    expect(parse(input).events).toEqual([msg("\0\n 2\n1\n3\n\n4")]);
  });

  it("format-field-retry: leading zeros are digits", () => {
    expect(parse(bytes("retry:03000\ndata:x\n\n")).events).toEqual([{ type: "retry", retry: 3000 }, msg("x")]);
  });

  it("format-field-retry-bogus and -empty: ignored", () => {
    expect(parse(bytes("retry:3000\nretry:1000x\ndata:x\n\n")).events).toEqual([{ type: "retry", retry: 3000 }, msg("x")]);
    expect(parse(bytes("retry\ndata:test\n\n")).events).toEqual([msg("test")]);
    expect(parse(bytes("retry:\ndata:test\n\n")).events).toEqual([msg("test")]);
  });

  it("format-field-unknown", () => {
    expect(parse(bytes("data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\n\n")).events).toEqual([
      msg("test\n\ntest"),
    ]);
  });

  it("format-leading-space: only one space is removed, a tab stays", () => {
    expect(parse(bytes("data:\ttest\rdata: \ndata:test\n\n")).events).toEqual([msg("\ttest\n\ntest")]);
  });

  it("format-newlines: CRLF, LF and CR all end lines", () => {
    expect(parse(bytes("data:test\r\ndata\ndata:test\r\n\r")).events).toEqual([msg("test\n\ntest")]);
  });

  it("format-null-character and format-utf-8", () => {
    expect(parse(bytes("data:\0\n\n\n\n")).events).toEqual([msg("\0")]);
    expect(parse(bytes("data:ok…\n\n")).events).toEqual([msg("ok…")]);
  });
});

describe("SSE parser: edge rules", () => {
  it("a CRLF split across chunks is one line end", () => {
    const r = parseChunks([bytes("data:a\r"), bytes("\ndata:b\r"), bytes("\n\r"), bytes("\n")]);
    expect(r.events).toEqual([msg("a\nb")]);
  });

  it("CR CR is two line ends, LF CR too", () => {
    expect(parse(bytes("data:a\r\rdata:b\n\rdata:c\r\n\r\n")).events).toEqual([msg("a"), msg("b"), msg("c")]);
  });

  it("UTF-8 split across chunks (2, 3 and 4 byte sequences)", () => {
    expect(parse(bytes("data:é€😀\nevent:ü\n\n")).events).toEqual([msg("é€😀", "ü")]);
  });

  it("invalid UTF-8 becomes U+FFFD, also before a line end", () => {
    const r = parse(bytes("data:a", [0xff], "b", [0xe2, 0x82], "\ndata:", [0xf0, 0x9f], "\n\n"));
    expect(r.events).toEqual([msg("a\uFFFDb\uFFFD\n\uFFFD")]);
  });

  it("a BOM split across chunks is stripped; one alone is not an event", () => {
    expect(parse(bytes([0xef, 0xbb, 0xbf], "data:x\n\n")).events).toEqual([msg("x")]);
    expect(parse(bytes([0xef, 0xbb, 0xbf], "\n")).events).toEqual([]);
  });

  it("a field without a colon has an empty value", () => {
    expect(parse(bytes("event\ndata\n\n")).events).toEqual([msg("")]);
    expect(parse(bytes("id\n\n"), { lastEventId: "5" }).lastEventId).toBe("");
  });

  it("the value is everything after the first colon", () => {
    expect(parse(bytes("data: a:b: c\nevent::x\n\n")).events).toEqual([msg("a:b: c", ":x")]);
  });

  it("field names are case-sensitive", () => {
    expect(parse(bytes("DATA:x\nEvent:y\nID:z\ndata:ok\n\n")).events).toEqual([msg("ok")]);
  });

  it("empty data dispatches nothing and resets the event type", () => {
    const r = parse(bytes("event:foo\n\ndata:x\n\n"));
    expect(r.events).toEqual([msg("x")]);
  });

  it("an id-only block sets the last event ID without an event", () => {
    const r = parse(bytes("id:7\n\n"));
    expect(r.events).toEqual([]);
    expect(r.lastEventId).toBe("7");
  });

  it("an id takes effect only when the event is dispatched", () => {
    const r = parse(bytes("id:1\ndata:a\n\nid:2\ndata:b"));
    expect(r.events).toEqual([msg("a", "message", "1")]);
    expect(r.lastEventId).toBe("1");
  });

  it("retry accepts only ASCII digits", () => {
    for (const bad of ["12a", "-1", "1.5", "+5", "  5", "1e3", "\u0661\u0662", "0x10", "5 "]) {
      expect(parse(bytes(`retry:${bad}\n\n`)).events).toEqual([]);
    }
    expect(parse(bytes("retry: 0\n")).events).toEqual([{ type: "retry", retry: 0 }]);
    expect(parse(bytes("retry:4294967296\n")).events).toEqual([{ type: "retry", retry: 4294967296 }]);
  });

  it("retry takes effect at its line end, without a blank line", () => {
    expect(parseChunks([bytes("retry: 250\n")], undefined, false).events).toEqual([{ type: "retry", retry: 250 }]);
  });

  it("the initial last event ID carries into events without an id", () => {
    const r = parse(bytes("data:a\n\nid:9\ndata:b\n\n"), { lastEventId: "8" });
    expect(r.events).toEqual([msg("a", "message", "8"), msg("b", "message", "9")]);
  });

  it("EOF discards a pending line and event", () => {
    const parser = new SseParser();
    parser.receiveData(bytes("data:a\n"));
    parser.receiveEof();
    parser.receiveData(bytes("\n"));
    expect(parser.eventsReceived()).toEqual([]);
  });

  it("a long line split across many chunks", () => {
    const long = "ab€".repeat(5000);
    const input = bytes(`data:${long}\n\n`);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < input.length; i += 7) parts.push(input.subarray(i, i + 7));
    expect(parseChunks(parts).events).toEqual([msg(long)]);
  });
});

describe("SSE parser: maxEventSize", () => {
  it("defaults to 2^26 - 1", () => {
    expect(DEFAULT_MAX_EVENT_SIZE).toBe(2 ** 26 - 1);
  });

  it("accepts an event of exactly the limit", () => {
    // "data:" (5) + 11 = 16 bytes of field lines.
    expect(parse(bytes(`data:${"x".repeat(11)}\n\n`), { maxEventSize: 16 }).events).toEqual([msg("x".repeat(11))]);
  });

  it("fails on a line longer than the limit, in any chunking", () => {
    for (const chunks of chunkings(bytes(`data:${"x".repeat(12)}\n\ndata:after\n\n`))) {
      const r = parseChunks(chunks, { maxEventSize: 16 });
      expect(r.events).toHaveLength(1);
      const ev = r.events[0]!;
      expect(ev.type).toBe("error");
      if (ev.type === "error") {
        expect(ev.error).toBeInstanceOf(SseError);
        expect(ev.error.code).toBe("SSE_ERR_EVENT_TOO_LARGE");
      }
    }
  });

  it("fails on many short lines of one event, not on many events", () => {
    const many = parse(bytes("data:abc\n\n".repeat(50)), { maxEventSize: 16 });
    expect(many.events).toHaveLength(50);
    const one = parseChunks([bytes("data:abc\n".repeat(5) + "\n")], { maxEventSize: 16 });
    expect(one.events.map((e) => e.type)).toEqual(["error"]);
  });

  it("comment lines between events do not add up", () => {
    expect(parse(bytes(":ping\n".repeat(20) + "data:x\n\n"), { maxEventSize: 16 }).events).toEqual([msg("x")]);
  });
});
