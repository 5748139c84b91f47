/**
 * A server socket's url and origin come from a small cache of recent Host
 * and target pairs: what it hands out must be what parsing gives, for the
 * first request and every later one, and past the cache's size too.
 */
import { describe, expect, it } from "../harness.ts";
import { requestWebSocketUrl, requestWebSocketUrlOf } from "../../src/web/server/request-url.ts";

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
        const made = requestWebSocketUrlOf(secure, host, target);
        expect(made.href).toBe(url.href);
        expect(made.origin).toBe(url.origin);
        expect(requestWebSocketUrl(secure, host, target)).toBe(url.href);
      }
    }
  });

  it("falls back to localhost for a Host that makes no URL", () => {
    expect(requestWebSocketUrlOf(false, "a b", "/x")).toEqual({ href: "ws://localhost/", origin: "ws://localhost" });
    expect(requestWebSocketUrlOf(true, "a b", "/x").href).toBe("wss://localhost/");
  });

  it("stays right past the cache's size", () => {
    for (let i = 0; i < 1000; i++) {
      const made = requestWebSocketUrlOf(false, "h", `/p${i}`);
      expect(made.href).toBe(`ws://h/p${i}`);
    }
    expect(requestWebSocketUrlOf(false, "h", "/p3").href).toBe("ws://h/p3");
  });
});
