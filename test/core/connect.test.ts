/**
 * The sans-I/O CONNECT tunnel (src/core/http/connect.ts): exact request
 * bytes, the proxy's answer fed in pieces, and every failure's stable code.
 */
import { describe, expect, it } from "../harness.ts";
import { basicCredentials, connectAuthority, ConnectTunnel, ProxyError } from "../../src/core/http/connect.ts";
import { WebSocketError } from "../../src/core/shared/errors.ts";
import { b } from "./support/bytes.ts";

const text = (bytes: Uint8Array) => String.fromCharCode(...bytes);

describe("ConnectTunnel: the request", () => {
  it("is CONNECT in authority-form with Host (RFC 9110 section 9.3.6, RFC 9112 section 3.2.3)", () => {
    const tunnel = new ConnectTunnel({ host: "example.com", port: 443 });
    expect(text(tunnel.request)).toBe("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
  });

  it("brackets an IPv6 literal", () => {
    expect(text(new ConnectTunnel({ host: "::1", port: 8080 }).request)).toMatch(/^CONNECT \[::1\]:8080 HTTP\/1\.1\r\nHost: \[::1\]:8080\r\n/);
  });

  it("sends credentials as Basic (RFC 7617: base64 of user:pass in UTF-8), then the extra headers", () => {
    const tunnel = new ConnectTunnel({
      host: "h",
      port: 1,
      credentials: { username: "Aladdin", password: "open sesame" },
      headers: { "User-Agent": "omnisocket" },
    });
    expect(text(tunnel.request)).toBe(
      "CONNECT h:1 HTTP/1.1\r\nHost: h:1\r\nProxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\nUser-Agent: omnisocket\r\n\r\n",
    );
    expect(basicCredentials({ username: "test", password: "123£" })).toBe("Basic dGVzdDoxMjPCow==");
  });

  it("lets a Proxy-Authorization or Host in headers replace its own", () => {
    const tunnel = new ConnectTunnel({
      host: "h",
      port: 1,
      credentials: { username: "u", password: "p" },
      headers: { "proxy-authorization": "Bearer t", host: "h:1" },
    });
    expect(text(tunnel.request)).toBe("CONNECT h:1 HTTP/1.1\r\nproxy-authorization: Bearer t\r\nhost: h:1\r\n\r\n");
  });

  it("refuses header injection, a user name with a colon and a bad port (WS_ERR_INVALID_ARGUMENT)", () => {
    expect(() => new ConnectTunnel({ host: "h", port: 1, headers: { "X-A": "1\r\nX-B: 2" } })).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    expect(() => new ConnectTunnel({ host: "h", port: 1, credentials: { username: "a:b", password: "" } })).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    expect(() => connectAuthority("h", 70000)).toThrow(WebSocketError);
    expect(() => new ConnectTunnel({ host: "h\r\nX: y", port: 1 })).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
  });
});

describe("ConnectTunnel: the answer", () => {
  it("a 2xx opens the tunnel; bytes after the head come back as rest", () => {
    const tunnel = new ConnectTunnel({ host: "h", port: 1 });
    expect(tunnel.receiveData(b("HTTP/1.1 200 Connection est")).status).toBe("incomplete");
    const result = tunnel.receiveData(b("ablished\r\nProxy-Agent: x\r\n\r\n\x16\x03"));
    expect(result.status).toBe("established");
    if (result.status !== "established") return;
    expect(result.head.status).toBe(200);
    expect(Array.from(result.rest)).toEqual([0x16, 0x03]);
    // Final: more bytes change nothing.
    expect(tunnel.receiveData(b("junk")).status).toBe("established");
  });

  it("takes HTTP/1.0 and any 2xx, one byte at a time", () => {
    const tunnel = new ConnectTunnel({ host: "h", port: 1 });
    const answer = b("HTTP/1.0 204 No Content\r\nContent-Length: 10\r\n\r\n");
    let status = "incomplete";
    for (let i = 0; i < answer.length; i++) status = tunnel.receiveData(answer.subarray(i, i + 1)).status;
    expect(status).toBe("established");
  });

  it("skips interim 1xx responses (RFC 9110 section 15.2)", () => {
    const tunnel = new ConnectTunnel({ host: "h", port: 1 });
    expect(tunnel.receiveData(b("HTTP/1.1 100 Continue\r\n\r\n")).status).toBe("incomplete");
    expect(tunnel.receiveData(b("HTTP/1.1 200 OK\r\n\r\n")).status).toBe("established");
  });

  it("407: WS_ERR_PROXY_AUTH with the status and headers (lower-case names)", () => {
    const tunnel = new ConnectTunnel({ host: "h", port: 1 });
    const result = tunnel.receiveData(b('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="p"\r\n\r\n<html>'));
    expect(result.status).toBe("error");
    if (result.status !== "error") return;
    expect(result.error).toBeInstanceOf(ProxyError);
    expect(result.error.code).toBe("WS_ERR_PROXY_AUTH");
    expect(result.error.closeCode).toBe(1006);
    expect(result.error.statusCode).toBe(407);
    expect(result.error.headers).toEqual({ "proxy-authenticate": 'Basic realm="p"' });
  });

  it("403, 502 and the rest: WS_ERR_PROXY_REFUSED", () => {
    for (const status of [400, 403, 502, 503]) {
      const result = new ConnectTunnel({ host: "h", port: 1 }).receiveData(b(`HTTP/1.1 ${status} No\r\n\r\n`));
      expect(result.status === "error" && result.error.code).toBe("WS_ERR_PROXY_REFUSED");
      expect(result.status === "error" && result.error.statusCode).toBe(status);
    }
    // 101 cannot answer CONNECT.
    const switched = new ConnectTunnel({ host: "h", port: 1 }).receiveData(b("HTTP/1.1 101 Switching\r\n\r\n"));
    expect(switched.status === "error" && switched.error.code).toBe("WS_ERR_PROXY_REFUSED");
  });

  it("a malformed or oversized answer: WS_ERR_PROXY_RESPONSE", () => {
    const bad = new ConnectTunnel({ host: "h", port: 1 }).receiveData(b("SSH-2.0-OpenSSH\r\n\r\n"));
    expect(bad.status === "error" && bad.error.code).toBe("WS_ERR_PROXY_RESPONSE");
    const limited = new ConnectTunnel({ host: "h", port: 1, limits: { maxHeadSize: 64 } });
    const big = limited.receiveData(b(`HTTP/1.1 200 OK\r\nX: ${"a".repeat(100)}\r\n\r\n`));
    expect(big.status === "error" && big.error.code).toBe("WS_ERR_PROXY_RESPONSE");
    expect(big.status === "error" && big.error.statusCode).toBeUndefined();
  });

  it("end of stream before an answer: WS_ERR_PROXY_CLOSED", () => {
    const tunnel = new ConnectTunnel({ host: "h", port: 1 });
    tunnel.receiveData(b("HTTP/1.1 200"));
    expect(tunnel.receiveEof().code).toBe("WS_ERR_PROXY_CLOSED");
    // A refusal already received stays the reason.
    const refused = new ConnectTunnel({ host: "h", port: 1 });
    refused.receiveData(b("HTTP/1.1 403 Forbidden\r\n\r\n"));
    expect(refused.receiveEof().code).toBe("WS_ERR_PROXY_REFUSED");
  });
});
