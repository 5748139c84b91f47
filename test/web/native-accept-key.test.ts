/**
 * The native SHA-1 each runtime entry plugs into the handshake
 * (core/websocket/handshake/accept-key.ts) must give exactly what the
 * portable SHA-1 and base64 give, and the portable path must be used while
 * none is plugged in.
 */
import { afterAll, describe, expect, it, runtime } from "../harness.ts";
import "../entry.ts"; // the running runtime's setup plugs its digest in
import {
  acceptKey, hasNativeAcceptKey, portableAcceptKey, setNativeAcceptKey, WEBSOCKET_GUID, type NativeSha1Base64,
} from "../../src/core/websocket/handshake/accept-key.ts";
import { encodeBase64 } from "../../src/core/shared/base64.ts";
import { installNativeAcceptKey, nodeCryptoSha1 } from "../../src/runtime/node/native-accept-key.ts";
import { bunSha1, installBunAcceptKey } from "../../src/runtime/bun/native-accept-key.ts";

function randomKey(): string {
  return encodeBase64(crypto.getRandomValues(new Uint8Array(16)));
}

/** Any string: ASCII, Latin-1, BMP and astral chars, and lone surrogates (UTF-8 turns those into U+FFFD). */
function randomString(): string {
  const length = crypto.getRandomValues(new Uint8Array(1))[0]! % 90;
  const codes = crypto.getRandomValues(new Uint16Array(length));
  let out = "";
  for (const c of codes) {
    const kind = c & 3;
    if (kind === 0) out += String.fromCharCode(0x20 + (c % 95));
    else if (kind === 1) out += String.fromCharCode(c % 0x100);
    else if (kind === 2) out += String.fromCharCode(c);
    else out += String.fromCodePoint(0x10000 + (c % 0x1000));
  }
  return out;
}

/** The digest the running runtime's entry installs. */
function installed(): NativeSha1Base64 | null {
  return runtime === "bun" ? bunSha1() ?? nodeCryptoSha1() : nodeCryptoSha1(runtime === "node");
}

function reinstall(): void {
  if (runtime === "bun") installBunAcceptKey();
  else installNativeAcceptKey(runtime === "node");
}

describe("native Sec-WebSocket-Accept", () => {
  afterAll(() => reinstall()); // leave the process as its entry set it up

  it("is installed by the running runtime's entry", () => {
    expect(hasNativeAcceptKey()).toBe(true);
    expect(installed()).not.toBe(null);
  });

  it("answers the RFC 6455 section 1.3 example", () => {
    reinstall();
    expect(acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    expect(portableAcceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("equals the portable SHA-1 on 3,000 random keys", () => {
    reinstall();
    for (let i = 0; i < 3000; i++) {
      const key = randomKey();
      expect(acceptKey(key)).toBe(portableAcceptKey(key));
    }
  });

  it("equals the portable SHA-1 on random strings of any characters and length", () => {
    const digest = installed()!;
    for (let i = 0; i < 2000; i++) {
      const input = randomString();
      expect(digest(input + WEBSOCKET_GUID)).toBe(portableAcceptKey(input));
    }
  });

  it("node:crypto's digests (createHash, and the one-shot hash where there is one) work on every runtime, Bun.CryptoHasher's only on Bun", () => {
    const key = randomKey();
    expect(nodeCryptoSha1()!(key + WEBSOCKET_GUID)).toBe(portableAcceptKey(key));
    expect(nodeCryptoSha1(true)!(key + WEBSOCKET_GUID)).toBe(portableAcceptKey(key));
    if (runtime === "bun") expect(bunSha1()!(key + WEBSOCKET_GUID)).toBe(portableAcceptKey(key));
    else expect(bunSha1()).toBe(null);
  });

  it("uses the portable SHA-1 while no native one is set, and the native one once set", () => {
    setNativeAcceptKey(null);
    expect(hasNativeAcceptKey()).toBe(false);
    expect(acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    const seen: string[] = [];
    setNativeAcceptKey((input) => {
      seen.push(input);
      return "from-the-port";
    });
    expect(acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe("from-the-port");
    expect(seen).toEqual(["dGhlIHNhbXBsZSBub25jZQ==" + WEBSOCKET_GUID]);
    reinstall();
    expect(acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });
});
