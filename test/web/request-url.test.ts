/**
 * A server socket's url comes from a small cache of recent Host
 * and target pairs: what it hands out must be what parsing gives, for the
 * first request and every later one, and past the cache's size too.
 */
import { describe, expect, it } from "../harness.ts";
import { requestWebSocketUrl, webSocketUrlOf } from "../../src/web/server/request-url.ts";

describe("request URL of an upgrade", () => {
  it("is what new URL makes of scheme, Host and target, cached or not", () => {
    const cases: Array<[boolean, string | undefined, string]> = [
      [false, "127.0.0.1:8080", "/chat"],
      [true, "Example.COM:443", "/a/../b?x=1#f"],
      [false, "example.com:80", "no-slash"],
      [false, undefined, "/"],
      [true, "[::1]:9000", "/%7e?q= a"],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [secure, host, target] of cases) {
        const url = new URL(`${secure ? "wss" : "ws"}://${host ?? "localhost"}${target.startsWith("/") ? target : "/" + target}`);
        expect(requestWebSocketUrl(secure, host, target)).toBe(url.href);
      }
    }
  });

  it("falls back to localhost for a Host that makes no URL", () => {
    expect(requestWebSocketUrl(false, "a b", "/x")).toBe("ws://localhost/");
    expect(requestWebSocketUrl(true, "a b", "/x")).toBe("wss://localhost/");
  });

  it("stays right past the cache's size", () => {
    for (let i = 0; i < 1000; i++) {
      expect(requestWebSocketUrl(false, "h", `/p${i}`)).toBe(`ws://h/p${i}`);
    }
    expect(requestWebSocketUrl(false, "h", "/p3")).toBe("ws://h/p3");
  });

  it("swaps a fetch Request's http(s) scheme for ws(s), cached or not, long or short", () => {
    for (let round = 0; round < 2; round++) {
      expect(webSocketUrlOf("http://Example.com:80/a?b")).toBe("ws://example.com/a?b");
      expect(webSocketUrlOf("https://example.com:443/")).toBe("wss://example.com/");
      expect(webSocketUrlOf("https://example.com:8443/x")).toBe("wss://example.com:8443/x");
      const long = "/" + "p".repeat(500);
      expect(webSocketUrlOf(`http://h${long}`)).toBe(`ws://h${long}`);
      expect(requestWebSocketUrl(true, "h", long)).toBe(`wss://h${long}`);
    }
    // A request URL and a Host/target text never answer for each other.
    expect(requestWebSocketUrl(false, "h", "/same")).toBe("ws://h/same");
    expect(webSocketUrlOf("https://h/same")).toBe("wss://h/same");
  });
});
