/**
 * Our client on Deno (Deno.connect / Deno.connectTls / CONNECT tunnels)
 * against servers nobody here wrote: ws (through Deno's node compat) and
 * Python websockets; then wss://. Proxies: test/web/proxy.test.ts (tinyproxy, stunnel, nginx).
 */
import { afterAll, describe, expect, it, itWithPeer } from "../harness.ts";
import { denoConnector, WebSocket, type WebSocketOptions } from "../../src/runtime/deno/index.ts";
import { getConnector } from "../../src/web/transport/runtime.ts";
import { hasOpenssl, localCertificate, OPENSSL_INSTALL_HINT } from "../peers/certificate.ts";
import { observe } from "../peers/observe.ts";
import { clientTests } from "../peers/runtime-scenarios.ts";
import { startWsServer, type PeerServer } from "../peers/servers.ts";

describe("the Deno entry", () => {
  it("registers the Deno.connect connector", () => {
    expect(getConnector()).toBe(denoConnector);
  });
});

clientTests("our client (Deno.connect)", WebSocket);

/** Opens, sends "hi", expects the echo; resolves with the socket once closed again. */
async function echoOnce(url: string, options?: WebSocketOptions): Promise<WebSocket> {
  const ws = new WebSocket(url, undefined, options);
  const seen = observe(ws);
  await seen.opened;
  ws.send("hi");
  expect(await seen.next()).toBe("hi");
  ws.close();
  await seen.closed;
  return ws;
}

/** The error event a failed connection dispatches (with the close that follows). */
async function failure(url: string, options?: WebSocketOptions): Promise<{ error: unknown; code: number }> {
  const ws = new WebSocket(url, undefined, options);
  let error: unknown;
  ws.onerror = (event) => { error = (event as ErrorEvent).error; };
  const closed = await observe(ws).closed;
  return { error, code: closed.code };
}

describe("our client on Deno: wss://", () => {
  let server: PeerServer | null = null;
  const secure = async () => (server ??= await startWsServer({ tls: localCertificate() }));
  afterAll(async () => { await server?.close(); });

  itWithPeer("trusts the server through `ca` (Deno.connectTls caCerts)", hasOpenssl, OPENSSL_INSTALL_HINT, async () => {
    const { url, port } = await secure();
    await echoOnce(url, { ca: localCertificate().cert });
    await echoOnce(`wss://localhost:${port}`, { tls: { ca: [localCertificate().cert] } });
  });

  itWithPeer("refuses a certificate it does not trust: error, then close 1006", hasOpenssl, OPENSSL_INSTALL_HINT, async () => {
    const { url } = await secure();
    expect((await failure(url)).code).toBe(1006);
  });

  itWithPeer("tls.servername checks the certificate for that name (Deno.startTls)", hasOpenssl, OPENSSL_INSTALL_HINT, async () => {
    const { url } = await secure();
    const ca = localCertificate().cert;
    await echoOnce(url, { ca, tls: { servername: "localhost" } });
    expect((await failure(url, { ca, tls: { servername: "example.invalid" } })).code).toBe(1006);
  });

  it("refuses TLS options Deno has no equivalent for, with a TypeError", async () => {
    const unauthorized = await failure("wss://127.0.0.1:2", { tls: { rejectUnauthorized: false } });
    expect(unauthorized.error).toBeInstanceOf(TypeError);
    expect(String((unauthorized.error as Error).message)).toMatch(/rejectUnauthorized/);
    const unknown = await failure("wss://127.0.0.1:2", { tls: { ciphers: "HIGH" } });
    expect(unknown.error).toBeInstanceOf(TypeError);
    const net = await failure("ws://127.0.0.1:2", { net: { localAddress: "127.0.0.1" } });
    expect(net.error).toBeInstanceOf(TypeError);
  });
});
