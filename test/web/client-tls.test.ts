/**
 * Our client's wss:// on the running runtime's own connector (node:tls,
 * Deno.connectTls, Bun.connect with tls) against ws over https, and the
 * connect options each runtime can or cannot honour (test/runtime-flags.ts).
 * The certificate is made at test time (test/peers/certificate.ts), for
 * localhost and 127.0.0.1.
 */
import { afterAll, describe, expect, it, itWithPeer } from "../harness.ts";
import { WebSocket, type WebSocketOptions } from "../entry.ts";
import { flags } from "../runtime-flags.ts";
import { hasOpenssl, localCertificate, OPENSSL_INSTALL_HINT as HINT } from "../peers/certificate.ts";
import { observe } from "../peers/observe.ts";
import { startWsServer, type PeerServer } from "../peers/servers.ts";

/** Opens, sends "hi", expects the echo, closes. */
async function echoOnce(url: string, options?: WebSocketOptions): Promise<void> {
  const ws = new WebSocket(url, undefined, options);
  const seen = observe(ws);
  await seen.opened;
  ws.send("hi");
  expect(await seen.next()).toBe("hi");
  ws.close();
  await seen.closed;
}

/** The error a failed connection dispatches, and the close code that follows. */
async function failure(url: string, options?: WebSocketOptions): Promise<{ error: unknown; code: number }> {
  const ws = new WebSocket(url, undefined, options);
  let error: unknown;
  ws.onerror = (event) => { error = (event as ErrorEvent).error; };
  const closed = await observe(ws).closed;
  return { error, code: closed.code };
}

describe("our client: wss:// on the runtime's own TLS", () => {
  let server: PeerServer | null = null;
  const secure = async () => (server ??= await startWsServer({ tls: localCertificate() }));
  afterAll(async () => { await server?.close(); });

  itWithPeer("trusts the server through `ca` and through `tls.ca`", hasOpenssl, HINT, async () => {
    const { url, port } = await secure();
    await echoOnce(url, { ca: localCertificate().cert });
    await echoOnce(`wss://localhost:${port}`, { tls: { ca: localCertificate().cert } });
  });

  itWithPeer("refuses a certificate it does not trust: error, then close 1006", hasOpenssl, HINT, async () => {
    const { url } = await secure();
    expect((await failure(url)).code).toBe(1006);
  });

  itWithPeer("tls.servername checks the certificate for that name", hasOpenssl, HINT, async () => {
    const { url } = await secure();
    const ca = localCertificate().cert;
    await echoOnce(url, { ca, tls: { servername: "localhost" } });
    expect((await failure(url, { ca, tls: { servername: "example.invalid" } })).code).toBe(1006);
  });

  itWithPeer(`tls.rejectUnauthorized: false ${flags.tlsRejectUnauthorized ? "accepts the untrusted certificate" : "is refused with a TypeError (Deno has no such switch)"}`, hasOpenssl, HINT, async () => {
    const { url } = await secure();
    if (flags.tlsRejectUnauthorized) {
      await echoOnce(url, { tls: { rejectUnauthorized: false } });
    } else {
      const { error, code } = await failure(url, { tls: { rejectUnauthorized: false } });
      expect(error).toBeInstanceOf(TypeError);
      expect(String((error as Error).message)).toMatch(/rejectUnauthorized/);
      expect(code).toBe(1006);
    }
  });
});

describe("our client: connect options the runtime has no equivalent for", () => {
  let plain: PeerServer | null = null;
  afterAll(async () => { await plain?.close(); });

  it(flags.passesConnectOptions
    ? "node:net and node:tls take any option: net.localAddress and tls.ciphers are used"
    : "tls.ciphers and net.localAddress are refused with a TypeError, then close 1006", async () => {
    if (flags.passesConnectOptions) {
      plain ??= await startWsServer();
      await echoOnce(plain.url, { net: { localAddress: "127.0.0.1" } });
      return;
    }
    const ciphers = await failure("wss://127.0.0.1:2", { tls: { ciphers: "HIGH" } });
    expect(ciphers.error).toBeInstanceOf(TypeError);
    expect(ciphers.code).toBe(1006);
    const net = await failure("ws://127.0.0.1:2", { net: { localAddress: "127.0.0.1" } });
    expect(net.error).toBeInstanceOf(TypeError);
  });

  itWithPeer(flags.passesConnectOptions ? "tls.ciphers reaches node:tls" : "tls.ciphers is refused even for a server that would accept it", hasOpenssl, HINT, async () => {
    const server = await startWsServer({ tls: localCertificate() });
    try {
      const options = { ca: localCertificate().cert, tls: { ciphers: "HIGH" } };
      if (flags.passesConnectOptions) {
        await echoOnce(server.url, options);
        // A cipher list that matches nothing: node:tls refuses to connect.
        expect((await failure(server.url, { ca: localCertificate().cert, tls: { ciphers: "NO-SUCH-CIPHER" } })).code).toBe(1006);
      } else {
        expect((await failure(server.url, options)).error).toBeInstanceOf(TypeError);
      }
    } finally {
      await server.close();
    }
  });
});
