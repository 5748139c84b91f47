/**
 * Our client through real HTTP proxies, on the running runtime's own
 * connector (Node: node:net/tls, Deno: Deno.connect/startTls, Bun:
 * Bun.connect/upgradeTLS; node:tls for TLS inside an https: proxy):
 *
 *   client --CONNECT--> tinyproxy ---------------------> our server   ws://, wss:// (TLS inside the tunnel)
 *   client --TLS--> stunnel --> tinyproxy --CONNECT----> our server   an https: proxy, ws:// and wss://
 *   client --TLS--> nginx (docs/proxies.md recipe) --HTTP/1.1 upgrade--> our server
 *
 * tinyproxy logs every CONNECT it serves, which shows the client did not
 * connect directly. Refusals (407 from BasicAuth, 403 from Allow and
 * ConnectPort, a proxy that hangs up) fire "error" then "close" 1006 with
 * the proxy's statusCode and headers. Runs under vitest, deno test and bun test.
 */
import { readFileSync } from "node:fs";
import tls from "node:tls";
import { afterAll, describe, expect, it, itWithPeer, runtime, until } from "../harness.ts";
import { hasOpenssl, localCertificate, OPENSSL_INSTALL_HINT } from "../peers/certificate.ts";
import { observe } from "../peers/observe.ts";
import {
  hasNginx,
  hasStunnel,
  hasTinyproxy,
  NGINX_INSTALL_HINT,
  NGINX_RECIPE,
  startNginx,
  startStunnel,
  startTinyproxy,
  STUNNEL_INSTALL_HINT,
  TINYPROXY_INSTALL_HINT,
  type RunningPeer,
  type Tinyproxy,
} from "../peers/proxies.ts";
import { startHookServer, startRawServer, type HookServer, type PeerServer } from "../peers/servers.ts";
import { echoThroughProxy } from "../../examples/proxy-client.ts";
import { checkExcerpts } from "../peers/excerpts.ts";
import { nodeConnector } from "../../src/runtime/node/connect.ts";
import { getConnector } from "../../src/web/transport/runtime.ts";
// The client under test: the running runtime's own entry.
import { bun, deno, WebSocket, type WebSocketOptions } from "../entry.ts";

type WebSocketType = WebSocket;

const TINYPROXY = [hasTinyproxy, TINYPROXY_INSTALL_HINT] as const;
const withTls = (has: () => boolean, hint: string) =>
  [() => has() && hasOpenssl(), `${hint}; ${OPENSSL_INSTALL_HINT}`] as const;
const cert = () => localCertificate();

/** Opens, sends "hi", expects the echo, closes; resolves with the socket. */
async function echoOnce(url: string, options?: WebSocketOptions): Promise<WebSocketType> {
  const ws = new WebSocket(url, undefined, options);
  const seen = observe(ws);
  await seen.opened;
  ws.send("hi");
  expect(await seen.next()).toBe("hi");
  ws.close(1000);
  expect((await seen.closed).code).toBe(1000);
  return ws;
}

interface Failure {
  ws: WebSocketType;
  error: { code?: string; statusCode?: number; message?: string } | undefined;
  code: number;
  order: string[];
}

/** A connection that must fail: the error event's error, the close code, and the event order. */
async function failure(url: string, options?: WebSocketOptions): Promise<Failure> {
  const ws = new WebSocket(url, undefined, options);
  let error: Failure["error"];
  ws.addEventListener("error", (event) => { error = (event as ErrorEvent).error; });
  const seen = observe(ws);
  const closed = await seen.closed;
  return { ws, error, code: closed.code, order: seen.order };
}

/** Lazily started peers, stopped after the file. */
const peers: Array<{ close(): Promise<void> }> = [];
function lazy<T extends { close(): Promise<void> }>(start: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () => (running ??= start().then((peer) => { peers.push(peer); return peer; }));
}

const plainServer = lazy(() => startHookServer());
const servernames: string[] = [];
const secureServer = lazy(() =>
  startHookServer({
    tls: cert(),
    onConnection: (_ws, _req, socket) => { servernames.push(String((socket as tls.TLSSocket).servername)); },
  }));
const openProxy = lazy(() => startTinyproxy());
const authProxy = lazy(() => startTinyproxy({ auth: { user: "alice", password: "s3cret" } }));
/** TLS (stunnel) in front of tinyproxy: an https: proxy. */
const httpsProxy = lazy(async () => {
  const inner = await openProxy();
  const front = await startStunnel(inner.port, cert());
  return { ...front, inner, origin: `https://127.0.0.1:${front.port}` };
});

/** How many CONNECT requests for host:port tinyproxy logged. */
function connectsTo(proxy: Tinyproxy, port: number, host = "127.0.0.1"): number {
  return proxy.output().split(`: CONNECT ${host}:${port} `).length - 1;
}

/**
 * Waits until tinyproxy's log (which comes through a pipe, a little later)
 * holds `count` CONNECT requests for host:port, then checks it holds no more.
 */
async function logged(proxy: Tinyproxy, port: number, count: number, host = "127.0.0.1"): Promise<void> {
  await until(() => connectsTo(proxy, port, host) >= count, 10_000, `${count} CONNECT ${host}:${port} in tinyproxy's log`);
  expect(connectsTo(proxy, port, host)).toBe(count);
}

describe(`our client (${runtime}) and real proxies`, () => {
afterAll(async () => {
  for (const peer of peers.splice(0)) await peer.close();
});

it("docs/proxies.md quotes its examples and the nginx recipe exactly", () => {
  expect(checkExcerpts("docs/proxies.md")).toEqual(["examples/proxy-client.ts", "examples/event-source-proxy.ts"]);
  const docs = readFileSync(new URL("../../docs/proxies.md", import.meta.url), "utf8");
  expect(docs).toContain("```nginx\n# examples/nginx/websocket.conf\n" + readFileSync(NGINX_RECIPE, "utf8") + "```\n");
});

it("dials through this runtime's own connector", () => {
  expect(getConnector()).toBe(deno?.denoConnector ?? bun?.bunConnector ?? nodeConnector);
});

describe("through tinyproxy: http: proxies", () => {
  itWithPeer("tunnels ws:// with CONNECT", ...TINYPROXY, async () => {
    const [proxy, server] = [await openProxy(), await plainServer()];
    const before = connectsTo(proxy, server.port);
    await echoOnce(server.url, { proxy: { origin: proxy.origin } });
    await logged(proxy, server.port, before + 1);
  });

  itWithPeer("tunnels wss:// with TLS to the origin inside the tunnel, SNI included", ...withTls(hasTinyproxy, TINYPROXY_INSTALL_HINT), async () => {
    const [proxy, server] = [await openProxy(), await secureServer()];
    await echoOnce(`wss://localhost:${server.port}`, { ca: cert().cert, proxy: { origin: proxy.origin } });
    await until(() => connectsTo(proxy, server.port, "localhost") > 0, 10_000, "tinyproxy's log");
    expect(servernames.at(-1)).toBe("localhost");
  });

  itWithPeer("refuses an origin certificate it does not trust: error, then close 1006", ...withTls(hasTinyproxy, TINYPROXY_INSTALL_HINT), async () => {
    const [proxy, server] = [await openProxy(), await secureServer()];
    const { code, order } = await failure(`wss://127.0.0.1:${server.port}`, { proxy: { origin: proxy.origin } });
    expect(code).toBe(1006);
    expect(order.join()).toBe("error,close");
  });

  itWithPeer("sends user:pass from the origin as Proxy-Authorization (Basic)", ...TINYPROXY, async () => {
    const [proxy, server] = [await authProxy(), await plainServer()];
    await echoOnce(server.url, { proxy: { origin: proxy.origin.replace("//", "//alice:s3cret@") } });
    // proxy.headers carry it too (any scheme a proxy wants).
    await echoOnce(server.url, { proxy: { origin: proxy.origin, headers: { "Proxy-Authorization": "Basic YWxpY2U6czNjcmV0" } } });
  });

  itWithPeer("the example of docs/proxies.md: echo through an authenticating proxy, and its refusal", ...TINYPROXY, async () => {
    const [proxy, server] = [await authProxy(), await plainServer()];
    expect(await echoThroughProxy(server.url, proxy.origin.replace("//", "//alice:s3cret@"))).toBe("through the proxy");
    const refused = await echoThroughProxy(server.url, proxy.origin).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(Error);
    const { code, proxyStatus, proxyHeaders } = refused as { code: string; proxyStatus: number; proxyHeaders: Record<string, string> };
    expect([code, proxyStatus]).toEqual(["WS_ERR_PROXY_AUTH", 407]);
    expect(proxyHeaders["proxy-authenticate"]).toMatch(/^Basic /);
  });

  itWithPeer("407 without credentials: error (WS_ERR_PROXY_AUTH), close 1006, the proxy's status and headers", ...TINYPROXY, async () => {
    const [proxy, server] = [await authProxy(), await plainServer()];
    const { ws, error, code, order } = await failure(server.url, { proxy: { origin: proxy.origin } });
    expect(order.join()).toBe("error,close");
    expect(code).toBe(1006);
    expect(error?.code).toBe("WS_ERR_PROXY_AUTH");
    expect(ws.statusCode).toBe(407);
    expect(ws.headers["proxy-authenticate"]).toMatch(/^Basic /);
  });

  itWithPeer("wrong credentials (tinyproxy answers 401): WS_ERR_PROXY_AUTH too", ...TINYPROXY, async () => {
    const [proxy, server] = [await authProxy(), await plainServer()];
    const { ws, error, code } = await failure(server.url, { proxy: { origin: proxy.origin.replace("//", "//alice:wrong@") } });
    expect(code).toBe(1006);
    expect(error?.code).toBe("WS_ERR_PROXY_AUTH");
    expect(ws.statusCode).toBe(401);
  });

  itWithPeer("403 from an Allow rule that leaves us out: WS_ERR_PROXY_REFUSED", ...TINYPROXY, async () => {
    const proxy = await lazy(() => startTinyproxy({ allow: "192.0.2.1" }))();
    const server = await plainServer();
    const { ws, error, code } = await failure(server.url, { proxy: { origin: proxy.origin } });
    expect(code).toBe(1006);
    expect(error?.code).toBe("WS_ERR_PROXY_REFUSED");
    expect(ws.statusCode).toBe(403);
  });

  itWithPeer("403 from ConnectPort rules that do not list the origin's port", ...TINYPROXY, async () => {
    const proxy = await lazy(() => startTinyproxy({ connectPorts: [443] }))();
    const server = await plainServer();
    const { ws, error } = await failure(server.url, { proxy: { origin: proxy.origin } });
    expect(error?.code).toBe("WS_ERR_PROXY_REFUSED");
    expect(ws.statusCode).toBe(403);
  });

  itWithPeer("an origin the proxy cannot reach: the proxy's error status", ...TINYPROXY, async () => {
    const proxy = await openProxy();
    const closed = await startRawServer((socket) => socket.destroy());
    const port = closed.port;
    await closed.close();
    const { ws, error, code } = await failure(`ws://127.0.0.1:${port}`, { proxy: { origin: proxy.origin } });
    expect(code).toBe(1006);
    expect(error?.code).toBe("WS_ERR_PROXY_REFUSED");
    expect(ws.statusCode! >= 500).toBe(true);
  });

  it("a proxy on a dead port fails the connection: no direct connection behind its back", async () => {
    const server = await plainServer();
    const dead = await startRawServer((socket) => socket.destroy());
    const port = dead.port;
    await dead.close();
    const before = server.sockets.length;
    const { code, order } = await failure(server.url, { proxy: { origin: `http://127.0.0.1:${port}` } });
    expect(code).toBe(1006);
    expect(order.join()).toBe("error,close");
    expect(server.sockets.length).toBe(before);
  });

  it("a proxy that hangs up before answering: WS_ERR_PROXY_CLOSED", async () => {
    const hangUp: PeerServer = await startRawServer((socket) => socket.once("data", () => socket.destroy()));
    try {
      const { error, code } = await failure("ws://127.0.0.1:2", { proxy: { origin: `http://127.0.0.1:${hangUp.port}` } });
      expect(code).toBe(1006);
      expect(error?.code).toBe("WS_ERR_PROXY_CLOSED");
    } finally {
      await hangUp.close();
    }
  });

  it("close() while the proxy has not answered: close 1006, and the connection to the proxy is dropped", async () => {
    let proxySide: import("node:net").Socket | undefined;
    let dropped = false;
    const silent: PeerServer = await startRawServer((socket) => {
      proxySide = socket;
      // Read (and ignore) the CONNECT; the client hanging up ends the stream.
      socket.resume();
      socket.on("end", () => { dropped = true; });
    });
    try {
      const ws = new WebSocket("ws://127.0.0.1:2", undefined, { proxy: { origin: `http://127.0.0.1:${silent.port}` } });
      const seen = observe(ws);
      await until(() => proxySide !== undefined, 10_000, "the CONNECT to arrive");
      ws.close();
      expect((await seen.closed).code).toBe(1006);
      await until(() => dropped, 10_000, "the proxy connection to close");
    } finally {
      await silent.close();
    }
  });

  it("a proxy URL that is not http: or https: is a TypeError, reported as error then close 1006", async () => {
    const { error, code } = await failure("ws://127.0.0.1:2", { proxy: { origin: "socks5://127.0.0.1:1080" } });
    expect(error).toBeInstanceOf(TypeError);
    expect(code).toBe(1006);
  });

  itWithPeer('proxy: "env" reads HTTP_PROXY and NO_PROXY', ...TINYPROXY, async () => {
    const [proxy, server] = [await openProxy(), await plainServer()];
    const env = process.env;
    const saved = { HTTP_PROXY: env.HTTP_PROXY, http_proxy: env.http_proxy, NO_PROXY: env.NO_PROXY, no_proxy: env.no_proxy };
    try {
      delete env.http_proxy;
      delete env.no_proxy;
      delete env.NO_PROXY;
      env.HTTP_PROXY = proxy.origin;
      const before = connectsTo(proxy, server.port);
      await echoOnce(server.url, { proxy: "env" });
      await logged(proxy, server.port, before + 1);
      // NO_PROXY lists the host; then without "env" the variables are not
      // read: two direct connections. A last one through the proxy shows
      // in the log right after the first (the log is in order).
      env.NO_PROXY = "localhost,127.0.0.1";
      await echoOnce(server.url, { proxy: "env" });
      delete env.NO_PROXY;
      await echoOnce(server.url);
      await echoOnce(server.url, { proxy: { origin: proxy.origin } });
      await logged(proxy, server.port, before + 2);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete env[name];
        else env[name] = value;
      }
    }
  });
});

describe("through an https: proxy (stunnel in front of tinyproxy)", () => {
  const peer = withTls(() => hasTinyproxy() && hasStunnel(), `${TINYPROXY_INSTALL_HINT}; ${STUNNEL_INSTALL_HINT}`);

  itWithPeer("ws://: TLS to the proxy (proxy.tls), CONNECT inside it", ...peer, async () => {
    const [proxy, server] = [await httpsProxy(), await plainServer()];
    const before = connectsTo(proxy.inner, server.port);
    await echoOnce(server.url, { proxy: { origin: proxy.origin, tls: { ca: cert().cert } } });
    await logged(proxy.inner, server.port, before + 1);
  });

  itWithPeer("wss://: TLS to the proxy, then TLS to the origin inside it", ...peer, async () => {
    const [proxy, server] = [await httpsProxy(), await secureServer()];
    const before = connectsTo(proxy.inner, server.port, "localhost");
    await echoOnce(`wss://localhost:${server.port}`, { ca: cert().cert, proxy: { origin: proxy.origin, tls: { ca: cert().cert } } });
    await logged(proxy.inner, server.port, before + 1, "localhost");
    expect(servernames.at(-1)).toBe("localhost");
  });

  itWithPeer("a proxy certificate it does not trust: error, then close 1006", ...peer, async () => {
    const [proxy, server] = [await httpsProxy(), await plainServer()];
    const { code, order } = await failure(server.url, { proxy: { origin: proxy.origin } });
    expect(code).toBe(1006);
    expect(order.join()).toBe("error,close");
  });
});

describe("behind nginx as a TLS-terminating reverse proxy", () => {
  let nginx: RunningPeer | null = null;
  let server: HookServer | null = null;
  const forwarded: Array<string | undefined> = [];
  const start = async () => {
    server ??= await startHookServer({
      onConnection: (_ws, req) => { forwarded.push(req.headers["x-forwarded-proto"] as string | undefined); },
    });
    nginx ??= await startNginx(server.port, cert());
    return nginx;
  };
  afterAll(async () => {
    await nginx?.close();
    await server?.close();
  });

  itWithPeer("wss:// to nginx reaches our ws:// server; messages both ways, clean close", ...withTls(hasNginx, NGINX_INSTALL_HINT), async () => {
    const { port } = await start();
    const ws = new WebSocket(`wss://localhost:${port}/chat`, undefined, { ca: cert().cert });
    const seen = observe(ws);
    await seen.opened;
    for (const message of ["hi", "x".repeat(70_000)]) {
      ws.send(message);
      expect(await seen.next()).toBe(message);
    }
    ws.close(1000, "bye");
    const closed = await seen.closed;
    expect(closed.code).toBe(1000);
    expect(closed.wasClean).toBe(true);
    expect(forwarded.at(-1)).toBe("https");
  });
});
});
