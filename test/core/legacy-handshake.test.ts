/**
 * hixie-75/76 server handshakes, byte for byte against the drafts' own
 * examples (draft-hixie-thewebsocketprotocol-75 section 1.2/4.2, -76
 * section 1.3 and 5.2), MD5 against RFC 1321's test suite, and hybi-08
 * acceptance on the RFC 6455 path.
 */
import { describe, it, expect } from "../harness.ts";
import { WebSocketError } from "../../src/core/shared/errors.ts";
import { md5 } from "../../src/core/shared/md5.ts";
import { parseRequestHead, type HttpRequestHead } from "../../src/core/http/head-parser.ts";
import { validateClientRequest } from "../../src/core/websocket/handshake/server.ts";
import {
  createLegacyResponse, legacyChallenge, legacyDraftOf, parseLegacyKey, validateLegacyRequest,
} from "../../src/core/websocket/legacy/handshake.ts";

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function request(head: string): HttpRequestHead {
  const parsed = parseRequestHead(head);
  if (parsed instanceof WebSocketError) throw parsed;
  return parsed;
}

// -76 section 1.3, the client's handshake, byte for byte (key3 follows the head).
const DRAFT76_REQUEST =
  "GET /demo HTTP/1.1\r\n" +
  "Host: example.com\r\n" +
  "Connection: Upgrade\r\n" +
  "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n" +
  "Sec-WebSocket-Protocol: sample\r\n" +
  "Upgrade: WebSocket\r\n" +
  "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n" +
  "Origin: http://example.com\r\n" +
  "\r\n";
const DRAFT76_KEY3 = "^n:ds[4U";
const DRAFT76_RESPONSE =
  "HTTP/1.1 101 WebSocket Protocol Handshake\r\n" +
  "Upgrade: WebSocket\r\n" +
  "Connection: Upgrade\r\n" +
  "Sec-WebSocket-Origin: http://example.com\r\n" +
  "Sec-WebSocket-Location: ws://example.com/demo\r\n" +
  "Sec-WebSocket-Protocol: sample\r\n" +
  "\r\n";
const DRAFT76_CHALLENGE = "8jKS'y:G*Co,Wxa-";

// -75 section 1.2 (client) and 1.2/4.2 (server).
const DRAFT75_REQUEST =
  "GET /demo HTTP/1.1\r\n" +
  "Upgrade: WebSocket\r\n" +
  "Connection: Upgrade\r\n" +
  "Host: example.com\r\n" +
  "Origin: http://example.com\r\n" +
  "WebSocket-Protocol: sample\r\n" +
  "\r\n";
const DRAFT75_RESPONSE =
  "HTTP/1.1 101 Web Socket Protocol Handshake\r\n" +
  "Upgrade: WebSocket\r\n" +
  "Connection: Upgrade\r\n" +
  "WebSocket-Origin: http://example.com\r\n" +
  "WebSocket-Location: ws://example.com/demo\r\n" +
  "WebSocket-Protocol: sample\r\n" +
  "\r\n";

describe("md5 (RFC 1321 appendix A.5)", () => {
  it("hashes the test suite", () => {
    const suite: Array<[string, string]> = [
      ["", "d41d8cd98f00b204e9800998ecf8427e"],
      ["a", "0cc175b9c0f1b6a831c399e269772661"],
      ["abc", "900150983cd24fb0d6963f7d28e17f72"],
      ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
      ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
      ["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"],
      ["1234567890".repeat(8), "57edf4a22be3c955ac49da2e2107b67a"],
    ];
    for (const [input, digest] of suite) expect(hex(md5(ascii(input)))).toBe(digest);
  });

  it("pads correctly around the 64-byte block boundaries", () => {
    const expected: Record<number, string> = {
      55: "ef1772b6dff9a122358552954ad0df65",
      56: "3b0c8ac703f828b04c6c197006d17218",
      63: "b06521f39153d618550606be297466d5",
      64: "014842d480b571495a4a0363793f7367",
      65: "c743a45e0d2e6a95cb859adae0248435",
      1000: "cabe45dcc9ae5b66ba86600cca6b8ba8",
    };
    for (const [n, digest] of Object.entries(expected)) {
      expect(hex(md5(new Uint8Array(Number(n)).fill(0x61)))).toBe(digest);
    }
  });
});

describe("hixie-76 handshake (draft-hixie-thewebsocketprotocol-76)", () => {
  it("reads the keys of the spec's examples (section 5.2 steps 4-8)", () => {
    // 4146546015 / 5 spaces and 1299853100 / 5 spaces.
    expect(parseLegacyKey("4 @1  46546xW%0l 1 5")).toBe(829309203);
    expect(parseLegacyKey("12998 5 Y3 1  .P00")).toBe(259970620);
  });

  it("refuses keys without spaces, with a remainder, past 32 bits or with too many digits", () => {
    expect(parseLegacyKey("12345")).toBeNull();
    expect(parseLegacyKey("1 3 ")).toBeNull(); // 13 over 2 spaces leaves a remainder
    expect(parseLegacyKey("1 2")).toBe(12);
    expect(parseLegacyKey("8589934590 ")).toBeNull(); // 2^33 - 2 over 1 space
    expect(parseLegacyKey(" " + "1".repeat(16))).toBeNull();
    expect(parseLegacyKey("  ")).toBeNull();
    expect(parseLegacyKey(undefined)).toBeNull();
    expect(parseLegacyKey("0 ")).toBe(0);
  });

  it("answers the spec's example challenge: 8jKS'y:G*Co,Wxa- (section 1.3)", () => {
    const checked = validateLegacyRequest(request(DRAFT76_REQUEST));
    if (!checked.ok) throw checked.error;
    expect(checked.draft).toBe("hixie-76");
    expect(checked.keys).toEqual({ key1: 829309203, key2: 259970620 });
    expect(latin1(legacyChallenge(checked.keys!, ascii(DRAFT76_KEY3)))).toBe(DRAFT76_CHALLENGE);
  });

  it("answers the second example of the draft: fQJ,fN/4F4!~K~MH", () => {
    const key1 = parseLegacyKey("18x 6]8vM;54 *(5:  {   U1]8  z [  8")!;
    const key2 = parseLegacyKey("1_ tx7X d  <  nw  334J702) 7]o}` 0")!;
    expect(latin1(legacyChallenge({ key1, key2 }, ascii("Tm[K T2u")))).toBe("fQJ,fN/4F4!~K~MH");
  });

  it("writes the spec's response head byte for byte", () => {
    const checked = validateLegacyRequest(request(DRAFT76_REQUEST));
    if (!checked.ok) throw checked.error;
    expect(checked.origin).toBe("http://example.com");
    expect(checked.protocols).toEqual(["sample"]);
    const head = createLegacyResponse({ draft: "hixie-76", location: "ws://example.com/demo", origin: checked.origin, protocol: "sample" });
    expect(head).toBe(DRAFT76_RESPONSE);
  });

  it("refuses bad keys, a missing key, methods and versions", () => {
    const bad = DRAFT76_REQUEST.replace("Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5", "Sec-WebSocket-Key1: 4@14654");
    expect(validateLegacyRequest(request(bad))).toEqual({
      ok: false, status: 400, reason: "Invalid Sec-WebSocket-Key1 header", headers: [],
      error: new WebSocketError("WS_ERR_HANDSHAKE", "Invalid Sec-WebSocket-Key1 header"),
    });
    const missing = DRAFT76_REQUEST.replace("Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n", "");
    expect((validateLegacyRequest(request(missing)) as { reason: string }).reason).toBe("Invalid Sec-WebSocket-Key2 header");
    const post = DRAFT76_REQUEST.replace("GET", "POST");
    expect((validateLegacyRequest(request(post)) as { status: number }).status).toBe(405);
    const http10 = DRAFT76_REQUEST.replace("HTTP/1.1", "HTTP/1.0");
    expect((validateLegacyRequest(request(http10)) as { reason: string }).reason).toBe("Invalid HTTP version");
    const twice = DRAFT76_REQUEST.replace("Origin:", "Sec-WebSocket-Key1: 1 2\r\nOrigin:");
    expect((validateLegacyRequest(request(twice)) as { reason: string }).reason).toBe("The Sec-WebSocket-Key1 header appears more than once");
  });

  it("refuses header injection through the response fields", () => {
    expect(() => createLegacyResponse({ draft: "hixie-76", location: "ws://x/\r\nEvil: 1" })).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    expect(() => createLegacyResponse({ draft: "hixie-76", location: "ws://x/", headers: { "Sec-WebSocket-Location": "ws://y/" } }))
      .toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    expect(() => legacyChallenge({ key1: 1, key2: 2 }, new Uint8Array(7))).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
  });
});

describe("hixie-75 handshake (draft-hixie-thewebsocketprotocol-75)", () => {
  it("writes the spec's response head byte for byte", () => {
    const checked = validateLegacyRequest(request(DRAFT75_REQUEST));
    if (!checked.ok) throw checked.error;
    expect(checked.draft).toBe("hixie-75");
    expect(checked.keys).toBeUndefined();
    expect(checked.protocols).toEqual(["sample"]);
    const head = createLegacyResponse({ draft: "hixie-75", location: "ws://example.com/demo", origin: checked.origin, protocol: "sample" });
    expect(head).toBe(DRAFT75_RESPONSE);
  });

  it("leaves out the origin and protocol when there are none, and appends extra headers", () => {
    expect(createLegacyResponse({ draft: "hixie-75", location: "ws://h/", headers: { "X-A": "1" } })).toBe(
      "HTTP/1.1 101 Web Socket Protocol Handshake\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n" +
      "WebSocket-Location: ws://h/\r\nX-A: 1\r\n\r\n",
    );
  });

  it("refuses a request that is not an upgrade", () => {
    const noUpgrade = DRAFT75_REQUEST.replace("Upgrade: WebSocket\r\n", "");
    expect((validateLegacyRequest(request(noUpgrade)) as { reason: string }).reason).toBe("Invalid Upgrade header");
    const noHost = DRAFT75_REQUEST.replace("Host: example.com\r\n", "");
    expect((validateLegacyRequest(request(noHost)) as { reason: string }).reason).toBe("Missing Host header");
  });
});

describe("telling drafts from RFC 6455", () => {
  it("sees -76 by its keys, -75 by the absence of any key or version, and hybi by either", () => {
    expect(legacyDraftOf(request(DRAFT76_REQUEST))).toBe("hixie-76");
    expect(legacyDraftOf(request(DRAFT75_REQUEST))).toBe("hixie-75");
    expect(legacyDraftOf(request(DRAFT75_REQUEST.replace("\r\n\r\n", "\r\nSec-WebSocket-Version: 13\r\n\r\n")))).toBeNull();
    expect(legacyDraftOf(request(DRAFT75_REQUEST.replace("\r\n\r\n", "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")))).toBeNull();
  });

  it("the RFC 6455 check still answers a draft with 426 (what a server without allowDrafts says)", () => {
    const checked = validateClientRequest(request(DRAFT76_REQUEST));
    expect(checked.ok).toBe(false);
    expect((checked as { status: number }).status).toBe(426);
  });
});

describe("hybi-08 on the server (opt-in)", () => {
  const hybi = (version: string) => request(
    "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Origin: http://example.com\r\n" +
    `Sec-WebSocket-Version: ${version}\r\n\r\n`,
  );

  it("is refused with 426 by default, and accepted with versions [13, 8]", () => {
    const refused = validateClientRequest(hybi("8"));
    expect(refused.ok).toBe(false);
    expect((refused as { headers: unknown }).headers).toEqual([["Sec-WebSocket-Version", "13"]]);
    const accepted = validateClientRequest(hybi("8"), { versions: [13, 8] });
    if (!accepted.ok) throw accepted.error;
    expect(accepted.version).toBe(8);
    expect(accepted.origin).toBe("http://example.com");
    expect((validateClientRequest(hybi("13"), { versions: [13, 8] }) as { version: number }).version).toBe(13);
  });

  it("lists every accepted version in the 426 (RFC 6455 section 4.4)", () => {
    const refused = validateClientRequest(hybi("7"), { versions: [13, 8] });
    expect((refused as { headers: unknown }).headers).toEqual([["Sec-WebSocket-Version", "13, 8"]]);
  });
});
