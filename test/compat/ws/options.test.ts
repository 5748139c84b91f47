/**
 * omnisocket/ws's runtime-free rules (src/web/compat/ws/options.ts): the
 * headers a redirect keeps, close codes, option names and defaults.
 */
import { describe, expect, it } from "../../harness.ts";
import { isValidStatusCode, redirectHeaders, withClientDefaults, withServerDefaults } from "../../../src/web/compat/ws/options.ts";

const headers = { Authorization: "Basic x", cookie: "a=b", Host: "a.example", "X-Keep": "1" };

describe("omnisocket/ws option rules", () => {
  it("a redirect keeps credentials on the same host, drops them on another, and from wss: to ws:", () => {
    expect(redirectHeaders(headers, { host: "a.example", secure: false }, { host: "a.example", secure: true })).toEqual(headers);
    expect(redirectHeaders(headers, { host: "a.example", secure: false }, { host: "b.example", secure: false })).toEqual({ "X-Keep": "1" });
    // Same host, down from TLS: credentials go, Host stays.
    expect(redirectHeaders(headers, { host: "a.example", secure: true }, { host: "a.example", secure: false })).toEqual({ Host: "a.example", "X-Keep": "1" });
    // A port is part of the host.
    expect(redirectHeaders(headers, { host: "a.example:1", secure: false }, { host: "a.example:2", secure: false })).toEqual({ "X-Keep": "1" });
  });

  it("close codes as ws accepts them for close()", () => {
    const valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999];
    const invalid = [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000];
    expect(valid.map(isValidStatusCode)).toEqual(valid.map(() => true));
    expect(invalid.map(isValidStatusCode)).toEqual(invalid.map(() => false));
  });

  it("fills ws's defaults and names unknown options", () => {
    const client = withClientDefaults({});
    expect([client.maxPayload, client.maxFragments, client.protocolVersion, client.followRedirects, client.maxRedirects, client.closeTimeout])
      .toEqual([100 * 1024 * 1024, 16 * 1024, 13, false, 10, 30_000]);
    expect(withServerDefaults({ noServer: true }).perMessageDeflate).toBe(false);
    expect(() => withClientDefaults({ maxpayload: 1 })).toThrow('Unknown WebSocket option "maxpayload"');
    expect(() => withServerDefaults({ noServer: true, clientNoContextTakeover: true })).toThrow(/belongs inside `perMessageDeflate/);
    expect(() => withServerDefaults({ noServer: true, perMessageDeflate: 1 })).toThrow(TypeError);
    // What ws hands to node:http, node:net and node:tls is known on a client.
    expect(() => withClientDefaults({ rejectUnauthorized: false, localAddress: "127.0.0.1", agent: undefined })).not.toThrow();
  });
});
