/**
 * The web face's URL steps (src/web/websocket/url.ts): WHATWG's checks, then
 * the core parser once, so the host dialed, the request line, Host and
 * Authorization all come from one parse.
 */
import { describe, expect, it } from "../harness.ts";
import { parseWebSocketUrl, resolveWebSocketUrl, targetOf } from "../../src/web/websocket/url.ts";

function name(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as DOMException).name;
  }
  return "(none)";
}

describe("web WebSocket URL parsing", () => {
  it("one parse: dial fields, request line, Host and Authorization agree", () => {
    const url = parseWebSocketUrl("HTTPS://u:p@Example.COM:8443/a b?q#".slice(0, -1));
    expect(url.href).toBe("wss://u:p@example.com:8443/a%20b?q");
    expect([url.secure, url.host, url.port, url.resource, url.hostHeader]).toEqual([true, "example.com", 8443, "/a%20b?q", "example.com:8443"]);
    expect(url.target!.host).toBe(url.hostHeader);
    expect(url.target!.path).toBe(url.resource);
    expect(url.target!.authorization).toBe("Basic " + btoa("u:p"));
    const v6 = parseWebSocketUrl("ws://[::1]:9000/");
    expect([v6.host, v6.hostHeader, v6.target!.hostname]).toEqual(["::1", "[::1]:9000", "[::1]"]);
  });

  it("WHATWG errors: SyntaxError for a bad URL, scheme or fragment; SecurityError for a bad port only where browsers refuse it", () => {
    expect(name(() => parseWebSocketUrl("nope"))).toBe("SyntaxError");
    expect(name(() => parseWebSocketUrl("ftp://h/"))).toBe("SyntaxError");
    expect(name(() => parseWebSocketUrl("ws://h/#"))).toBe("SyntaxError");
    expect(name(() => resolveWebSocketUrl("ws://h:25/"))).toBe("SecurityError");
    expect(name(() => resolveWebSocketUrl("wss://h:995/"))).toBe("SecurityError");
    expect(parseWebSocketUrl("ws://h:25/").port).toBe(25); // ws and faye faces do not block ports
    expect(parseWebSocketUrl("/x", { base: "https://h:8443/y" }).href).toBe("wss://h:8443/x");
  });

  it("a hand-made WebSocketUrl (a compatibility face's) gets a target from its own fields", () => {
    const target = targetOf({ href: "ws://localhost/s", origin: "ws://localhost", secure: false, host: "localhost", port: 80, resource: "/s?x", hostHeader: "localhost" });
    expect(target).toEqual({ secure: false, hostname: "localhost", port: 80, path: "/s?x", host: "localhost" });
  });
});
