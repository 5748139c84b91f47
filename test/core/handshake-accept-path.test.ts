/**
 * The server handshake's per-connection shortcuts must answer exactly what
 * the general code they replace answers: the key check without decoding,
 * the token scan without splitting, and the 101 head written out directly.
 */
import { describe, expect, it } from "../harness.ts";
import { tryDecodeBase64, encodeBase64 } from "../../src/core/shared/base64.ts";
import { hasToken, splitList } from "../../src/core/http/tokens.ts";
import { serializeResponseHead } from "../../src/core/http/serializer.ts";
import { acceptKey } from "../../src/core/websocket/handshake/accept-key.ts";
import { createServerResponse, isWebSocketKey } from "../../src/core/websocket/handshake/server.ts";
import { HttpHeadParser } from "../../src/core/http/head-parser.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ .\u00e9\u212a";

function randomByte(): number {
  return crypto.getRandomValues(new Uint8Array(1))[0]!;
}

/** A 24-char key with one random char changed (or a random-length string now and then). */
function nearMiss(): string {
  const key = encodeBase64(crypto.getRandomValues(new Uint8Array(16)));
  if (randomByte() < 16) {
    const length = randomByte() % 30;
    return Array.from({ length }, () => ALPHABET[randomByte() % ALPHABET.length]).join("");
  }
  const at = randomByte() % 24;
  return key.slice(0, at) + ALPHABET[randomByte() % ALPHABET.length] + key.slice(at + 1);
}

/** The old, general check: hasToken over splitList, full Unicode lower-casing (ASCII-only input here). */
function splitHasToken(value: string | undefined, token: string): boolean {
  return splitList(value).some((item) => item.toLowerCase() === token.toLowerCase());
}

describe("server handshake shortcuts", () => {
  it("isWebSocketKey says what decoding to 16 bytes says, on keys and near misses", () => {
    for (let i = 0; i < 5000; i++) {
      const key = i % 2 ? encodeBase64(crypto.getRandomValues(new Uint8Array(16))) : nearMiss();
      expect(isWebSocketKey(key)).toBe(tryDecodeBase64(key)?.length === 16);
    }
    expect(isWebSocketKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe(true);
    expect(isWebSocketKey("dGhlIHNhbXBsZSBub25jZR==")).toBe(false); // non-zero pad bits (RFC 4648 section 3.5)
    expect(isWebSocketKey("dGhlIHNhbXBsZSBub25jZQ=")).toBe(false);
    expect(isWebSocketKey("dGhlIHNhbXBsZSBub25jZQ==\u0000")).toBe(false);
    expect(isWebSocketKey("AAAAAAAAAAAAAAAAAAAAAAAA")).toBe(false); // 18 bytes
  });

  it("hasToken finds a token in a list as splitList and lower-casing do", () => {
    const values = [
      "Upgrade", "upgrade", "keep-alive, Upgrade", "keep-alive,upgrade", " \tUPGRADE\t ", "upgrade2", "up grade", "",
      ",,upgrade,,", "keep-alive", "upgradeX, x", "websocket", "WebSocket, upgrade", "a,\t upgrade \t,b", "upgrad", ",",
    ];
    for (const value of values) {
      for (const token of ["upgrade", "Upgrade", "websocket", "a"]) {
        expect(hasToken(value, token)).toBe(splitHasToken(value, token));
      }
    }
    expect(hasToken(undefined, "upgrade")).toBe(false);
    expect(hasToken("a,,b", "")).toBe(false);
    // ASCII case only (RFC 7230 section 3.2.6): a Kelvin sign is no "k".
    expect(hasToken("websoc\u212aet", "websocket")).toBe(false);
  });

  it("writes the 101 head byte for byte as the head serializer does", () => {
    const cases: Array<Parameters<typeof createServerResponse>[0]> = [
      { key: "dGhlIHNhbXBsZSBub25jZQ==" },
      { key: "dGhlIHNhbXBsZSBub25jZQ==", protocol: "chat" },
      { key: "dGhlIHNhbXBsZSBub25jZQ==", extensionsHeader: "permessage-deflate; client_max_window_bits=15" },
      { key: "dGhlIHNhbXBsZSBub25jZQ==", protocol: "v2.chat", extensionsHeader: "x", headers: { "X-A": "1", "Set-Cookie": ["a=1", "b=2"] } },
      { key: "dGhlIHNhbXBsZSBub25jZQ==", headers: [["X-B", "two words"]] },
    ];
    for (const c of cases) {
      const fields: Array<[string, string]> = [["Upgrade", "websocket"], ["Connection", "Upgrade"], ["Sec-WebSocket-Accept", acceptKey(c.key)]];
      if (c.protocol) fields.push(["Sec-WebSocket-Protocol", c.protocol]);
      if (c.extensionsHeader) fields.push(["Sec-WebSocket-Extensions", c.extensionsHeader]);
      const extra = c.headers === undefined ? [] : Symbol.iterator in c.headers
        ? [...(c.headers as Iterable<[string, string]>)]
        : Object.entries(c.headers as Record<string, string | string[]>).flatMap(([n, v]) => (Array.isArray(v) ? v.map((x) => [n, x] as [string, string]) : [[n, v] as [string, string]]));
      const expected = serializeResponseHead({ status: 101, headers: [...fields, ...extra] });
      expect(createServerResponse(c)).toBe(expected);
    }
    expect(createServerResponse({ key: "dGhlIHNhbXBsZSBub25jZQ==" })).toBe(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
    );
  });

  it("still refuses a bad key, protocol or header in the 101", () => {
    expect(() => createServerResponse({ key: "short" })).toThrow();
    expect(() => createServerResponse({ key: "dGhlIHNhbXBsZSBub25jZQ==", protocol: "a b" })).toThrow();
    expect(() => createServerResponse({ key: "dGhlIHNhbXBsZSBub25jZQ==", extensionsHeader: "x\r\ny" })).toThrow();
    expect(() => createServerResponse({ key: "dGhlIHNhbXBsZSBub25jZQ==", headers: { Upgrade: "h2c" } })).toThrow();
    expect(() => createServerResponse({ key: "dGhlIHNhbXBsZSBub25jZQ==", headers: { "X-A": "1\r\nX-B: 2" } })).toThrow();
  });

  it("parses a head in random pieces as it parses it whole, lines in place or carried over", () => {
    const heads = [
      "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\nrest",
      "\r\nGET / HTTP/1.1\nHost: b\n\n",
      "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", // bare CR
      "GET / HTTP/1.1\r\nX: a\u0000b\r\n\r\n", // NUL
      "GET / HTTP/1.1\r\nX: " + "v".repeat(300) + "\r\n\r\n", // over the line limit below
      "GET / HTTP/1.1\r\n X: folded\r\n\r\n",
      "GET /\u00e9 HTTP/1.1\r\nX: caf\u00e9 \u00ef\u00bb\u00bf\u0080\u00ff\r\nY: ascii\r\n\r\n", // obs-text: latin1, one char per byte
    ];
    const limits = { maxLineLength: 200 };
    const summary = (r: ReturnType<HttpHeadParser<"request">["feed"]>, rest: number[]) =>
      r.status === "complete"
        ? JSON.stringify([r.head.method, r.head.target, [...r.head.headers], [...rest, ...r.rest]])
        : r.status === "error" ? `error ${r.error.code} ${r.error.message}` : "incomplete";
    for (const text of heads) {
      const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
      const whole = summary(new HttpHeadParser("request", limits).feed(bytes), []);
      for (let trial = 0; trial < 200; trial++) {
        const parser = new HttpHeadParser("request", limits);
        let at = 0;
        let result: ReturnType<typeof parser.feed> = { status: "incomplete" };
        while (at < bytes.length && result.status === "incomplete") {
          const size = 1 + (randomByte() % 12);
          result = parser.feed(bytes.subarray(at, at + size));
          at += size;
        }
        // Bytes past the fed pieces' head stay with the caller.
        const unread = result.status === "complete" ? [...bytes.subarray(at)] : [];
        expect(summary(result, []).replace(/,\[[^\[\]]*\]\]$/, "")).toBe(whole.replace(/,\[[^\[\]]*\]\]$/, ""));
        if (result.status === "complete") expect([...result.rest, ...unread]).toEqual([...bytes.subarray(bytes.length - (result.rest.length + unread.length))]);
      }
    }
  });

  it("reads header bytes as latin1, one char per byte, ASCII lines and others alike", () => {
    const text = "GET /x HTTP/1.1\r\nX: caf\u00e9 \u00ef\u00bb\u00bf\u0080\u00ff\r\n\u00ef\u00bb\u00bfY: 1\r\nZ: plain\r\n\r\n";
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    const result = new HttpHeadParser("request").feed(bytes);
    if (result.status === "complete") {
      expect(result.head.headers.get("x")).toBe("caf\u00e9 \u00ef\u00bb\u00bf\u0080\u00ff");
      expect(result.head.headers.get("z")).toBe("plain");
    } else {
      // A name with a byte outside tchar: refused as before.
      expect(result.status).toBe("error");
    }
    const ok = Uint8Array.from("GET /x HTTP/1.1\r\nX: caf\u00e9\u0080\r\nZ: plain\r\n\r\n", (c) => c.charCodeAt(0));
    const parsed = new HttpHeadParser("request").feed(ok);
    expect(parsed.status).toBe("complete");
    if (parsed.status === "complete") {
      expect(parsed.head.headers.get("x")).toBe("caf\u00e9\u0080");
      expect(parsed.head.headers.get("z")).toBe("plain");
    }
  });
});
