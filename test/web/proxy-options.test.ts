/**
 * The `proxy` option resolved for one connection (src/web/client/proxy-options.ts):
 * faye's { origin, headers, tls }, and "env" with curl's variables.
 */
import { describe, expect, it } from "../harness.ts";
import { bypassesProxy, proxyFromEnv, resolveProxy } from "../../src/web/client/proxy-options.ts";

const ws = { host: "example.com", port: 80, secure: false };
const wss = { host: "example.com", port: 443, secure: true };
const noEnv = () => undefined;
const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

describe("resolveProxy", () => {
  it("no option: connect directly", () => {
    expect(resolveProxy(undefined, ws, noEnv)).toBeNull();
  });

  it("takes host, port (80/443 by default), TLS for https:, and decoded credentials", () => {
    expect(resolveProxy({ origin: "http://proxy.local:3128" }, ws, noEnv)).toEqual({ host: "proxy.local", port: 3128, secure: false, headers: undefined, tls: undefined });
    const secure = resolveProxy({ origin: "https://us%40r:p%3Ass@[::1]", headers: { a: "b" }, tls: { ca: "x" } }, wss, noEnv)!;
    expect([secure.host, secure.port, secure.secure]).toEqual(["::1", 443, true]);
    expect(secure.credentials).toEqual({ username: "us@r", password: "p:ss" });
    expect(secure.headers).toEqual({ a: "b" });
    expect(secure.tls).toEqual({ ca: "x" });
  });

  it("refuses other schemes and junk with a TypeError", () => {
    expect(() => resolveProxy({ origin: "socks5://p:1080" }, ws, noEnv)).toThrow(TypeError);
    expect(() => resolveProxy({ origin: "http://" }, ws, noEnv)).toThrow(TypeError);
    expect(() => resolveProxy({} as never, ws, noEnv)).toThrow(TypeError);
  });

  it('"env": the variable for the scheme, bare host:port meaning http:', () => {
    const env = envOf({ HTTP_PROXY: "plain:3128", HTTPS_PROXY: "https://secure:8443" });
    expect(resolveProxy("env", ws, env)).toEqual({ host: "plain", port: 3128, secure: false, headers: undefined, tls: undefined });
    expect(resolveProxy("env", wss, env)?.host).toBe("secure");
  });
});

describe("proxyFromEnv", () => {
  it("lower-case first, then upper-case, then ALL_PROXY", () => {
    expect(proxyFromEnv(ws, envOf({ http_proxy: "http://a", HTTP_PROXY: "http://b" }))).toBe("http://a");
    expect(proxyFromEnv(ws, envOf({ HTTP_PROXY: "http://b" }))).toBe("http://b");
    expect(proxyFromEnv(wss, envOf({ HTTP_PROXY: "http://b" }))).toBeUndefined();
    expect(proxyFromEnv(wss, envOf({ ALL_PROXY: "http://c" }))).toBe("http://c");
    expect(proxyFromEnv(ws, envOf({ HTTP_PROXY: "  " }))).toBeUndefined();
  });

  it("NO_PROXY wins", () => {
    expect(proxyFromEnv(ws, envOf({ HTTP_PROXY: "http://a", NO_PROXY: "example.com" }))).toBeUndefined();
    expect(proxyFromEnv(ws, envOf({ HTTP_PROXY: "http://a", no_proxy: "other.org" }))).toBe("http://a");
  });
});

describe("bypassesProxy (NO_PROXY)", () => {
  const at = (host: string, port = 80) => ({ host, port });
  it("matches a host and its subdomains, with or without a leading dot or *.", () => {
    for (const list of ["example.com", ".example.com", "*.example.com", "EXAMPLE.com"]) {
      expect(bypassesProxy(at("example.com"), list)).toBe(true);
      expect(bypassesProxy(at("api.example.com"), list)).toBe(true);
      expect(bypassesProxy(at("badexample.com"), list)).toBe(false);
    }
  });
  it("* matches all; lists split on commas and spaces; ports narrow an entry", () => {
    expect(bypassesProxy(at("anything"), "*")).toBe(true);
    expect(bypassesProxy(at("b.org"), "a.org, b.org")).toBe(true);
    expect(bypassesProxy(at("b.org"), "a.org b.org")).toBe(true);
    expect(bypassesProxy(at("b.org", 8080), "b.org:8080")).toBe(true);
    expect(bypassesProxy(at("b.org", 80), "b.org:8080")).toBe(false);
  });
  it("IP literals, IPv6 in brackets", () => {
    expect(bypassesProxy(at("127.0.0.1"), "localhost,127.0.0.1")).toBe(true);
    expect(bypassesProxy(at("::1", 9000), "[::1]:9000")).toBe(true);
    expect(bypassesProxy(at("::1"), "::1")).toBe(true);
    expect(bypassesProxy(at("10.0.0.1"), "127.0.0.1")).toBe(false);
    expect(bypassesProxy(at("x"), "")).toBe(false);
  });
});
