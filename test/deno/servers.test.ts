/**
 * Deno's native WebSocket client (and ours) against every server form on
 * Deno: the standalone listen() (our engine on Deno.listen), the
 * Deno.serve integration (upgrade(): Deno's engine, our API), and the Node
 * entry's faye-style hook in node:http's upgrade event.
 */
import { afterAll, describe, expect, it, itWithPeer, until } from "../harness.ts";
import { type HostedWebSocket, isWebSocketRequest, listen, upgrade, WebSocket } from "../../src/runtime/deno/index.ts";
import { localCertificate, hasOpenssl, OPENSSL_INSTALL_HINT } from "../peers/certificate.ts";
import { observe } from "../peers/observe.ts";
import { arrivals, serverFormTests, SERVER_PROTOCOLS, type Connect, type ServerForm, type ServerSide } from "../peers/runtime-scenarios.ts";
import { startOurServer } from "../peers/servers.ts";

declare const Deno: {
  connect(options: { hostname: string; port: number }): Promise<{ read(p: Uint8Array): Promise<number | null>; close(): void }>;
  serve(
    options: { hostname: string; port: number; onListen?: () => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
};

const native: Connect = (url, protocols) => new globalThis.WebSocket(url, protocols);
const ours: Connect = (url, protocols) => new WebSocket(url, protocols);

function standalone(): Promise<ServerForm> {
  const queue = arrivals();
  const server = listen({ hostname: "127.0.0.1", port: 0, protocols: SERVER_PROTOCOLS }, (ws) => queue.arrived(ws));
  return Promise.resolve({ url: server.url, pings: true, next: queue.next, close: () => server.close() });
}

function denoServe(): Promise<ServerForm> {
  const queue = arrivals();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    if (!isWebSocketRequest(request)) return new Response("not a websocket", { status: 400 });
    const { socket, response } = upgrade(request, { protocols: SERVER_PROTOCOLS });
    queue.arrived(socket);
    return response;
  });
  return Promise.resolve({ url: `ws://127.0.0.1:${server.addr.port}`, pings: false, next: queue.next, close: () => server.shutdown() });
}

async function nodeHttp(): Promise<ServerForm> {
  const queue = arrivals();
  const server = await startOurServer({ protocols: SERVER_PROTOCOLS, echo: false, onConnection: (ws) => queue.arrived(ws as ServerSide) });
  return Promise.resolve({ url: server.url, pings: true, next: queue.next, close: () => server.close() });
}

serverFormTests("Deno's WebSocket -> listen() (Deno.listen, our engine)", standalone, native);
serverFormTests("Deno's WebSocket -> upgrade() in Deno.serve", denoServe, native);
serverFormTests("Deno's WebSocket -> node:http upgrade hook", nodeHttp, native);
serverFormTests("our client (Deno.connect) -> listen()", standalone, ours);
serverFormTests("our client (Deno.connect) -> upgrade() in Deno.serve", denoServe, ours);

describe("upgrade() in Deno.serve: options", () => {
  const servers: { shutdown(): Promise<void> }[] = [];
  afterAll(async () => { for (const s of servers) await s.shutdown(); });

  function serve(handler: (request: Request) => Response): string {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
    servers.push(server);
    return `ws://127.0.0.1:${server.addr.port}`;
  }

  it("refuses options Deno cannot honour with a TypeError, before upgrading", async () => {
    const errors: string[] = [];
    const url = serve((request) => {
      for (const options of [{ extensions: [] }, { maxLength: 10 }, { closeTimeout: 5 }, { origin: "x" }]) {
        try {
          upgrade(request, options as never);
          errors.push("no error");
        } catch (err) {
          errors.push(err instanceof TypeError ? Object.keys(options)[0]! : String(err));
        }
      }
      return upgrade(request).response;
    });
    const seen = observe(new globalThis.WebSocket(url));
    await seen.opened;
    expect(errors).toEqual(["extensions", "maxLength", "closeTimeout", "origin"]);
  });

  it("adds the extra headers to the 101 and refuses the handshake's own", async () => {
    let refused = "";
    const url = serve((request) => {
      try {
        upgrade(request, { headers: { "Sec-WebSocket-Accept": "x" } });
      } catch (err) {
        refused = (err as Error).constructor.name;
      }
      return upgrade(request, { headers: { "X-Served-By": "omnisocket" } }).response;
    });
    const ws = new WebSocket(url);
    const seen = observe(ws);
    await seen.opened;
    expect(refused).toBe("TypeError");
    expect(ws.headers["x-served-by"]).toBe("omnisocket");
    ws.close();
  });

  it("chooses no subprotocol when none is in common: no Sec-WebSocket-Protocol, so our client fails (WHATWG)", async () => {
    let server: HostedWebSocket | null = null;
    const url = serve((request) => {
      const result = upgrade(request, { protocols: ["other"] });
      server = result.socket;
      return result.response;
    });
    const client = new WebSocket(url, ["chat"]);
    const closed = await observe(client).closed;
    expect(closed.code).toBe(1006);
    expect(client.statusCode).toBe(101);
    expect(client.headers["sec-websocket-protocol"]).toBeUndefined();
    expect(server!.protocol).toBe("");
  });

  it("ping: Deno pings at that interval (its idleTimeout); without it, no pings", async () => {
    const pinging = serve((request) => upgrade(request, { ping: 0.2 }).response);
    const quiet = serve((request) => upgrade(request).response);
    const a = new WebSocket(pinging);
    const b = new WebSocket(quiet);
    const seenA = observe(a);
    const seenB = observe(b);
    await seenA.opened;
    await seenB.opened;
    await until(() => seenA.pings.length >= 2, 10_000, "two pings");
    expect(seenB.pings).toEqual([]);
    a.close();
    b.close();
  });

  it("terminate(): our side reports 1006 (not clean) at once; Deno closes its end with a Close", async () => {
    let server: HostedWebSocket | null = null;
    const url = serve((request) => {
      const result = upgrade(request);
      server = result.socket;
      return result.response;
    });
    const client = observe(new WebSocket(url));
    await client.opened;
    await until(() => server?.readyState === 1, 10_000, "server open");
    const seen = observe(server!);
    server!.terminate();
    expect(server!.readyState).toBe(3);
    expect(await seen.closed).toEqual({ code: 1006, reason: "", wasClean: false });
    expect(seen.order).toEqual(["error", "close"]);
    await client.closed;
  });

  it("socket is CONNECTING until the response goes out; send() then throws InvalidStateError", async () => {
    let state = -1;
    let error = "";
    const url = serve((request) => {
      const { socket, response } = upgrade(request);
      state = socket.readyState;
      try {
        socket.send("too early");
      } catch (err) {
        error = (err as DOMException).name;
      }
      return response;
    });
    const seen = observe(new globalThis.WebSocket(url));
    await seen.opened;
    expect(state).toBe(0);
    expect(error).toBe("InvalidStateError");
  });

  it("binaryType option, and the request headers on the socket", async () => {
    let server: HostedWebSocket | null = null;
    const url = serve((request) => {
      const result = upgrade(request, { binaryType: "uint8array" });
      server = result.socket;
      result.socket.onmessage = (event) => result.socket.send(String(event.data instanceof Uint8Array));
      return result.response;
    });
    const client = new globalThis.WebSocket(url);
    const seen = observe(client);
    await seen.opened;
    client.send(new Uint8Array([1, 2, 3]));
    expect(await seen.next()).toBe("true");
    expect(server!.headers["upgrade"]).toBe("websocket");
    client.close();
  });

  it("the socket is the one WebSocket class (a HostDriver under it): WebIDL layout, bufferedAmount at send()", async () => {
    let server: HostedWebSocket | null = null;
    const url = serve((request) => {
      const result = upgrade(request);
      server = result.socket;
      result.socket.onopen = () => {
        result.socket.send("héllo");
        sentAt = result.socket.bufferedAmount;
      };
      return result.response;
    });
    let sentAt = -1;
    const client = new globalThis.WebSocket(url);
    const seen = observe(client);
    await seen.opened;
    expect(await seen.next()).toBe("héllo");
    expect(server).toBeInstanceOf(WebSocket);
    expect(Object.getPrototypeOf(server!)).toBe(WebSocket.prototype);
    expect(Object.prototype.toString.call(server)).toBe("[object WebSocket]");
    expect(sentAt).toBe(6); // UTF-8 bytes, counted in send()
    await until(() => server!.bufferedAmount === 0, 10_000, "bufferedAmount 0");
    client.close();
  });
});

describe("listen() on Deno.listen: our engine's options and limits", () => {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(async () => { for (const s of servers) await s.close(); });

  it("maxLength: a larger message closes with 1009", async () => {
    const server = listen({ hostname: "127.0.0.1", port: 0, maxLength: 100 }, () => {});
    servers.push(server);
    const client = new globalThis.WebSocket(server.url);
    const seen = observe(client);
    await seen.opened;
    client.send("x".repeat(101));
    expect((await seen.closed).code).toBe(1009);
  });

  it("verify(request): false answers 403 and the client fails; true lets it in with the request", async () => {
    const paths: string[] = [];
    const server = listen({
      hostname: "127.0.0.1",
      port: 0,
      verify: (request) => new URL(request.url).pathname !== "/forbidden",
    }, (_ws, request) => paths.push(new URL(request.url).pathname));
    servers.push(server);
    const refused = new WebSocket(server.url + "/forbidden");
    const seenRefused = observe(refused);
    expect((await seenRefused.closed).code).toBe(1006);
    expect(refused.statusCode).toBe(403);
    const allowed = observe(new WebSocket(server.url + "/fine"));
    await allowed.opened;
    expect(paths).toEqual(["/fine"]);
    expect(server.clients.size).toBe(1);
  });

  it("perMessageDeflate (node:zlib's compressor, registered by this entry) is negotiated and used", async () => {
    const server = listen({ hostname: "127.0.0.1", port: 0, perMessageDeflate: true }, (ws) => {
      ws.onmessage = (event) => ws.send(event.data);
    });
    servers.push(server);
    const client = new WebSocket(server.url);
    const seen = observe(client);
    await seen.opened;
    expect(client.extensions).toMatch(/^permessage-deflate/);
    const text = "compressible ".repeat(1000);
    client.send(text);
    expect(await seen.next()).toBe(text);
    client.close();
    await seen.closed;
  });

  it("refuses options that cannot work before listening", () => {
    expect(() => listen({ port: 0, perMessageDeflate: "yes" as never }, () => {})).toThrow(/perMessageDeflate/);
  });

  it("limits: a request head past maxHeadSize gets 431; handshakeTimeout drops a silent client", async () => {
    const server = listen({ hostname: "127.0.0.1", port: 0, limits: { maxHeadSize: 1024 }, handshakeTimeout: 200 }, () => {});
    servers.push(server);
    const response = await fetch(`http://127.0.0.1:${server.port}/`, { headers: { "X-Big": "x".repeat(2000) } });
    expect(response.status).toBe(431);
    await response.body?.cancel();
    const silent = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    // Nothing sent: the server closes the connection once the timeout passes.
    expect(await silent.read(new Uint8Array(16))).toBe(null);
    silent.close();
  });

  it("answers a plain HTTP request with 400 and closes", async () => {
    const server = listen({ hostname: "127.0.0.1", port: 0 }, () => {});
    servers.push(server);
    const response = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(response.status).toBe(400);
    await response.body?.cancel();
  });

  itWithPeer("serves wss:// with cert and key (Deno.listenTls)", hasOpenssl, OPENSSL_INSTALL_HINT, async () => {
    const { cert, key } = localCertificate();
    const server = listen({ hostname: "127.0.0.1", port: 0, cert, key }, (ws) => {
      ws.onmessage = (event) => ws.send(event.data);
    });
    servers.push(server);
    expect(server.url).toMatch(/^wss:\/\//);
    const client = new WebSocket(server.url.replace("127.0.0.1", "localhost"), undefined, { ca: cert });
    const seen = observe(client);
    await seen.opened;
    client.send("secure");
    expect(await seen.next()).toBe("secure");
    client.close();
    await seen.closed;
  });

});
