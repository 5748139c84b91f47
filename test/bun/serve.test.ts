/**
 * What only Bun has: the Bun.serve integration (createBunHandler / upgrade /
 * websocket: Bun runs the protocol, the socket has our API). The scenarios
 * every server form shares, these included, are in
 * test/web/server-forms.test.ts; listen() is in test/web/listen.test.ts.
 */
import { afterAll, describe, expect, it, until } from "../harness.ts";
import {
  createBunHandler,
  HostedWebSocket,
  upgrade,
  websocket,
  WebSocket,
  type BunHandler,
  type BunServer,
} from "../../src/runtime/bun/index.ts";
import { observe } from "../peers/observe.ts";

interface Served {
  port: number;
  stop(closeActiveConnections?: boolean): void;
}

declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request, server: BunServer): Response | undefined | Promise<Response | undefined>;
    websocket: BunHandler["websocket"];
  }): Served;
};

function serve(handler: BunHandler, fetch: (request: Request, server: BunServer) => Response | undefined): Served {
  return Bun.serve({ hostname: "127.0.0.1", port: 0, fetch, websocket: handler.websocket });
}

describe("Bun.serve integration", () => {
  const servers: Served[] = [];
  afterAll(() => { for (const s of servers) s.stop(true); });
  const url = (server: Served) => `ws://127.0.0.1:${server.port}`;
  const start = (handler: BunHandler, fetch: (request: Request, server: BunServer) => Response | undefined) => {
    const server = serve(handler, fetch);
    servers.push(server);
    return server;
  };

  it("refuses options Bun cannot honour with a TypeError", () => {
    expect(() => createBunHandler({ extensions: [] } as never)).toThrow(TypeError);
    expect(() => createBunHandler({ closeTimeout: 1 } as never)).toThrow(/closeTimeout/);
    expect(() => upgrade(new Request("http://x/"), {} as BunServer, { maxLength: 5 } as never)).toThrow(/createBunHandler/);
    expect(() => upgrade(new Request("http://x/"), {} as BunServer, { ping: 5 } as never)).toThrow(TypeError);
  });

  it("upgrade() returns null for a request that is not a WebSocket handshake", async () => {
    const server = start({ upgrade, websocket }, (request, server) => {
      if (upgrade(request, server)) return;
      return new Response("plain");
    });
    const response = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(await response.text()).toBe("plain");
  });

  it("per-upgrade open(ws, request) runs once the socket is open, with the request", async () => {
    const seen: string[] = [];
    const server = start({ upgrade, websocket }, (request, server) => {
      upgrade(request, server, {
        open(ws, req) {
          seen.push(`${ws.readyState} ${new URL(req.url).pathname}`);
          ws.send("welcome"); // open: sending works at once
        },
      });
    });
    const client = observe(new globalThis.WebSocket(url(server) + "/room/1"));
    expect(await client.next()).toBe("welcome");
    expect(seen).toEqual(["1 /room/1"]);
  });

  it("adopts sockets upgraded with Bun's own server.upgrade()", async () => {
    const opened: HostedWebSocket[] = [];
    const handler = createBunHandler({ open: (ws) => { opened.push(ws); ws.onmessage = (e) => ws.send(e.data); } });
    const server = start(handler, (request, server) => {
      if (server.upgrade(request)) return;
      return new Response("plain");
    });
    const client = new globalThis.WebSocket(url(server));
    const seen = observe(client);
    await seen.opened;
    client.send("adopted");
    expect(await seen.next()).toBe("adopted");
    expect(opened[0]).toBeInstanceOf(HostedWebSocket);
    client.close();
  });

  it("adds the extra headers to the 101; no subprotocol in common means none (not Bun's default)", async () => {
    const server = start({ upgrade, websocket }, (request, server) => {
      if (upgrade(request, server, { protocols: ["other"], headers: { "X-Served-By": "omnisocket" } })) return;
    });
    const client = new WebSocket(url(server), ["chat"]);
    const closed = await observe(client).closed;
    // WHATWG: the client asked for a subprotocol and got none -> it fails.
    expect(closed.code).toBe(1006);
    expect(client.headers["x-served-by"]).toBe("omnisocket");
    expect(client.headers["sec-websocket-protocol"]).toBeUndefined();
  });

  it("maxLength (Bun's maxPayloadLength): a larger message closes with 1009", async () => {
    const handler = createBunHandler({ maxLength: 100 });
    const server = start(handler, (request, server) => void handler.upgrade(request, server));
    const client = new globalThis.WebSocket(url(server));
    const seen = observe(client);
    await seen.opened;
    client.send("x".repeat(100));
    client.send("x".repeat(101));
    expect((await seen.closed).code).toBe(1009);
  });

  it("ping(data, callback) on a Bun.serve socket: the callback runs on the client's pong", async () => {
    let server: HostedWebSocket | null = null;
    const bunServer = start({ upgrade, websocket }, (request, s) => {
      server = upgrade(request, s);
    });
    const client = observe(new globalThis.WebSocket(url(bunServer)));
    await client.opened;
    await until(() => server?.readyState === 1, 10_000, "server open");
    await new Promise<void>((resolve) => server!.ping("bun", resolve));
    expect(server!.pong("unsolicited")).toBe(true);
  });

  it("ping (handler option): Bun pings an idle connection; without it, no pings", async () => {
    const handler = createBunHandler({ ping: 1 });
    const pinging = start(handler, (request, server) => void handler.upgrade(request, server));
    const quiet = start({ upgrade, websocket }, (request, server) => void upgrade(request, server));
    const a = new WebSocket(url(pinging));
    const b = new WebSocket(url(quiet));
    const seenA = observe(a);
    const seenB = observe(b);
    await seenA.opened;
    await seenB.opened;
    // Bun counts idle time in steps of 4 seconds.
    await until(() => seenA.pings.length >= 1, 20_000, "a ping");
    expect(seenB.pings).toEqual([]);
    a.close();
    b.close();
  }, 30_000);

  it("terminate(): both ends see 1006 (not clean), ours at once", async () => {
    let server: HostedWebSocket | null = null;
    const bunServer = start({ upgrade, websocket }, (request, s) => {
      server = upgrade(request, s);
    });
    const client = observe(new WebSocket(url(bunServer)));
    await client.opened;
    await until(() => server?.readyState === 1, 10_000, "server open");
    const seen = observe(server!);
    server!.terminate();
    expect(server!.readyState).toBe(3);
    expect(await seen.closed).toEqual({ code: 1006, reason: "", wasClean: false });
    expect(seen.order).toEqual(["error", "close"]);
    expect((await client.closed).code).toBe(1006);
  });

  it("backpressure: bufferedAmount counts what Bun holds and what it drops past its limit, and all of it arrives in order", async () => {
    let server: HostedWebSocket | null = null;
    const bunServer = start({ upgrade, websocket }, (request, s) => {
      server = upgrade(request, s);
    });
    // A raw client that stops reading right after the handshake.
    const { socket: raw, received } = await rawClient(bunServer.port);
    await until(() => server?.readyState === 1, 10_000, "server open");
    raw.pause();
    const count = 40;
    const size = 1024 * 1024;
    for (let i = 0; i < count; i++) server!.send(new Uint8Array(size).fill(i));
    // More than Bun's 16 MiB backpressure limit is waiting, none of it lost.
    expect(server!.bufferedAmount).toBeGreaterThan(16 * size);
    expect(server!.readyState).toBe(1);
    raw.resume();
    const frameBytes = size + 10;
    await until(() => received.length >= count * frameBytes, 30_000, "all frames");
    for (let i = 0; i < count; i++) {
      const at = i * frameBytes;
      expect([received.bytes[at], received.bytes[at + 1]]).toEqual([0x82, 127]);
      expect(received.bytes[at + 10]).toBe(i);
      expect(received.bytes[at + frameBytes - 1]).toBe(i);
    }
    await until(() => server!.bufferedAmount === 0, 10_000, "bufferedAmount 0");
    raw.end();
  }, 60_000);

  it("message (direct handler): each message goes to message(ws, data) as binaryType makes it, and no message event fires", async () => {
    const got: unknown[] = [];
    let events = 0;
    const handler = createBunHandler({
      binaryType: "arraybuffer",
      open: (ws) => { ws.onmessage = () => { events++; }; },
      message(ws, data) {
        got.push(data);
        ws.send(data as string | ArrayBuffer);
      },
    });
    const bunServer = start(handler, (request, s) => void handler.upgrade(request, s));
    const socket = new globalThis.WebSocket(url(bunServer));
    socket.binaryType = "arraybuffer";
    const client = observe(socket);
    await client.opened;
    socket.send("héllo");
    socket.send(new Uint8Array([1, 2, 3]));
    expect(await client.next()).toBe("héllo");
    expect(new Uint8Array((await client.next()) as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(got[0]).toBe("héllo");
    expect(got[1]).toBeInstanceOf(ArrayBuffer);
    expect(events).toBe(0);
  });

  it("message given to one upgrade() wins over the handler's", async () => {
    const seen: string[] = [];
    const handler = createBunHandler({ message: () => { seen.push("handler"); } });
    const bunServer = start(handler, (request, s) => void handler.upgrade(request, s, {
      message(ws, data) {
        seen.push(`upgrade ${data as string}`);
        ws.send(`echo ${data as string}`);
      },
    }));
    const socket = new globalThis.WebSocket(url(bunServer));
    const client = observe(socket);
    await client.opened;
    socket.send("one");
    socket.send("two");
    expect(await client.next()).toBe("echo one");
    expect(await client.next()).toBe("echo two");
    expect(seen).toEqual(["upgrade one", "upgrade two"]);
  });

  it("the socket is the one WebSocket class (a HostDriver under it): open reaches listeners added after upgrade() returns, bufferedAmount at send()", async () => {
    let server: HostedWebSocket | null = null;
    let sentAt = -1;
    const bunServer = start({ upgrade, websocket }, (request, s) => {
      server = upgrade(request, s);
      if (server) {
        server.onopen = () => {
          server!.send("héllo");
          sentAt = server!.bufferedAmount;
        };
      }
    });
    const client = observe(new globalThis.WebSocket(url(bunServer)));
    await client.opened;
    expect(await client.next()).toBe("héllo");
    expect(server).toBeInstanceOf(WebSocket);
    expect(Object.getPrototypeOf(server!)).toBe(WebSocket.prototype);
    expect(Object.prototype.toString.call(server)).toBe("[object WebSocket]");
    expect(sentAt).toBe(6); // UTF-8 bytes, counted in send()
    await until(() => server!.bufferedAmount === 0, 10_000, "bufferedAmount 0");
  });
});

interface RawBunSocket {
  write(data: string | Uint8Array): number;
  pause(): void;
  resume(): void;
  end(): void;
}

/** A raw TCP client that completes the handshake and then collects the server's bytes. */
async function rawClient(port: number): Promise<{ socket: RawBunSocket; received: { length: number; bytes: Uint8Array } }> {
  const bunApi = (globalThis as unknown as { Bun: { connect(o: unknown): Promise<RawBunSocket> } }).Bun;
  const received = { length: 0, bytes: new Uint8Array(64 * 1024 * 1024) };
  let head = "";
  let upgraded = false;
  let onUpgraded: () => void = () => {};
  const ready = new Promise<void>((resolve) => { onUpgraded = resolve; });
  const socket = await bunApi.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(_s: unknown, chunk: Uint8Array) {
        if (!upgraded) {
          const before = head.length;
          head += new TextDecoder("latin1").decode(chunk);
          const end = head.indexOf("\r\n\r\n");
          if (end < 0) return;
          upgraded = true;
          chunk = chunk.subarray(end + 4 - before);
          onUpgraded();
        }
        received.bytes.set(chunk, received.length);
        received.length += chunk.length;
      },
    },
  });
  socket.write(
    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  );
  await ready;
  return { socket, received };
}
