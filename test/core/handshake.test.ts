import { describe, it, expect } from "../harness.ts";
import { WebSocketError } from "../../src/core/shared/errors.ts";
import type {
  ClientSession, Extension, ExtensionContext, ExtensionMessage, ExtensionParams, ServerSession,
} from "../../src/core/websocket/extensions/extension.ts";
import { acceptKey } from "../../src/core/websocket/handshake/accept-key.ts";
import { createClientRequest, validateServerResponse, type ClientHandshake, type ClientHandshakeResult } from "../../src/core/websocket/handshake/client.ts";
import { parseWebSocketUrl } from "../../src/core/websocket/url.ts";
import { createErrorResponse, createServerResponse, negotiateServerExtensions, selectProtocol, validateClientRequest } from "../../src/core/websocket/handshake/server.ts";
import { parseRequestHead, parseResponseHead, type HttpRequestHead, type HttpResponseHead } from "../../src/core/http/head-parser.ts";
import { RFC_REQUEST } from "./support/rfc6455-example.ts";

const context: ExtensionContext = { maxLength: 1 << 20 };
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
/** Writes "the sample nonce", the bytes of the RFC 6455 section 1.3 key. */
const fixedRandom = (buffer: Uint8Array) => {
  buffer.set(ascii("the sample nonce").subarray(0, buffer.length));
  return buffer;
};

function request(head: string): HttpRequestHead {
  const parsed = parseRequestHead(head);
  if (parsed instanceof WebSocketError) throw parsed;
  return parsed;
}

function response(head: string): HttpResponseHead {
  const parsed = parseResponseHead(head);
  if (parsed instanceof WebSocketError) throw parsed;
  return parsed;
}

const RFC_RESPONSE =
  "HTTP/1.1 101 Switching Protocols\r\n" +
  "Upgrade: websocket\r\n" +
  "Connection: Upgrade\r\n" +
  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
  "Sec-WebSocket-Protocol: chat\r\n" +
  "\r\n";

// ----------------------------------------------------------- a fake extension --

interface Log { closed: string[] }

interface FakeClientSession extends ClientSession {
  /** The parameters it was activated with. */
  activated: ExtensionParams | null;
}

/**
 * "x-fake": offers `level=<n>`, accepts a response whose `level` is a digit,
 * and the server answers with the lowest level offered (or declines when
 * no offer has a numeric level, "none" say).
 */
class FakeExtension implements Extension {
  readonly type = "permessage" as const;
  constructor(
    readonly name: string,
    readonly log: Log,
    readonly bits: { rsv1?: boolean; rsv2?: boolean; rsv3?: boolean } = { rsv1: true },
    readonly offer: ExtensionParams | ExtensionParams[] = { level: 1 },
  ) {}
  get rsv1() { return !!this.bits.rsv1; }
  get rsv2() { return !!this.bits.rsv2; }
  get rsv3() { return !!this.bits.rsv3; }

  createClientSession(): FakeClientSession {
    const { log, name, offer } = this;
    const session: FakeClientSession = {
      ...passThrough,
      activated: null,
      generateOffer: () => offer,
      activate(params) {
        if (params.throw) throw new Error("boom");
        // Values that read as numbers arrive as numbers (the websocket-extensions model).
        if (typeof params.level !== "number" || !Number.isInteger(params.level) || params.level < 0 || params.level > 9) return false;
        session.activated = params;
        return true;
      },
      close: () => log.closed.push(`client ${name}`),
    };
    return session;
  }

  createServerSession(offers: ExtensionParams[], _context: ExtensionContext): ServerSession | null {
    if (offers.some((o) => o.explode)) throw new Error("server boom");
    const levels = offers.map((o) => o.level).filter((l): l is number => typeof l === "number");
    if (!levels.length) return null;
    const { log, name } = this;
    const level = levels.sort((x, y) => x - y)[0]!;
    return { ...passThrough, generateResponse: () => ({ level }), close: () => log.closed.push(`server ${name}`) };
  }
}

const passThrough = {
  processIncomingMessage: (m: ExtensionMessage) => m,
  processOutgoingMessage: (m: ExtensionMessage) => m,
};

function clientHandshake(overrides: Partial<Parameters<typeof createClientRequest>[0]> = {}): ClientHandshake {
  return createClientRequest({
    url: new URL("ws://server.example.com/chat"),
    protocols: ["chat", "superchat"],
    extensionContext: context,
    random: fixedRandom,
    ...overrides,
  });
}

const ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

function serverResponse(lines: string[]): HttpResponseHead {
  return response(`HTTP/1.1 101 Switching Protocols\r\n${lines.map((l) => l + "\r\n").join("")}\r\n`);
}

const GOOD = ["Upgrade: websocket", "Connection: Upgrade", `Sec-WebSocket-Accept: ${ACCEPT}`];

function failure(result: unknown): string {
  expect(result).toBeInstanceOf(WebSocketError);
  expect((result as WebSocketError).code).toBe("WS_ERR_HANDSHAKE");
  return (result as WebSocketError).message;
}

// -------------------------------------------------------------------- tests --

describe("the RFC 6455 example exchange", () => {
  it("builds the section 1.2 request byte for byte", () => {
    const client = clientHandshake({ origin: "http://example.com" });
    expect(client.head).toBe(RFC_REQUEST);
    expect(client.key).toBe("dGhlIHNhbXBsZSBub25jZQ==");
    expect(client.expectedAccept).toBe(ACCEPT);
    expect(client.version).toBe(13);
    expect(client.sessions).toEqual([]);
  });

  it("answers it with the section 1.3 response, which the client accepts", () => {
    const client = clientHandshake({ origin: "http://example.com" });
    const checked = validateClientRequest(request(client.head));
    if (!checked.ok) throw checked.error;
    expect(checked.key).toBe("dGhlIHNhbXBsZSBub25jZQ==");
    expect(checked.origin).toBe("http://example.com");
    expect(checked.protocols).toEqual(["chat", "superchat"]);
    expect(checked.extensions).toEqual([]);
    const protocol = selectProtocol(checked.protocols, ["chat"]);
    const head = createServerResponse({ key: checked.key, protocol });
    expect(head).toBe(RFC_RESPONSE);
    const result = validateServerResponse(response(head), client);
    expect(result).toEqual({ protocol: "chat", extensions: [], extensionsHeader: "" });
  });

  it("re-exports acceptKey", () => {
    expect(acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe(ACCEPT);
  });
});

describe("createClientRequest", () => {
  it("draws the key from the random source", () => {
    const a = createClientRequest({ url: { host: "h" }, extensionContext: context, random: (b) => b.fill(0) });
    expect(a.key).toBe("AAAAAAAAAAAAAAAAAAAAAA==");
    expect(a.head).toBe(
      "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    const b = createClientRequest({ url: new URL("ws://h"), extensionContext: context });
    expect(b.key).toHaveLength(24);
    expect(b.expectedAccept).toBe(acceptKey(b.key));
  });

  it("speaks hybi-08 on request: Sec-WebSocket-Origin and version 8", () => {
    const client = clientHandshake({ version: 8, origin: "http://example.com", protocols: [] });
    expect(client.head).toBe(
      "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Origin: http://example.com\r\n" +
        "Sec-WebSocket-Version: 8\r\n\r\n",
    );
    expect(client.version).toBe(8);
    const ok = validateServerResponse(serverResponse(GOOD), client);
    expect(ok).toEqual({ protocol: "", extensions: [], extensionsHeader: "" });
  });

  it("adds custom headers after its own; Host and Origin replace the generated ones", () => {
    const client = clientHandshake({
      protocols: "chat",
      origin: "http://a",
      headers: [["Cookie", "a=b"], ["host", "other.example"], ["Origin", "http://b"]],
    });
    const head = request(client.head);
    expect(head.headers.raw.map(([n]) => n)).toEqual([
      "host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Origin", "Sec-WebSocket-Protocol",
      "Sec-WebSocket-Version", "Cookie",
    ]);
    expect(head.headers.get("Host")).toBe("other.example");
    expect(head.headers.get("Origin")).toBe("http://b");
    expect(head.headers.get("Sec-WebSocket-Protocol")).toBe("chat");
  });

  it("refuses reserved or injected headers, bad protocols and bad versions", () => {
    const bad: Array<Partial<Parameters<typeof createClientRequest>[0]>> = [
      { headers: { "Sec-WebSocket-Key": "x" } },
      { headers: { connection: "close" } },
      { headers: { "sec-websocket-extensions": "a" } },
      { headers: { "X-A": "1\r\nX-B: 2" } },
      { headers: { "X A": "1" } },
      { origin: "http://a\r\nEvil: 1" },
      { protocols: ["chat", "chat"] },
      { protocols: ["a b"] },
      { protocols: [""] },
      { version: 7 as 13 },
    ];
    for (const options of bad) expect(() => clientHandshake(options)).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
  });

  it("offers extensions in order, several offers per extension, and keeps the sessions", () => {
    const log: Log = { closed: [] };
    const a = new FakeExtension("x-a", log, { rsv1: true }, [{ level: 2, flag: true }, { level: 1 }]);
    const b = new FakeExtension("x-b", log, { rsv2: true });
    const skipped = { ...new FakeExtension("x-c", log), name: "x-c", createClientSession: () => null } as unknown as Extension;
    const client = clientHandshake({ extensions: [a, skipped, b] });
    expect(request(client.head).headers.get("Sec-WebSocket-Extensions"))
      .toBe("x-a; level=2; flag, x-a; level=1, x-b; level=1");
    expect(client.sessions.map((s) => s.extension.name)).toEqual(["x-a", "x-b"]);
    expect(() => clientHandshake({ extensions: [a, a] })).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
  });

  it("closes the sessions it made when an offer cannot be serialized", () => {
    const log: Log = { closed: [] };
    const good = new FakeExtension("x-a", log);
    const bad = new FakeExtension("x-b", log, {}, { level: "not a token" });
    expect(() => clientHandshake({ extensions: [good, bad] })).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    expect(log.closed).toEqual(["client x-a", "client x-b"]);
  });
});

describe("parseWebSocketUrl", () => {
  const parse = (url: string) => parseWebSocketUrl(new URL(url));

  it("reads host, port, path and query from a URL", () => {
    expect(parse("wss://Example.COM/a/b?c=d&e")).toEqual({
      secure: true, hostname: "example.com", port: 443, path: "/a/b?c=d&e", host: "example.com",
    });
    expect(parse("ws://h:8080")).toEqual({ secure: false, hostname: "h", port: 8080, path: "/", host: "h:8080" });
    expect(parse("ws://h:80?x")).toEqual({ secure: false, hostname: "h", port: 80, path: "/?x", host: "h" });
    expect(parse("wss://h:80/").host).toBe("h:80");
    expect(parse("ws://[::1]:9000/x")).toEqual({
      secure: false, hostname: "[::1]", port: 9000, path: "/x", host: "[::1]:9000",
    });
    expect(parse("https://h/").secure).toBe(true);
    expect(parse("http://h/").secure).toBe(false);
  });

  it("takes what the URL parser percent-encoded and punycoded", () => {
    expect(parse("ws://bücher.example/a b/é?q=<\">")).toEqual({
      secure: false, hostname: "xn--bcher-kva.example", port: 80, path: "/a%20b/%C3%A9?q=%3C%22%3E",
      host: "xn--bcher-kva.example",
    });
  });

  it("takes a string, which must already be a normalized URL", () => {
    expect(parseWebSocketUrl("WSS://Example.COM:8443/a?b")).toEqual({
      secure: true, hostname: "example.com", port: 8443, path: "/a?b", host: "example.com:8443",
    });
    expect(parseWebSocketUrl("ws://h")).toEqual(parse("ws://h"));
    expect(parseWebSocketUrl("ws://h?x").path).toBe("/?x");
    expect(parseWebSocketUrl(new URL("ws://bücher.example/é").href).path).toBe("/%C3%A9");
    const bad = [
      "h/", "//h/", "ws:/h", "ftp://h/", "ws://h/#", "ws://h/#f", "ws:///x", "ws://h:0/", "ws://h:x/",
      "ws://bücher.example/", "ws://h/a b", "ws://h/é", "ws://h h/", "ws://h\r\nEvil: 1/",
    ];
    for (const url of bad) expect(() => parseWebSocketUrl(url)).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
  });

  it("rejects 1 MiB hostile URL strings at once", () => {
    const n = 1 << 20;
    for (const url of ["ws://" + "a".repeat(n) + "#\n", "ws" + "s".repeat(n), "ws://" + ":".repeat(n), "ws://h/" + " ".repeat(n)]) {
      expect(() => parseWebSocketUrl(url)).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    }
  });

  it("takes the parts: host with an optional port, path, secure", () => {
    expect(parseWebSocketUrl({ host: "H:81", path: "chat", secure: false })).toEqual({
      secure: false, hostname: "h", port: 81, path: "/chat", host: "h:81",
    });
    expect(parseWebSocketUrl({ host: "h", secure: true })).toEqual({
      secure: true, hostname: "h", port: 443, path: "/", host: "h",
    });
    expect(parseWebSocketUrl({ host: "[::1]", path: "?x" }).path).toBe("/?x");
    expect(parseWebSocketUrl({ host: "h:" }).port).toBe(80); // an empty port is the default, as in a WHATWG URL
  });

  it("turns user:password@ into a Basic authorization (RFC 7617), from a URL or a string", () => {
    const basic = (pair: string) => "Basic " + btoa(String.fromCharCode(...new TextEncoder().encode(pair)));
    expect(parse("ws://u:p@h:81/x")).toEqual({
      secure: false, hostname: "h", port: 81, path: "/x", host: "h:81", authorization: basic("u:p"),
    });
    expect(parse("ws://us%C3%A9r@h/").authorization).toBe(basic("usér:"));
    expect(parseWebSocketUrl("ws://a%20b:p%3Aq@h/").authorization).toBe(basic("a b:p:q"));
    expect(parseWebSocketUrl("ws://a:b@h/").host).toBe("h");
    for (const url of ["ws://a%3Ab:p@h/", "ws://a%0A:p@h/", "ws://%E0%A4%A@h/"]) {
      expect(() => parseWebSocketUrl(url)).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    }
  });

  it("refuses other schemes, fragments, bad hosts, ports and paths", () => {
    for (const url of ["ftp://h/", "ws://h/#f", "file:///x"]) {
      expect(() => parse(url)).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    }
    const parts = [
      { host: "" }, { host: "h h" }, { host: "h\r\nEvil: 1" }, { host: "bücher.example" }, { host: "[zz]" },
      { host: "[::1" }, { host: "h:0" }, { host: "h:65536" }, { host: "h:x" },
      { host: "h", path: "/a b" }, { host: "h", path: "/a\r\nEvil: 1" }, { host: "h", path: "/é" }, { host: "h", path: "/#x" },
    ];
    for (const url of parts) expect(() => parseWebSocketUrl(url)).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
  });
});

describe("validateServerResponse", () => {
  it("accepts Connection as a token list and Upgrade in any case", () => {
    const client = clientHandshake({ protocols: [] });
    const ok = validateServerResponse(
      serverResponse(["upgrade: WebSocket", "Connection: keep-alive, UPGRADE", `Sec-WebSocket-Accept: ${ACCEPT}`]),
      client,
    );
    expect(ok).toEqual({ protocol: "", extensions: [], extensionsHeader: "" });
  });

  it("accepts a server that picks no subprotocol", () => {
    expect(validateServerResponse(serverResponse(GOOD), clientHandshake())).toEqual({
      protocol: "", extensions: [], extensionsHeader: "",
    });
  });

  it("fails on each broken requirement of section 4.1", () => {
    const client = clientHandshake();
    const cases: Array<[HttpResponseHead, string]> = [
      [response("HTTP/1.1 200 OK\r\n\r\n"), "Unexpected server response: 200"],
      [response("HTTP/1.1 302 Found\r\nLocation: /\r\n\r\n"), "Unexpected server response: 302"],
      [serverResponse(GOOD.slice(1)), "Invalid Upgrade header"],
      [serverResponse(["Upgrade: h2c", ...GOOD.slice(1)]), "Invalid Upgrade header"],
      [serverResponse(["Upgrade: websocket, h2c", ...GOOD.slice(1)]), "Invalid Upgrade header"],
      [serverResponse([...GOOD, "Upgrade: websocket"]), "The Upgrade header appears more than once"],
      [serverResponse([GOOD[0]!, GOOD[2]!]), "Invalid Connection header"],
      [serverResponse([GOOD[0]!, "Connection: keep-alive", GOOD[2]!]), "Invalid Connection header"],
      [serverResponse(GOOD.slice(0, 2)), "Invalid Sec-WebSocket-Accept header"],
      [serverResponse([...GOOD.slice(0, 2), "Sec-WebSocket-Accept: " + ACCEPT.toLowerCase()]), "Invalid Sec-WebSocket-Accept header"],
      [serverResponse([...GOOD, `Sec-WebSocket-Accept: ${ACCEPT}`]), "The Sec-WebSocket-Accept header appears more than once"],
      [serverResponse([...GOOD, "Sec-WebSocket-Protocol: other"]), "Server sent an invalid subprotocol"],
      [serverResponse([...GOOD, "Sec-WebSocket-Protocol: chat, superchat"]), "Server sent an invalid subprotocol"],
      [serverResponse([...GOOD, "Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Protocol: chat"]),
        "The Sec-WebSocket-Protocol header appears more than once"],
      [serverResponse([...GOOD, "Sec-WebSocket-Extensions: x-a"]), 'Server sent extension "x-a", which was not offered'],
      [serverResponse([...GOOD, "Sec-WebSocket-Extensions: x-a;"]), "Invalid Sec-WebSocket-Extensions header"],
    ];
    for (const [head, message] of cases) expect(failure(validateServerResponse(head, client))).toMatch(message);
    const noProtocols = clientHandshake({ protocols: [] });
    expect(failure(validateServerResponse(serverResponse([...GOOD, "Sec-WebSocket-Protocol: chat"]), noProtocols)))
      .toMatch("Server sent a subprotocol but none was requested");
  });

  it("activates the extensions the server chose, in its order, and closes the others", () => {
    const log: Log = { closed: [] };
    const a = new FakeExtension("x-a", log, { rsv1: true });
    const b = new FakeExtension("x-b", log, { rsv2: true });
    const c = new FakeExtension("x-c", log, { rsv3: true });
    const client = clientHandshake({ extensions: [a, b, c] });
    const result = validateServerResponse(
      serverResponse([...GOOD, "Sec-WebSocket-Extensions: x-b; level=3", "Sec-WebSocket-Extensions: x-a; level=\"2\""]),
      client,
    ) as ClientHandshakeResult;
    expect(result.extensions.map((x) => x.extension.name)).toEqual(["x-b", "x-a"]);
    expect((result.extensions[0]!.session as FakeClientSession).activated).toEqual({ level: 3 });
    expect((result.extensions[1]!.session as FakeClientSession).activated).toEqual({ level: 2 });
    expect(result.extensionsHeader).toBe('x-b; level=3, x-a; level="2"');
    expect(log.closed).toEqual(["client x-c"]);
  });

  it("fails on a rejected, throwing, repeated or clashing extension, closing every session", () => {
    const run = (bits: { rsv1?: boolean; rsv2?: boolean }, header: string) => {
      const log: Log = { closed: [] };
      const client = clientHandshake({
        extensions: [new FakeExtension("x-a", log, { rsv1: true }), new FakeExtension("x-b", log, bits)],
      });
      const message = failure(validateServerResponse(serverResponse([...GOOD, `Sec-WebSocket-Extensions: ${header}`]), client));
      expect(log.closed).toEqual(["client x-a", "client x-b"]);
      return message;
    };
    expect(run({ rsv2: true }, "x-a; level=x")).toMatch(`Extension "x-a" rejected the server's parameters`);
    expect(run({ rsv2: true }, "x-a; level=1; throw")).toMatch(`Extension "x-a" failed to activate: boom`);
    expect(run({ rsv2: true }, "x-a; level=1, x-a; level=2")).toMatch(`Server sent extension "x-a" twice`);
    expect(run({ rsv1: true }, "x-a; level=1, x-b; level=1")).toMatch(`Extensions "x-a" and "x-b" clash on RSV bits`);
  });
});

describe("validateClientRequest", () => {
  const base: Record<string, string> = {
    Host: "server.example.com",
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
  };
  const build = (fields: Record<string, string | null>, extra: string[] = [], line = "GET /chat HTTP/1.1") => {
    const all = { ...base, ...fields };
    const lines = Object.entries(all).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}`);
    return request(`${line}\r\n${[...lines, ...extra].map((l) => l + "\r\n").join("")}\r\n`);
  };

  it("accepts a minimal handshake and tolerant token lists", () => {
    const ok = validateClientRequest(build({ Upgrade: "WebSocket, h2c", Connection: "keep-alive, Upgrade" }));
    expect(ok).toEqual({
      ok: true, key: "dGhlIHNhbXBsZSBub25jZQ==", version: 13, origin: undefined, protocols: [], extensions: [],
    });
  });

  it("reads protocols and extensions across header lines", () => {
    const ok = validateClientRequest(build({}, [
      "Sec-WebSocket-Protocol: a, b", "Sec-WebSocket-Protocol: c",
      "Sec-WebSocket-Extensions: x-a; level=1", "Sec-WebSocket-Extensions: x-b",
      "Sec-WebSocket-Origin: http://o",
    ]));
    if (!ok.ok) throw ok.error;
    expect(ok.protocols).toEqual(["a", "b", "c"]);
    expect(ok.extensions).toEqual([{ name: "x-a", params: { level: 1 } }, { name: "x-b", params: {} }]);
    expect(ok.origin).toBe("http://o");
  });

  it("rejects each broken requirement of section 4.2.1", () => {
    const cases: Array<[HttpRequestHead, number, string]> = [
      [build({}, [], "POST /chat HTTP/1.1"), 405, "Invalid HTTP method"],
      [build({}, [], "GET /chat HTTP/1.0"), 400, "Invalid HTTP version"],
      [build({}, [], "GET /chat HTTP/0.9"), 400, "Invalid HTTP version"],
      [build({ Host: null }), 400, "Missing Host header"],
      [build({ Host: "" }), 400, "Missing Host header"],
      [build({}, ["Host: evil.example"]), 400, "The Host header appears more than once"],
      [build({}, ["Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=="]), 400, "The Sec-WebSocket-Key header appears more than once"],
      [build({}, ["Sec-WebSocket-Version: 13"]), 400, "The Sec-WebSocket-Version header appears more than once"],
      [build({}, ["Origin: a", "Origin: b"]), 400, "The Origin header appears more than once"],
      [build({}, ["Upgrade: websocket"]), 400, "The Upgrade header appears more than once"],
      [build({ Upgrade: null }), 400, "Invalid Upgrade header"],
      [build({ Upgrade: "h2c" }), 400, "Invalid Upgrade header"],
      [build({ Connection: null }), 400, "Invalid Connection header"],
      [build({ Connection: "keep-alive" }), 400, "Invalid Connection header"],
      [build({ "Sec-WebSocket-Key": null }), 400, "Invalid Sec-WebSocket-Key header"],
      [build({ "Sec-WebSocket-Key": "AAAAAAAAAAAAAAAAAAAA" }), 400, "Invalid Sec-WebSocket-Key header"], // 15 bytes
      [build({ "Sec-WebSocket-Key": "AAAAAAAAAAAAAAAAAAAAAAA=" }), 400, "Invalid Sec-WebSocket-Key header"], // 17 bytes
      [build({ "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZR==" }), 400, "Invalid Sec-WebSocket-Key header"], // non-canonical
      [build({ "Sec-WebSocket-Key": "not base64 at all!!!!!==" }), 400, "Invalid Sec-WebSocket-Key header"],
      [build({}, ["Sec-WebSocket-Protocol: a, a"]), 400, 'subprotocol "a" is duplicated'],
      [build({}, ["Sec-WebSocket-Protocol: a", "Sec-WebSocket-Protocol: a"]), 400, 'subprotocol "a" is duplicated'],
      [build({}, ["Sec-WebSocket-Protocol: a b"]), 400, "Invalid Sec-WebSocket-Protocol header"],
      [build({}, ["Sec-WebSocket-Extensions: x; y="]), 400, "Invalid Sec-WebSocket-Extensions header"],
    ];
    for (const [head, status, reason] of cases) {
      const result = validateClientRequest(head);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.status).toBe(status);
      expect(result.reason).toMatch(reason);
      expect(result.error.code).toBe("WS_ERR_HANDSHAKE");
      expect(result.headers).toEqual(status === 405 ? [["Allow", "GET"]] : []);
    }
  });

  it("answers 426 with Sec-WebSocket-Version: 13 to other versions (section 4.4)", () => {
    for (const version of ["8", "12", "14", "", null]) {
      const result = validateClientRequest(build({ "Sec-WebSocket-Version": version }));
      expect(result).toEqual({
        ok: false, status: 426, reason: "Unsupported WebSocket version", headers: [["Sec-WebSocket-Version", "13"]],
        error: (result as { error: unknown }).error,
      });
    }
  });
});

describe("selectProtocol", () => {
  it("picks the client's first choice that the server supports", () => {
    expect(selectProtocol(["b", "a", "c"], ["a", "b"])).toBe("b");
    expect(selectProtocol(["x"], ["a"])).toBeUndefined();
    expect(selectProtocol([], ["a"])).toBeUndefined();
  });

  it("lets a callback choose among the offered protocols", () => {
    expect(selectProtocol(["a", "b"], (offered) => offered[1]!)).toBe("b");
    expect(selectProtocol(["a", "b"], () => false)).toBeUndefined();
    expect(() => selectProtocol(["a"], () => "z")).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
  });
});

describe("negotiateServerExtensions", () => {
  it("negotiates a fake extension both ways", () => {
    const clientLog: Log = { closed: [] };
    const serverLog: Log = { closed: [] };
    const client = clientHandshake({
      extensions: [new FakeExtension("x-fake", clientLog, { rsv1: true }, [{ level: 5 }, { level: 3 }])],
    });
    const checked = validateClientRequest(request(client.head));
    if (!checked.ok) throw checked.error;
    const serverExtension = new FakeExtension("x-fake", serverLog);
    const negotiated = negotiateServerExtensions(
      [serverExtension], request(client.head).headers.getAll("Sec-WebSocket-Extensions"), context,
    );
    if (negotiated instanceof WebSocketError) throw negotiated;
    expect(negotiated.responseHeader).toBe("x-fake; level=3");
    expect(negotiated.active.map((a) => a.extension)).toEqual([serverExtension]);

    const head = createServerResponse({ key: checked.key, protocol: "chat", extensionsHeader: negotiated.responseHeader });
    expect(head).toBe(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${ACCEPT}\r\nSec-WebSocket-Protocol: chat\r\nSec-WebSocket-Extensions: x-fake; level=3\r\n\r\n`,
    );
    const result = validateServerResponse(response(head), client) as ClientHandshakeResult;
    expect(result.protocol).toBe("chat");
    expect(result.extensionsHeader).toBe("x-fake; level=3");
    expect(result.extensions.map((a) => a.extension.name)).toEqual(["x-fake"]);
    expect(clientLog.closed).toEqual([]);
  });

  it("follows the client's order, skipping unknown and declined extensions", () => {
    const log: Log = { closed: [] };
    const a = new FakeExtension("x-a", log, { rsv1: true });
    const b = new FakeExtension("x-b", log, { rsv2: true });
    const negotiated = negotiateServerExtensions(
      [a, b], "x-unknown, x-b; level=7, x-a; level=none, x-b; level=4, x-a; level=2", context,
    );
    if (negotiated instanceof WebSocketError) throw negotiated;
    expect(negotiated.responseHeader).toBe("x-b; level=4, x-a; level=2");
    expect(negotiated.active.map((x) => x.extension.name)).toEqual(["x-b", "x-a"]);
    const declined = negotiateServerExtensions([a], "x-a; level=none", context);
    expect(declined).toEqual({ active: [], responseHeader: "" });
    expect(negotiateServerExtensions([a], undefined, context)).toEqual({ active: [], responseHeader: "" });
  });

  it("skips an extension whose RSV bits an accepted one already uses", () => {
    const log: Log = { closed: [] };
    const first = new FakeExtension("x-first", log, { rsv1: true });
    const clash = new FakeExtension("x-clash", log, { rsv1: true, rsv2: true });
    const other = new FakeExtension("x-other", log, { rsv2: true });
    const negotiated = negotiateServerExtensions([clash, first, other], "x-first; level=1, x-clash; level=1, x-other; level=1", context);
    if (negotiated instanceof WebSocketError) throw negotiated;
    expect(negotiated.active.map((x) => x.extension.name)).toEqual(["x-first", "x-other"]);
    expect(negotiated.responseHeader).toBe("x-first; level=1, x-other; level=1");
  });

  it("returns an error for a malformed header or an extension that throws", () => {
    const log: Log = { closed: [] };
    const a = new FakeExtension("x-a", log, { rsv1: true });
    const b = new FakeExtension("x-b", log, { rsv2: true });
    const malformed = negotiateServerExtensions([a], "x-a; level=\"1", context);
    expect((malformed as WebSocketError).code).toBe("WS_ERR_HANDSHAKE");
    const threw = negotiateServerExtensions([a, b], "x-a; level=1, x-b; explode", context);
    expect(threw).toBeInstanceOf(WebSocketError);
    expect((threw as WebSocketError).code).toBe("WS_ERR_EXTENSION");
    expect((threw as WebSocketError).message).toMatch("server boom");
    expect(log.closed).toEqual(["server x-a"]);
  });
});

describe("server responses", () => {
  it("adds custom headers and refuses reserved or injected ones", () => {
    const key = "dGhlIHNhbXBsZSBub25jZQ==";
    expect(createServerResponse({ key, headers: { "Set-Cookie": "a=b" } })).toBe(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${ACCEPT}\r\n` +
        "Set-Cookie: a=b\r\n\r\n",
    );
    const bad: Array<Parameters<typeof createServerResponse>[0]> = [
      { key, headers: { "Sec-WebSocket-Accept": "x" } },
      { key, headers: { upgrade: "x" } },
      { key, headers: { "X-A": "1\r\n\r\nHTTP/1.1 200 OK" } },
      { key, protocol: "a b" },
      { key, protocol: "chat\r\nEvil: 1" },
      { key, extensionsHeader: "x\r\nEvil: 1" },
      { key: "short" },
      { key: key + "\r\nEvil: 1" },
    ];
    for (const options of bad) expect(() => createServerResponse(options)).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
  });

  it("writes error responses with a plain-text body", () => {
    expect(createErrorResponse(400, "Missing Host header")).toBe(
      "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n" +
        "Content-Length: 19\r\n\r\nMissing Host header",
    );
    expect(createErrorResponse(426, "Unsupported WebSocket version", [["Sec-WebSocket-Version", "13"]])).toBe(
      "HTTP/1.1 426 Upgrade Required\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n" +
        "Content-Length: 29\r\nSec-WebSocket-Version: 13\r\n\r\nUnsupported WebSocket version",
    );
    expect(createErrorResponse(403, "caf\u00e9\r\n\u{1F600}", { "content-type": "text/x" })).toBe(
      "HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 8\r\ncontent-type: text/x\r\n\r\ncaf?????",
    );
    expect(createErrorResponse(404)).toMatch("Content-Length: 0\r\n\r\n");
  });

  it("turns a rejection into a response", () => {
    const rejected = validateClientRequest(request("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
    if (rejected.ok) throw new Error("expected a rejection");
    const head = createErrorResponse(rejected.status, rejected.reason, rejected.headers);
    expect(head.startsWith("HTTP/1.1 400 Bad Request\r\n")).toBe(true);
    expect(() => createErrorResponse(400, "x", { "Content-Length": "9" })).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    expect(() => createErrorResponse(400, "x", { "X-A": "\n" })).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    expect(() => createErrorResponse(1000, "x")).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
  });
});
