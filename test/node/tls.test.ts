/**
 * wss:// with our client, against an https server running our upgrade hook
 * and against ws over https. The certificate is made at test time with
 * openssl: self-signed, for the names "localhost" and "example.test" (no IP
 * address), so the checks below can fail for the right reason.
 */
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, itWithPeer } from "../harness.ts";
import { WebSocket, type WebSocketOptions } from "../../src/runtime/node/index.ts";
import { hasOpenssl, localCertificate, OPENSSL_INSTALL_HINT as HINT } from "../peers/certificate.ts";
import { startHookServer, startWsServer, type HookServer, type PeerServer, type TlsPair } from "../peers/servers.ts";

const available = hasOpenssl();

interface Outcome {
  opened: boolean;
  order: string[];
  close: CloseEvent;
  error?: ErrorEvent;
  echo?: string;
}

/** Connects, sends "ping?" once open, and closes after the echo; resolves on close. */
function run(url: string, options: WebSocketOptions): Promise<Outcome> {
  const socket = new WebSocket(url, undefined, options);
  const order: string[] = [];
  let opened = false;
  let error: ErrorEvent | undefined;
  let echo: string | undefined;
  socket.onopen = () => {
    opened = true;
    order.push("open");
    socket.send("ping?");
  };
  socket.onmessage = (e) => {
    echo = e.data as string;
    socket.close(1000);
  };
  socket.onerror = (e) => {
    error = e as ErrorEvent;
    order.push("error");
  };
  return new Promise((resolve) => {
    socket.onclose = (close) => {
      order.push("close");
      resolve({ opened, order, close, error, echo });
    };
  });
}

describe("wss:// (node:tls)", () => {
  let tls: TlsPair;
  let ours: HookServer;
  let theirs: PeerServer;
  const servernames: (string | false)[] = [];
  beforeAll(async () => {
    if (!available) return;
    tls = localCertificate("DNS:localhost,DNS:example.test");
    ours = await startHookServer({
      tls,
      onConnection: (_ws, req) => servernames.push((req.socket as TLSSocket).servername ?? false),
    });
    theirs = await startWsServer({ tls });
  });
  afterAll(async () => {
    await ours?.close();
    await theirs?.close();
  });

  itWithPeer("our client -> our hook on https, trusted with `ca`", () => available, HINT, async () => {
    servernames.length = 0;
    const result = await run(`wss://localhost:${ours.port}/secure`, { ca: tls.cert });
    expect(result.order).toEqual(["open", "close"]);
    expect(result.echo).toBe("ping?");
    expect(result.close.wasClean).toBe(true);
    expect(ours.sockets.at(-1)!.url).toBe(`wss://localhost:${ours.port}/secure`);
    // SNI carries the URL's host name.
    expect(servernames).toEqual(["localhost"]);
  });

  itWithPeer("our client -> ws over https, trusted with `tls.ca`", () => available, HINT, async () => {
    const result = await run(`wss://localhost:${theirs.port}/`, { tls: { ca: tls.cert } });
    expect(result.order).toEqual(["open", "close"]);
    expect(result.echo).toBe("ping?");
    expect(result.close.code).toBe(1000);
  });

  for (const [name, port] of [["our hook", () => ours.port], ["ws", () => theirs.port]] as const) {
    itWithPeer(`${name}: an untrusted certificate is an error, then close 1006`, () => available, HINT, async () => {
      const result = await run(`wss://localhost:${port()}/`, {});
      expect(result.opened).toBe(false);
      expect(result.order).toEqual(["error", "close"]);
      expect(result.close.code).toBe(1006);
      expect(result.close.wasClean).toBe(false);
      expect((result.error!.error as { code?: string }).code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
    });

    itWithPeer(`${name}: tls.rejectUnauthorized false accepts it`, () => available, HINT, async () => {
      const result = await run(`wss://localhost:${port()}/`, { tls: { rejectUnauthorized: false } });
      expect(result.order).toEqual(["open", "close"]);
      expect(result.echo).toBe("ping?");
    });
  }

  itWithPeer("an IP address the certificate does not name is refused", () => available, HINT, async () => {
    const result = await run(`wss://127.0.0.1:${ours.port}/`, { ca: tls.cert });
    expect(result.order).toEqual(["error", "close"]);
    expect(result.close.code).toBe(1006);
    expect((result.error!.error as { code?: string }).code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
  });

  itWithPeer("tls.servername names the host to verify and sends it as SNI", () => available, HINT, async () => {
    servernames.length = 0;
    const result = await run(`wss://127.0.0.1:${ours.port}/`, { ca: tls.cert, tls: { servername: "example.test" } });
    expect(result.order).toEqual(["open", "close"]);
    expect(result.echo).toBe("ping?");
    expect(servernames).toEqual(["example.test"]);
  });
});
