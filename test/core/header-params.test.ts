import { describe, it, expect } from "../harness.ts";
import { WebSocketError } from "../../src/core/shared/errors.ts";
import type { ExtensionOffer } from "../../src/core/websocket/extensions/extension.ts";
import {
  checkProtocols, parseExtensions, parseProtocols, serializeExtensions, serializeProtocols,
} from "../../src/core/websocket/handshake/header-params.ts";

function offers(header: string | string[]): ExtensionOffer[] {
  const result = parseExtensions(header);
  if (result instanceof WebSocketError) throw result;
  return result;
}

function extensionsError(header: string | string[]): string {
  const result = parseExtensions(header);
  expect(result).toBeInstanceOf(WebSocketError);
  expect((result as WebSocketError).code).toBe("WS_ERR_HANDSHAKE");
  return (result as WebSocketError).message;
}

function protocolsError(header: string | string[]): string {
  const result = parseProtocols(header);
  expect(result).toBeInstanceOf(WebSocketError);
  expect((result as WebSocketError).code).toBe("WS_ERR_HANDSHAKE");
  return (result as WebSocketError).message;
}

describe("parseExtensions", () => {
  it("parses the RFC 7692 offers", () => {
    expect(offers("permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate")).toEqual([
      { name: "permessage-deflate", params: { client_max_window_bits: true, server_max_window_bits: 10 } },
      { name: "permessage-deflate", params: {} },
    ]);
  });

  it("unescapes quoted values that are tokens", () => {
    expect(offers('a; b="10"; c="x\\y"; d=e')).toEqual([{ name: "a", params: { b: 10, c: "xy", d: "e" } }]);
  });

  it("allows OWS around separators and skips empty elements", () => {
    expect(offers(" a \t; b = 1 ;c\t,  , x ,")).toEqual([
      { name: "a", params: { b: 1, c: true } },
      { name: "x", params: {} },
    ]);
    expect(offers("")).toEqual([]);
    expect(offers(" , ,")).toEqual([]);
  });

  it("joins several header lines", () => {
    expect(offers(["a; x=1", "b", " c;y"])).toEqual([
      { name: "a", params: { x: 1 } },
      { name: "b", params: {} },
      { name: "c", params: { y: true } },
    ]);
  });

  it("keeps a parameter named __proto__ as a plain property", () => {
    const [offer] = offers("a; __proto__=x; constructor");
    expect(Object.keys(offer!.params)).toEqual(["__proto__", "constructor"]);
    expect(Object.getOwnPropertyDescriptor(offer!.params, "__proto__")?.value).toBe("x");
    expect(Object.getPrototypeOf(offer!.params)).toBe(Object.prototype);
  });

  it("rejects malformed headers with a message pointing at the problem", () => {
    const bad = [
      "a;", "a; ", ";a", "a;;b", "a b", "a; b c", "a; b=", "a; b= ", "a; b==c", "a=b", "a; b=c d",
      "a; b=\"c", 'a; b="c\\', 'a; b=""', 'a; b="c d"', 'a; b="c,d"', 'a; b="c\u0001"', 'a; b="c\\\u0001"',
      "a; b=\"c\"d", "a@b", "a; b@c", "é", "a; b=é", "a,\u0000",
    ];
    for (const header of bad) expect(extensionsError(header)).toMatch(/^Invalid Sec-WebSocket-Extensions header: /);
    expect(extensionsError("a b")).toMatch('unexpected character "b" at index 2');
    expect(extensionsError('a; b="x y"')).toMatch('quoted value "x y" is not a token');
    expect(extensionsError("a; b=\"c")).toMatch("unterminated quoted-string");
  });

  it("hands a parameter repeated within one offer over as an array (RFC 7692 section 7.1: the extension declines)", () => {
    expect(offers("a; b=1; b=2; b")).toEqual([{ name: "a", params: { b: [1, 2, true] } }]);
    expect(offers("a; b=1, a; b=2")).toHaveLength(2);
  });
});

describe("serializeExtensions", () => {
  it("writes offers and round-trips through the parser", () => {
    const list: ExtensionOffer[] = [
      { name: "permessage-deflate", params: { client_max_window_bits: true, server_max_window_bits: 10 } },
      { name: "x-ext", params: {} },
    ];
    const header = serializeExtensions(list);
    expect(header).toBe("permessage-deflate; client_max_window_bits; server_max_window_bits=10, x-ext");
    expect(offers(header)).toEqual(list);
    expect(serializeExtensions([])).toBe("");
  });

  it("writes numbers in decimal and refuses what is not a token", () => {
    expect(serializeExtensions([{ name: "a", params: { b: 15 as unknown as string } }])).toBe("a; b=15");
    const bad: ExtensionOffer[] = [
      { name: "a b", params: {} },
      { name: "a", params: { "b c": true } },
      { name: "a", params: { b: "x y" } },
      { name: "a", params: { b: "" } },
      { name: "a", params: { b: "1\r\nEvil: 1" } },
      { name: "a", params: { b: false as unknown as string } },
    ];
    for (const offer of bad) expect(() => serializeExtensions([offer])).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
  });
});

describe("parseProtocols", () => {
  it("parses a comma-separated token list", () => {
    expect(parseProtocols("chat, superchat")).toEqual(["chat", "superchat"]);
    expect(parseProtocols(" a ,\tb,, c ,")).toEqual(["a", "b", "c"]);
    expect(parseProtocols(["a", "b, c"])).toEqual(["a", "b", "c"]);
    expect(parseProtocols("")).toEqual([]);
    expect(parseProtocols(undefined)).toEqual([]);
  });

  it("rejects duplicates unless allowed", () => {
    expect(protocolsError("a, b, a")).toMatch('subprotocol "a" is duplicated');
    expect(protocolsError(["a", "a"])).toMatch("duplicated");
    expect(parseProtocols("a, b, a", { allowDuplicates: true })).toEqual(["a", "b", "a"]);
  });

  it("rejects anything that is not a token", () => {
    for (const header of ["a b", "a;b", '"a"', "a/b", "a=b", "é", "a\u0000"]) {
      expect(protocolsError(header)).toMatch(/^Invalid Sec-WebSocket-Protocol header: /);
    }
  });

  it("serializes and checks a client's list", () => {
    expect(serializeProtocols(["chat", "superchat"])).toBe("chat, superchat");
    expect(checkProtocols(["a", "b"])).toBeUndefined();
    expect(checkProtocols(["a", "a"])?.code).toBe("WS_ERR_INVALID_ARGUMENT");
    for (const list of [["a", "a"], [""], ["a b"], ["a,b"], ["a\r\n"]]) {
      expect(() => serializeProtocols(list)).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    }
  });
});

// ws CVE-2021-32640 (Sec-WebSocket-Protocol split on / *, */) and
// websocket-extensions CVE-2020-7662 (a backtracking regex over quoted
// strings): inputs that took a backtracking parser seconds to minutes. A
// linear scanner finishes them all at once; a quadratic one would hang here.
describe("hostile headers", () => {
  for (const size of [64 * 1024, 1024 * 1024]) {
    const n = size;
    it(`parses or rejects ${n >> 10} KiB inputs`, () => {
      extensionsError("a" + " ".repeat(n) + "b");
      extensionsError("a;" + " ".repeat(n) + "=");
      extensionsError("a" + ";".repeat(n));
      extensionsError("a; b=" + "=".repeat(n));
      extensionsError('a; b="' + "\\c".repeat(n / 2)); // the CVE-2020-7662 input: never closed
      extensionsError('a; b="' + "\\".repeat(n));
      extensionsError('a; b="' + '"'.repeat(n));
      extensionsError('a; b="' + "x".repeat(n) + " " + '"');
      expect((offers("a;b=c".repeat(n / 5))[0]!.params.b as unknown[]).length).toBe(n / 5 | 0); // "a;b=ca;b=ca;..." repeats b
      expect((offers("a; " + "b; ".repeat(n / 3) + "b")[0]!.params.b as unknown[]).length).toBe((n / 3 | 0) + 1);
      expect(offers(",".repeat(n))).toEqual([]);
      expect(offers("a" + " ,".repeat(n / 2))).toEqual([{ name: "a", params: {} }]);
      expect(offers('a; b="' + "x".repeat(n) + '"')[0]!.params.b).toHaveLength(n);
      expect(offers("a, ".repeat(n / 3))).toHaveLength(n / 3 | 0);

      protocolsError("chat" + " ".repeat(n) + "x"); // the CVE-2021-32640 input
      protocolsError("a" + " ,".repeat(n / 2) + " a");
      protocolsError("a, ".repeat(n / 3));
      expect(parseProtocols(" ,".repeat(n / 2))).toEqual([]);
      const many = Array.from({ length: n >> 4 }, (_, i) => `p${i}`);
      expect(parseProtocols(many.join(" , "))).toEqual(many);
    });
  }
});
