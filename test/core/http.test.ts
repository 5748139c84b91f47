import { describe, it, expect } from "../harness.ts";
import { WebSocketError } from "../../src/core/shared/errors.ts";
import { DEFAULT_HTTP_LIMITS, HttpHeadParser, parseRequestHead, parseResponseHead, type HttpRequestHead } from "../../src/core/http/head-parser.ts";
import { findDuplicateHeader, HttpHeaders } from "../../src/core/http/headers.ts";
import { hasToken, splitList } from "../../src/core/http/tokens.ts";
import { encodeLatin1, serializeRequestHead, serializeResponseHead } from "../../src/core/http/serializer.ts";
import { RFC_REQUEST } from "./support/rfc6455-example.ts";

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** The code of a returned WebSocketError. */
function codeOf(result: unknown): string {
  expect(result).toBeInstanceOf(WebSocketError);
  return (result as WebSocketError).code;
}

function summary(head: HttpRequestHead) {
  return { method: head.method, target: head.target, version: head.version, headers: head.headers.raw };
}

describe("HttpHeadParser: requests", () => {
  it("parses the RFC 6455 section 1.2 request", () => {
    const head = parseRequestHead(RFC_REQUEST) as HttpRequestHead;
    expect(head.kind).toBe("request");
    expect(head.method).toBe("GET");
    expect(head.target).toBe("/chat");
    expect(head.version).toBe("1.1");
    expect(head.versionMajor).toBe(1);
    expect(head.versionMinor).toBe(1);
    expect(head.headers.get("host")).toBe("server.example.com");
    expect(head.headers.get("SEC-WEBSOCKET-KEY")).toBe("dGhlIHNhbXBsZSBub25jZQ==");
    expect(head.headers.get("Sec-WebSocket-Extensions")).toBeUndefined();
    expect(head.headers.size).toBe(7);
    expect(head.headers.raw[0]).toEqual(["Host", "server.example.com"]);
    expect(head.headers.raw[6]).toEqual(["Sec-WebSocket-Version", "13"]);
  });

  it("parses the same head at every split point, returning the bytes after it", () => {
    const frame = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
    const input = Uint8Array.of(...bytes(RFC_REQUEST), ...frame);
    const whole = parseRequestHead(RFC_REQUEST) as HttpRequestHead;
    for (let split = 0; split <= input.length; split++) {
      const parser = new HttpHeadParser("request");
      let result = parser.feed(input.subarray(0, split));
      let rest = input.subarray(split); // bytes the parser has not seen stay with the caller
      if (result.status === "incomplete") {
        expect(split).toBeLessThan(RFC_REQUEST.length);
        result = parser.feed(input.subarray(split));
        rest = new Uint8Array(0);
      }
      expect(result.status).toBe("complete");
      if (result.status !== "complete") return;
      expect(summary(result.head)).toEqual(summary(whole));
      expect(Uint8Array.of(...result.rest, ...rest)).toEqual(Uint8Array.from(frame));
    }
  });

  it("parses one byte at a time", () => {
    const parser = new HttpHeadParser("request");
    const input = bytes(RFC_REQUEST + "xy");
    let result = parser.feed(input.subarray(0, 1));
    for (let i = 1; result.status === "incomplete"; i++) result = parser.feed(input.subarray(i, i + 1));
    expect(result.status).toBe("complete");
    if (result.status === "complete") {
      expect(result.rest).toEqual(new Uint8Array(0));
      expect(result.head.headers.get("Origin")).toBe("http://example.com");
    }
  });

  it("tolerates bare LF line ends and empty lines before the request line", () => {
    const head = parseRequestHead("\r\n\nGET / HTTP/1.1\nHost: a\r\nX: 1\n\n") as HttpRequestHead;
    expect(head.target).toBe("/");
    expect(head.headers.raw).toEqual([["Host", "a"], ["X", "1"]]);
  });

  it("trims OWS around values and keeps inner spaces, empty values and obs-text", () => {
    const head = parseRequestHead("GET / HTTP/1.1\r\nA: \t x  y \t\r\nB:\r\nC: caf\xe9\r\n\r\n") as HttpRequestHead;
    expect(head.headers.get("a")).toBe("x  y");
    expect(head.headers.get("b")).toBe("");
    expect(head.headers.get("c")).toBe("caf\xe9");
  });

  it("keeps every line of a repeated header, in order", () => {
    const head = parseRequestHead(
      "GET / HTTP/1.1\r\nSec-WebSocket-Protocol: a\r\nHost: h\r\nsec-websocket-protocol: b, c\r\n\r\n",
    ) as HttpRequestHead;
    expect(head.headers.get("Sec-WebSocket-Protocol")).toBe("a, b, c");
    expect(head.headers.getAll("SEC-websocket-protocol")).toEqual(["a", "b, c"]);
    expect(head.headers.count("sec-websocket-protocol")).toBe(2);
    expect(head.headers.has("host")).toBe(true);
    expect([...head.headers].map(([n]) => n)).toEqual(["Sec-WebSocket-Protocol", "Host", "sec-websocket-protocol"]);
  });

  it("accepts other methods, absolute targets and HTTP/1.0 (the handshake judges them)", () => {
    const head = parseRequestHead("POST http://a.example/x?y=1 HTTP/1.0\r\n\r\n") as HttpRequestHead;
    expect([head.method, head.target, head.version]).toEqual(["POST", "http://a.example/x?y=1", "1.0"]);
  });

  it("rejects malformed request lines", () => {
    const lines = [
      "GET /", "GET  / HTTP/1.1", "GET / HTTP/1.1 ", "G(T / HTTP/1.1", " GET / HTTP/1.1", "GET / http/1.1",
      "GET / HTTP/11", "GET / HTTP/1.x", "GET / HTTP/1.1x", "GET /\x7f HTTP/1.1", "GET /\xe9 HTTP/1.1",
      "GET\t/ HTTP/1.1", "HTTP/1.1 101 Switching Protocols",
    ];
    for (const line of lines) expect(codeOf(parseRequestHead(`${line}\r\nHost: a\r\n\r\n`))).toBe("WS_ERR_HTTP_PARSE");
  });

  it("rejects malformed header lines", () => {
    const fields = [
      " folded: x", // obs-fold at the first line
      "Host : a", // whitespace before the colon (RFC 7230 section 3.2.4)
      "Host", // no colon
      ": a", // empty name
      "Ho\"st: a", "Hö: a", // not a token
      "X: a\x01b", "X: a\x7fb", "X: a\x00b", // control characters
      "X: a\rb", // bare CR
    ];
    for (const field of fields) {
      expect(codeOf(parseRequestHead(`GET / HTTP/1.1\r\n${field}\r\n\r\n`))).toBe("WS_ERR_HTTP_PARSE");
    }
    // obs-fold continuing a real header
    expect(codeOf(parseRequestHead("GET / HTTP/1.1\r\nX: a\r\n  b\r\n\r\n"))).toBe("WS_ERR_HTTP_PARSE");
    expect(codeOf(parseRequestHead("GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n"))).toBe("WS_ERR_HTTP_PARSE");
  });

  it("reports an unfinished head from the whole-head helpers", () => {
    expect(codeOf(parseRequestHead("GET / HTTP/1.1\r\nHost: a\r\n"))).toBe("WS_ERR_HTTP_PARSE");
    expect(codeOf(parseRequestHead(""))).toBe("WS_ERR_HTTP_PARSE");
    expect(codeOf(parseRequestHead("GET / HTTP/1.1\r\nX: \u0100\r\n\r\n"))).toBe("WS_ERR_HTTP_PARSE");
  });

  it("stays failed after an error and refuses bytes after completion", () => {
    const failed = new HttpHeadParser("request");
    const first = failed.feed(bytes("BAD\r\n"));
    expect(first.status).toBe("error");
    expect(failed.feed(bytes("GET / HTTP/1.1\r\n\r\n"))).toEqual(first);

    const done = new HttpHeadParser("request");
    expect(done.feed(bytes("GET / HTTP/1.1\r\n\r\n")).status).toBe("complete");
    const again = done.feed(bytes("x"));
    expect(again.status).toBe("error");
    if (again.status === "error") expect(again.error.code).toBe("WS_ERR_INVALID_STATE");
  });
});

describe("HttpHeadParser: responses", () => {
  it("parses a 101 response", () => {
    const head = parseResponseHead(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
    );
    if (head instanceof WebSocketError) throw head;
    expect([head.kind, head.version, head.status, head.reason]).toEqual(["response", "1.1", 101, "Switching Protocols"]);
    expect(head.headers.get("upgrade")).toBe("websocket");
  });

  it("accepts an empty reason, with or without the space, and obs-text in it", () => {
    for (const line of ["HTTP/1.1 404", "HTTP/1.1 404 "]) {
      const head = parseResponseHead(`${line}\r\n\r\n`);
      if (head instanceof WebSocketError) throw head;
      expect([head.status, head.reason]).toEqual([404, ""]);
    }
    const head = parseResponseHead("HTTP/1.0 200 Tr\xe8s bien\r\n\r\n");
    if (head instanceof WebSocketError) throw head;
    expect([head.status, head.reason, head.version]).toEqual([200, "Tr\xe8s bien", "1.0"]);
  });

  it("rejects malformed status lines", () => {
    const lines = ["HTTP/1.1 1O1 x", "HTTP/1.1 10", "HTTP/1.1 1010 x", "HTTP/1.1  101 x", "HTTP/1.1", "http/1.1 101 x",
      "HTTP/1.1 101 a\x01b", "GET / HTTP/1.1"];
    for (const line of lines) expect(codeOf(parseResponseHead(`${line}\r\n\r\n`))).toBe("WS_ERR_HTTP_PARSE");
  });
});

describe("HttpHeadParser: limits", () => {
  it("has the documented defaults", () => {
    expect(DEFAULT_HTTP_LIMITS).toEqual({ maxLineLength: 8192, maxHeaders: 100, maxHeadSize: 65536 });
  });

  it("accepts a line of exactly the limit and rejects one byte more", () => {
    const value = (n: number) => "x".repeat(n - "X: ".length);
    expect(parseRequestHead(`GET / HTTP/1.1\r\nX: ${value(8192)}\r\n\r\n`)).not.toBeInstanceOf(WebSocketError);
    expect(codeOf(parseRequestHead(`GET / HTTP/1.1\r\nX: ${value(8193)}\r\n\r\n`))).toBe("WS_ERR_HTTP_LIMIT");
    expect(codeOf(parseRequestHead(`GET / HTTP/1.1\nX: ${value(8193)}\n\n`))).toBe("WS_ERR_HTTP_LIMIT");
    expect(codeOf(parseRequestHead(`GET /${"a".repeat(8192)} HTTP/1.1\r\n\r\n`))).toBe("WS_ERR_HTTP_LIMIT");
  });

  it("fails a long line before its end arrives", () => {
    const parser = new HttpHeadParser("request");
    expect(parser.feed(bytes("GET / HTTP/1.1\r\nX: ")).status).toBe("incomplete");
    const result = parser.feed(new Uint8Array(1 << 20).fill(0x61)); // 1 MiB, no LF
    expect(result.status).toBe("error");
    if (result.status === "error") expect(result.error.code).toBe("WS_ERR_HTTP_LIMIT");
  });

  it("fails a long line fed one byte at a time", () => {
    const parser = new HttpHeadParser("response", { maxLineLength: 16 });
    const input = bytes("HTTP/1.1 200 " + "a".repeat(100));
    let status = "incomplete";
    let fed = 0;
    while (status === "incomplete" && fed < input.length) status = parser.feed(input.subarray(fed, ++fed)).status;
    expect(status).toBe("error");
    expect(fed).toBe(18); // the limit, plus one byte that could have been a CR, plus one
  });

  it("counts header fields", () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `X-${i}: ${i}\r\n`).join("");
    expect(parseRequestHead(`GET / HTTP/1.1\r\n${fields(100)}\r\n`)).not.toBeInstanceOf(WebSocketError);
    expect(codeOf(parseRequestHead(`GET / HTTP/1.1\r\n${fields(101)}\r\n`))).toBe("WS_ERR_HTTP_LIMIT");
    expect(codeOf(parseRequestHead(`GET / HTTP/1.1\r\n${fields(3)}\r\n`, { maxHeaders: 2 }))).toBe("WS_ERR_HTTP_LIMIT");
  });

  it("limits the whole head, blank line included", () => {
    const line = `X: ${"v".repeat(1000)}\r\n`;
    const head = (n: number) => `GET / HTTP/1.1\r\n${line.repeat(n)}\r\n`;
    expect(codeOf(parseRequestHead(head(70), { maxHeaders: 1000 }))).toBe("WS_ERR_HTTP_LIMIT");
    const exact = head(3);
    expect(parseRequestHead(exact, { maxHeadSize: exact.length })).not.toBeInstanceOf(WebSocketError);
    expect(codeOf(parseRequestHead(exact, { maxHeadSize: exact.length - 1 }))).toBe("WS_ERR_HTTP_LIMIT");
  });

  it("counts empty lines before the start line towards the head size", () => {
    const parser = new HttpHeadParser("request", { maxHeadSize: 1024 });
    const result = parser.feed(bytes("\r\n".repeat(600)));
    expect(result.status).toBe("error");
  });
});

describe("findDuplicateHeader", () => {
  it("finds a duplicated critical header", () => {
    const headers = new HttpHeaders([["Host", "a"], ["sec-websocket-key", "k1"], ["Sec-WebSocket-Key", "k2"]]);
    expect(findDuplicateHeader(headers, ["Host", "Sec-WebSocket-Key"])).toBe("Sec-WebSocket-Key");
    expect(findDuplicateHeader(headers, ["Host", "Origin"])).toBeUndefined();
  });
});

describe("token lists (Connection, Upgrade)", () => {
  it("splits on commas, trims OWS and skips empty elements", () => {
    expect(splitList(" keep-alive ,, Upgrade\t,")).toEqual(["keep-alive", "Upgrade"]);
    expect(splitList(undefined)).toEqual([]);
    expect(splitList("")).toEqual([]);
  });

  it("finds a token case-insensitively, whole tokens only", () => {
    expect(hasToken("keep-alive, UPGRADE", "upgrade")).toBe(true);
    expect(hasToken("upgrade-insecure", "upgrade")).toBe(false);
    expect(hasToken(undefined, "upgrade")).toBe(false);
  });
});

describe("serializer", () => {
  it("writes a request head with CRLF line ends", () => {
    const head = serializeRequestHead({ method: "GET", target: "/chat", headers: [["Host", "a"], ["X", "1"]] });
    expect(head).toBe("GET /chat HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n");
  });

  it("writes a response head with the usual reason, from a record", () => {
    const head = serializeResponseHead({ status: 426, headers: { "Sec-WebSocket-Version": "13", "X-A": ["1", "2"] } });
    expect(head).toBe("HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nX-A: 1\r\nX-A: 2\r\n\r\n");
    expect(serializeResponseHead({ status: 599 })).toBe("HTTP/1.1 599 \r\n\r\n");
  });

  it("round-trips latin1 values through bytes", () => {
    const head = serializeResponseHead({ status: 200, reason: "OK", headers: [["X", "caf\xe9"]] });
    const parsed = parseResponseHead(encodeLatin1(head));
    if (parsed instanceof WebSocketError) throw parsed;
    expect(parsed.headers.get("x")).toBe("caf\xe9");
    expect(() => encodeLatin1("\u20ac")).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
  });

  it("refuses header injection and other invalid input", () => {
    const cases: Array<() => unknown> = [
      () => serializeRequestHead({ method: "GET", target: "/", headers: [["X", "a\r\nEvil: 1"]] }),
      () => serializeRequestHead({ method: "GET", target: "/", headers: [["X", "a\nb"]] }),
      () => serializeRequestHead({ method: "GET", target: "/", headers: [["X", "a\rb"]] }),
      () => serializeRequestHead({ method: "GET", target: "/", headers: [["X", "a\0b"]] }),
      () => serializeRequestHead({ method: "GET", target: "/", headers: [["X\r\nEvil", "1"]] }),
      () => serializeRequestHead({ method: "GET", target: "/", headers: [["X Y", "1"]] }),
      () => serializeRequestHead({ method: "GET", target: "/", headers: [["", "1"]] }),
      () => serializeRequestHead({ method: "GET", target: "/", headers: [["X", "\u20ac"]] }),
      () => serializeRequestHead({ method: "GET", target: "/", headers: { X: ["ok", "bad\n"] } }),
      () => serializeRequestHead({ method: "GET", target: "/ HTTP/1.1\r\nEvil: 1\r\n\r\nGET /" }),
      () => serializeRequestHead({ method: "G T", target: "/" }),
      () => serializeRequestHead({ method: "GET", target: "" }),
      () => serializeRequestHead({ method: "GET", target: "/", version: "1.1\r\n" }),
      () => serializeResponseHead({ status: 200, reason: "OK\r\nEvil: 1" }),
      () => serializeResponseHead({ status: 99 }),
      () => serializeResponseHead({ status: 200.5 }),
    ];
    for (const make of cases) expect(make).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
  });
});
