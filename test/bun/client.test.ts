/**
 * Our client on Bun (Bun.connect, with tls for wss://) against servers
 * nobody here wrote: ws (through Bun's node compat, loaded from
 * node_modules rather than Bun's built-in stand-in) and Python websockets.
 */
import { afterAll, describe, expect, it, itWithPeer } from "../harness.ts";
import { bunConnector, WebSocket, type WebSocketOptions } from "../../src/runtime/bun/index.ts";
import { getConnector } from "../../src/web/transport/runtime.ts";
import { hasOpenssl, localCertificate, OPENSSL_INSTALL_HINT } from "../peers/certificate.ts";
import { observe } from "../peers/observe.ts";
import { clientTests } from "../peers/runtime-scenarios.ts";
import { startWsServer, type PeerServer } from "../peers/servers.ts";

describe("the Bun entry", () => {
  it("registers the Bun.connect connector", () => {
    expect(getConnector()).toBe(bunConnector);
  });
});

clientTests("our client (Bun.connect)", WebSocket);

async function echoOnce(url: string, options?: WebSocketOptions): Promise<void> {
  const ws = new WebSocket(url, undefined, options);
  const seen = observe(ws);
  await seen.opened;
  ws.send("hi");
  expect(await seen.next()).toBe("hi");
  ws.close();
  await seen.closed;
}

async function failure(url: string, options?: WebSocketOptions): Promise<{ error: unknown; code: number }> {
  const ws = new WebSocket(url, undefined, options);
  let error: unknown;
  ws.onerror = (event) => { error = (event as ErrorEvent).error; };
  const closed = await observe(ws).closed;
  return { error, code: closed.code };
}

describe("our client on Bun: wss://", () => {
  let server: PeerServer | null = null;
  const secure = async () => (server ??= await startWsServer({ tls: localCertificate() }));
  afterAll(async () => { await server?.close(); });

  itWithPeer("trusts the server through `ca`", hasOpenssl, OPENSSL_INSTALL_HINT, async () => {
    const { url, port } = await secure();
    await echoOnce(url, { ca: localCertificate().cert });
    await echoOnce(`wss://localhost:${port}`, { tls: { ca: localCertificate().cert } });
  });

  itWithPeer("refuses a certificate it does not trust: error, then close 1006", hasOpenssl, OPENSSL_INSTALL_HINT, async () => {
    const { url } = await secure();
    expect((await failure(url)).code).toBe(1006);
  });

  itWithPeer("tls.rejectUnauthorized: false accepts it (Bun can)", hasOpenssl, OPENSSL_INSTALL_HINT, async () => {
    const { url } = await secure();
    await echoOnce(url, { tls: { rejectUnauthorized: false } });
  });

  it("refuses options Bun has no equivalent for, with a TypeError", async () => {
    const tls = await failure("wss://127.0.0.1:2", { tls: { ciphers: "HIGH" } });
    expect(tls.error).toBeInstanceOf(TypeError);
    expect(tls.code).toBe(1006);
    expect((await failure("ws://127.0.0.1:2", { net: { localAddress: "127.0.0.1" } })).error).toBeInstanceOf(TypeError);
  });

  it("a refused TCP connection: error, then close 1006", async () => {
    const { error, code } = await failure("ws://127.0.0.1:2");
    expect(code).toBe(1006);
    expect(error).toBeDefined();
  });
});
