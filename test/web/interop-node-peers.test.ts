/**
 * Our server and our client, the running runtime's own (node:http hook on
 * Node, listen() on Deno and Bun; Deno.connect / Bun.connect / node:net for
 * the client), against peers nobody here wrote: the `ws` package,
 * faye-websocket and undici's WebSocket.
 *
 *   ws / faye / undici client  --->  our server (echo)
 *   our client                 --->  ws server / faye server (echo)
 *
 * Every pair: text and binary at the frame-length boundaries up to 16 MiB
 * (content checked), fragmented input, ping/pong both ways, close from
 * either side, subprotocols, and refused handshakes.
 */
import { Buffer } from "node:buffer";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, until } from "../harness.ts";
import { WebSocket } from "../entry.ts";
import { flags } from "../runtime-flags.ts";
import { ourClient, peerClients, type PeerClient } from "../peers/clients.ts";
import { startOurServer, type OurServer } from "../peers/our-server.ts";
import { bytesOf, firstDifference, SIZES, sizeName, textOf } from "../peers/payloads.ts";
import { startFayeServer, startRawServer, startWsServer, type FayeSocket, type PeerServer } from "../peers/servers.ts";
import type WsWebSocket from "ws";

const BIG = 60_000;

function closeAll(clients: PeerClient[]): void {
  for (const c of clients.splice(0)) {
    try { c.close(); } catch { /* already closed */ }
  }
}

/** Text sizes a peer can take on this runtime (see flags.fayeTextLimit). */
function peerTextLimit(peer: string): number {
  return peer === "faye" ? flags.fayeTextLimit : Infinity;
}

async function echoText(connect: () => PeerClient, clients: PeerClient[], size: number): Promise<void> {
  const client = connect();
  clients.push(client);
  await client.opened;
  const text = textOf(size, size);
  client.send(text);
  const reply = await client.next();
  expect(reply.text).toBe(true);
  expect((reply.data as string).length).toBe(text.length);
  expect(reply.data === text).toBe(true);
  client.close(1000);
  await client.closed;
}

/** Sends text and binary of every size and checks the echo byte for byte. */
function echoSuite(connect: () => PeerClient, clients: PeerClient[], textLimit = Infinity): void {
  for (const size of SIZES) {
    // Past the peer's limit on this runtime there is no test here at all
    // (the same pair runs at every size under Node).
    if (size <= textLimit) it(`echoes ${sizeName(size)} of text`, () => echoText(connect, clients, size), BIG);

    it(`echoes ${sizeName(size)} of binary`, async () => {
      const client = connect();
      clients.push(client);
      await client.opened;
      const data = bytesOf(size, size + 7);
      client.send(data);
      const reply = await client.next();
      expect(reply.text).toBe(false);
      expect(firstDifference(reply.data as Uint8Array, data)).toBe(-1);
      client.close(1000);
      await client.closed;
    }, BIG);
  }

  it("keeps the order of many messages of mixed kinds", async () => {
    const client = connect();
    clients.push(client);
    await client.opened;
    for (let i = 0; i < 40; i++) client.send(i % 2 ? `m${i}` : bytesOf(i * 50, i + 1));
    for (let i = 0; i < 40; i++) {
      const reply = await client.next();
      if (i % 2) expect(reply.data).toBe(`m${i}`);
      else expect(firstDifference(reply.data as Uint8Array, bytesOf(i * 50, i + 1))).toBe(-1);
    }
    client.close(1000);
    await client.closed;
  });
}

// ------------------------------------------------ our server <- clients --

/** What each peer puts in the Close it sends back when we close with "server says bye". */
const ECHOED_REASON: Record<string, string> = { ws: "server says bye", faye: "server says bye", undici: "" };

describe("our server <- peer clients", () => {
  for (const [name, makeClient] of Object.entries(peerClients)) {
    describe(`${name} client`, () => {
      let server: OurServer;
      const clients: PeerClient[] = [];
      const servers: PeerServer[] = [];
      beforeAll(async () => { server = await startOurServer(); });
      afterAll(async () => {
        closeAll(clients);
        await server.close();
        for (const s of servers.splice(0)) await s.close();
      });
      const lastServerSocket = async (count: number): Promise<WebSocket> => {
        await until(() => server.sockets.length >= count, 10_000, "server socket");
        return server.sockets[count - 1]!;
      };

      echoSuite(() => makeClient(server.url + "/echo"), clients, peerTextLimit(name));

      it("answers our ping; ping(data, cb) runs the callback on the pong", async () => {
        const before = server.sockets.length;
        const client = makeClient(server.url);
        clients.push(client);
        await client.opened;
        const socket = await lastServerSocket(before + 1);
        let pongData: Uint8Array | null = null;
        socket.addEventListener("pong", (e) => { pongData = (e as Event & { data: Uint8Array }).data; });
        await new Promise<void>((resolve) => expect(socket.ping("are you there", resolve)).toBe(true));
        expect(pongData).toEqual(new TextEncoder().encode("are you there"));
        client.close(1000);
        await client.closed;
      });

      if (name !== "undici") {
        it("answers the peer's ping with a pong carrying the same data", async () => {
          const before = server.sockets.length;
          const client = makeClient(server.url);
          clients.push(client);
          await client.opened;
          const socket = await lastServerSocket(before + 1);
          const seen: string[] = [];
          socket.addEventListener("ping", (e) => seen.push(new TextDecoder().decode((e as Event & { data: Uint8Array }).data)));
          const pong = await client.ping!("knock");
          if (pong) expect(new TextDecoder().decode(pong)).toBe("knock");
          expect(seen).toEqual(["knock"]);
          client.close(1000);
          await client.closed;
        });
      }

      it("closes cleanly when the peer closes with a code and reason", async () => {
        const before = server.sockets.length;
        const client = makeClient(server.url);
        clients.push(client);
        await client.opened;
        const socket = await lastServerSocket(before + 1);
        const ours = new Promise<CloseEvent>((resolve) => socket.addEventListener("close", (e) => resolve(e as CloseEvent)));
        client.close(4001, "peer says bye");
        const [mine, theirs] = await Promise.all([ours, client.closed]);
        expect(mine.code).toBe(4001);
        expect(mine.reason).toBe("peer says bye");
        expect(mine.wasClean).toBe(true);
        expect(theirs.code).toBe(4001);
        expect(theirs.reason).toBe(""); // we echo the code, not the reason (as browsers do)
        if (theirs.wasClean !== undefined) expect(theirs.wasClean).toBe(true);
        expect(socket.readyState).toBe(WebSocket.CLOSED);
      });

      it("closes cleanly when our server closes with a code and reason", async () => {
        const before = server.sockets.length;
        const client = makeClient(server.url);
        clients.push(client);
        await client.opened;
        const socket = await lastServerSocket(before + 1);
        const ours = new Promise<CloseEvent>((resolve) => socket.addEventListener("close", (e) => resolve(e as CloseEvent)));
        socket.close(4002, "server says bye");
        expect(socket.readyState).toBe(WebSocket.CLOSING);
        const [mine, theirs] = await Promise.all([ours, client.closed]);
        expect(theirs.code).toBe(4002);
        expect(theirs.reason).toBe("server says bye");
        if (theirs.wasClean !== undefined) expect(theirs.wasClean).toBe(true);
        expect(mine.code).toBe(4002);
        expect(mine.reason).toBe(ECHOED_REASON[name]);
        expect(mine.wasClean).toBe(true);
      });

      it("negotiates a subprotocol: the first of the client's list the server speaks", async () => {
        const s = await startOurServer({ protocols: ["chat", "superchat"] });
        servers.push(s);
        const client = makeClient(s.url, ["superchat", "chat"]);
        clients.push(client);
        await client.opened;
        expect(client.protocol()).toBe("superchat");
        await until(() => s.sockets.length === 1);
        expect(s.sockets[0]!.protocol).toBe("superchat");
        client.close(1000);
        await client.closed;
      });

      it("lets a function choose the subprotocol", async () => {
        const offeredSeen: string[][] = [];
        const s = await startOurServer({ protocols: (offered) => (offeredSeen.push(offered), offered.includes("b") ? "b" : false) });
        servers.push(s);
        const client = makeClient(s.url, ["a", "b", "c"]);
        clients.push(client);
        await client.opened;
        expect(offeredSeen).toEqual([["a", "b", "c"]]);
        expect(client.protocol()).toBe("b");
        expect(s.sockets[0]!.protocol).toBe("b");
        client.close(1000);
        await client.closed;
      });

      it("sends no subprotocol when none matches", async () => {
        const s = await startOurServer({ protocols: ["chat"] });
        servers.push(s);
        const client = makeClient(s.url, ["other"]);
        clients.push(client);
        if (name !== "faye") {
          // ws, and undici as WHATWG says, refuse a response without the
          // subprotocol they asked for; faye accepts it.
          await expect(client.opened).rejects.toThrow();
        } else {
          await client.opened;
          expect(client.protocol()).toBe("");
          client.close(1000);
          await client.closed;
        }
        await until(() => s.sockets.length === 1);
        expect(s.sockets[0]!.protocol).toBe("");
      });
    });
  }

  describe("fragmented input (ws client sends fin: false)", () => {
    let server: OurServer;
    const clients: WsWebSocket[] = [];
    beforeAll(async () => { server = await startOurServer(); });
    afterAll(async () => {
      for (const c of clients) c.terminate();
      await server.close();
    });

    async function open(): Promise<{ client: WsWebSocket; replies: { data: Uint8Array; isBinary: boolean }[] }> {
      const { ws } = await import("../peers/ws.ts");
      const client = new ws.WebSocket(server.url, { perMessageDeflate: false });
      clients.push(client);
      const replies: { data: Uint8Array; isBinary: boolean }[] = [];
      client.on("message", (data, isBinary) => replies.push({ data: new Uint8Array(data as Uint8Array), isBinary }));
      await new Promise((resolve, reject) => client.once("open", resolve).once("error", reject));
      return { client, replies };
    }

    it("assembles a text message split inside a multi-byte character", async () => {
      const { client, replies } = await open();
      const bytes = new TextEncoder().encode("price: 10€ 😀 done");
      const cut1 = 10; // inside "€"
      const cut2 = 14; // inside "😀"
      client.send(bytes.subarray(0, cut1), { binary: false, fin: false });
      client.send(bytes.subarray(cut1, cut2), { binary: false, fin: false });
      client.send(bytes.subarray(cut2), { binary: false, fin: true });
      await until(() => replies.length === 1);
      expect(replies[0]!.isBinary).toBe(false);
      expect(new TextDecoder().decode(replies[0]!.data)).toBe("price: 10€ 😀 done");
    });

    it("assembles a binary message with a ping between its fragments", async () => {
      const { client, replies } = await open();
      const data = bytesOf(3000, 5);
      let pong: Uint8Array | null = null;
      client.once("pong", (d) => { pong = new Uint8Array(d); });
      client.send(data.subarray(0, 1000), { binary: true, fin: false });
      client.ping("mid");
      client.send(data.subarray(1000, 2000), { binary: true, fin: false });
      client.send(data.subarray(2000), { binary: true, fin: true });
      await until(() => replies.length === 1 && pong !== null);
      expect(replies[0]!.isBinary).toBe(true);
      expect(firstDifference(replies[0]!.data, data)).toBe(-1);
      expect(pong).toEqual(new TextEncoder().encode("mid"));
    });
  });
});

// -------------------------------------------------- our client -> servers --

const peerServers: Record<string, (protocols?: string[]) => Promise<PeerServer>> = {
  ws: (protocols) => startWsServer(protocols ? {
    handleProtocols: (offered) => protocols.find((p) => offered.has(p)) ?? false,
  } : {}),
  faye: (protocols) => startFayeServer({ protocols }),
};

describe("our client -> peer servers", () => {
  for (const [name, start] of Object.entries(peerServers)) {
    describe(`${name} server`, () => {
      let server: PeerServer;
      const clients: PeerClient[] = [];
      const extra: PeerServer[] = [];
      beforeAll(async () => { server = await start(); });
      afterAll(async () => {
        closeAll(clients);
        await server.close();
        for (const s of extra.splice(0)) await s.close();
      });

      echoSuite(() => ourClient(server.url + "/echo"), clients, peerTextLimit(name));

      it("runs the ping(data, cb) callback on the server's pong", async () => {
        const client = ourClient(server.url);
        clients.push(client);
        await client.opened;
        await client.ping!("hello");
        client.close(1000);
        await client.closed;
      });

      it("negotiates a subprotocol the server picks", async () => {
        const s = await start(["b", "a"]);
        extra.push(s);
        const client = ourClient(s.url, ["a", "b"]);
        clients.push(client);
        await client.opened;
        expect(client.protocol()).toBe(name === "ws" ? "b" : "a"); // ws: our chooser; faye: client's order
        client.close(1000);
        await client.closed;
      });

      it("fails when the server speaks none of the offered subprotocols (WHATWG)", async () => {
        const s = await start(["zzz"]);
        extra.push(s);
        const client = ourClient(s.url, ["a"]);
        clients.push(client);
        await expect(client.opened).rejects.toThrow("Server sent no subprotocol");
        const closed = await client.closed;
        expect(closed.code).toBe(1006);
        expect(closed.wasClean).toBe(false);
      });

      it("opens with no subprotocol when none was offered, whatever the server speaks", async () => {
        const s = await start(["zzz"]);
        extra.push(s);
        const client = ourClient(s.url);
        clients.push(client);
        await client.opened;
        expect(client.protocol()).toBe("");
        client.close(1000);
        await client.closed;
      });
    });
  }

  describe("ws server specifics", () => {
    const servers: PeerServer[] = [];
    const clients: PeerClient[] = [];
    afterAll(async () => {
      closeAll(clients);
      for (const s of servers) await s.close();
    });
    let peer: WsWebSocket | null = null;
    let server: PeerServer;
    beforeAll(async () => {
      server = await startWsServer({ onConnection: (socket) => { peer = socket; } });
      servers.push(server);
    });
    const connect = async () => {
      peer = null;
      const client = ourClient(server.url);
      clients.push(client);
      await client.opened;
      await until(() => peer !== null);
      return { client, peer: peer! };
    };

    it("auto-pongs the server's ping with the same data and reports it as a ping event", async () => {
      const { client, peer } = await connect();
      const pong = new Promise<Uint8Array>((resolve) => peer.once("pong", (d) => resolve(new Uint8Array(d))));
      peer.ping("from ws");
      expect(await pong).toEqual(new TextEncoder().encode("from ws"));
      const pings = await client.pingsReceived(1);
      expect(new TextDecoder().decode(pings[0]!)).toBe("from ws");
      client.close(1000);
      await client.closed;
    });

    it("assembles fragmented text and binary messages from the server", async () => {
      const { client, peer } = await connect();
      const text = new TextEncoder().encode("grüße 😀 aus ws");
      peer.send(text.subarray(0, 3), { binary: false, fin: false }); // cuts "ü"
      peer.send(text.subarray(3, 9), { binary: false, fin: false });
      peer.ping("between");
      peer.send(text.subarray(9), { binary: false, fin: true });
      const data = bytesOf(70_000, 3);
      peer.send(data.subarray(0, 65_000), { binary: true, fin: false });
      peer.send(data.subarray(65_000), { binary: true, fin: true });
      const first = await client.next();
      expect(first).toEqual({ text: true, data: "grüße 😀 aus ws" });
      const second = await client.next();
      expect(second.text).toBe(false);
      expect(firstDifference(second.data as Uint8Array, data)).toBe(-1);
      client.close(1000);
      await client.closed;
    });

    it("closes cleanly when the server closes with a code and reason", async () => {
      const { client, peer } = await connect();
      const theirs = new Promise<{ code: number; reason: string }>((resolve) =>
        peer.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
      peer.close(4010, "ws says bye");
      const mine = await client.closed;
      expect(mine).toEqual({ code: 4010, reason: "ws says bye", wasClean: true });
      expect((await theirs).code).toBe(4010);
    });

    it("closes cleanly when our client closes with a code and reason", async () => {
      const { client, peer } = await connect();
      const theirs = new Promise<{ code: number; reason: string }>((resolve) =>
        peer.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
      client.close(4011, "we say bye");
      expect(await theirs).toEqual({ code: 4011, reason: "we say bye" });
      const mine = await client.closed;
      expect(mine.code).toBe(4011);
      expect(mine.wasClean).toBe(true);
    });

    it("reports a refused handshake (verifyClient: false -> 401): error, then close 1006, statusCode set", async () => {
      const refusing = await startWsServer({ verifyClient: () => false });
      servers.push(refusing);
      const socket = new WebSocket(refusing.url);
      const order: string[] = [];
      socket.onerror = () => order.push(`error ${socket.readyState}`);
      const closed = new Promise<CloseEvent>((resolve) => { socket.onclose = (e) => { order.push("close"); resolve(e); }; });
      const event = await closed;
      expect(order).toEqual(["error 3", "close"]);
      expect(event.code).toBe(1006);
      expect(event.wasClean).toBe(false);
      expect(socket.statusCode).toBe(401);
    });
  });

  describe("faye server specifics", () => {
    let peer: FayeSocket | null = null;
    let server: PeerServer;
    const clients: PeerClient[] = [];
    beforeAll(async () => { server = await startFayeServer({ onConnection: (socket) => { peer = socket; } }); });
    afterAll(async () => {
      closeAll(clients);
      await server.close();
    });
    const connect = async () => {
      peer = null;
      const client = ourClient(server.url);
      clients.push(client);
      await client.opened;
      await until(() => peer !== null);
      return { client, peer: peer! };
    };

    it("answers faye's ping (faye's callback runs)", async () => {
      const { client, peer } = await connect();
      await new Promise<void>((resolve) => peer.ping("from faye", resolve));
      const pings = await client.pingsReceived(1);
      expect(new TextDecoder().decode(pings[0]!)).toBe("from faye");
      client.close(1000);
      await client.closed;
    });

    it("closes cleanly when the server closes with a code and reason", async () => {
      const { client, peer } = await connect();
      const theirs = new Promise<{ code?: number }>((resolve) => peer.on("close", resolve));
      peer.close(4020, "faye says bye");
      expect(await client.closed).toEqual({ code: 4020, reason: "faye says bye", wasClean: true });
      expect((await theirs).code).toBe(4020);
    });

    it("closes cleanly when our client closes with a code and reason", async () => {
      const { client, peer } = await connect();
      const theirs = new Promise<{ code?: number; reason?: string }>((resolve) => peer.on("close", resolve));
      client.close(4021, "we say bye");
      const seen = await theirs;
      expect(seen.code).toBe(4021);
      expect(seen.reason).toBe("we say bye");
      const mine = await client.closed;
      expect(mine.code).toBe(4021);
      expect(mine.wasClean).toBe(true);
    });
  });
});

// -------------------------------------------------------- refused handshakes --

/** Collects what a raw client reads until the server ends the connection. */
function rawExchange(port: number, request: string): Promise<{ text: string; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Uint8Array[] = [];
    let ended = false;
    socket.on("data", (c) => chunks.push(c));
    socket.on("end", () => { ended = true; socket.end(); });
    socket.on("error", reject);
    socket.on("close", () => resolve({ text: new TextDecoder("latin1").decode(Buffer.concat(chunks)), ended }));
    socket.write(request);
  });
}

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";

describe("refused handshakes", () => {
  const servers: PeerServer[] = [];
  afterAll(async () => { for (const s of servers) await s.close(); });

  async function expectFailure(socket: WebSocket): Promise<{ order: string[]; close: CloseEvent; error: ErrorEvent }> {
    const order: string[] = [];
    let error!: ErrorEvent;
    socket.addEventListener("error", (e) => { error = e as ErrorEvent; order.push("error"); });
    const close = await new Promise<CloseEvent>((resolve) => socket.addEventListener("close", (e) => {
      order.push("close");
      resolve(e as CloseEvent);
    }));
    return { order, close, error };
  }

  it("our client: a 403 answer is an error, then close 1006, with statusCode and headers", async () => {
    const server = await startRawServer((socket) => {
      socket.once("data", () => socket.end("HTTP/1.1 403 Forbidden\r\nX-Why: not today\r\nContent-Length: 4\r\n\r\nnope"));
    });
    servers.push(server);
    const socket = new WebSocket(server.url);
    const { order, close, error } = await expectFailure(socket);
    expect(order).toEqual(["error", "close"]);
    expect(close.code).toBe(1006);
    expect(close.wasClean).toBe(false);
    expect(error.message).toMatch("403");
    expect(socket.statusCode).toBe(403);
    expect(socket.headers["x-why"]).toBe("not today");
    expect(socket.readyState).toBe(WebSocket.CLOSED);
  });

  it("our client: a bad Sec-WebSocket-Accept is an error, then close 1006", async () => {
    const server = await startRawServer((socket) => {
      socket.once("data", () => socket.write(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\nX-Server: raw\r\n\r\n"));
    });
    servers.push(server);
    const socket = new WebSocket(server.url);
    const { order, close, error } = await expectFailure(socket);
    expect(order).toEqual(["error", "close"]);
    expect(close.code).toBe(1006);
    expect(error.message).toMatch("Sec-WebSocket-Accept");
    expect(socket.statusCode).toBe(101);
    expect(socket.headers["x-server"]).toBe("raw");
  });

  it("our client: a subprotocol that was not offered is an error, then close 1006", async () => {
    const { acceptKey } = await import("../../src/core/websocket/handshake/accept-key.ts");
    const server = await startRawServer((socket) => {
      socket.once("data", (chunk) => {
        const key = /sec-websocket-key: *([^\r\n]+)/i.exec(chunk.toString("latin1"))![1]!;
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Accept: ${acceptKey(key)}\r\nSec-WebSocket-Protocol: other\r\n\r\n`);
      });
    });
    servers.push(server);
    const socket = new WebSocket(server.url, ["chat"]);
    const { order, close } = await expectFailure(socket);
    expect(order).toEqual(["error", "close"]);
    expect(close.code).toBe(1006);
  });

  it(`our server: a request without Sec-WebSocket-Key gets 400 and the socket is closed${flags.refusedHandshakeReachesApp ? "; the app sees close 1006" : ", the app sees nothing"}`, async () => {
    const closes: CloseEvent[] = [];
    const server = await startOurServer({ onConnection: (ws) => ws.addEventListener("close", (e) => closes.push(e as CloseEvent)) });
    servers.push(server);
    const { text, ended } = await rawExchange(server.port,
      "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(ended).toBe(true);
    if (flags.refusedHandshakeReachesApp) {
      await until(() => closes.length === 1);
      expect(closes[0]!.code).toBe(1006);
    } else {
      expect(server.sockets).toEqual([]);
    }
  });

  it("our server: a refused client that keeps its side open is still let go (at once, or after closeTimeout)", async () => {
    const server = await startOurServer({ options: { closeTimeout: 100 } });
    servers.push(server);
    const socket = net.connect({ port: server.port, host: "127.0.0.1", allowHalfOpen: true });
    let text = "";
    let ended = false;
    let closed = false;
    socket.on("data", (c: Buffer) => { text += c.toString("latin1"); });
    socket.on("end", () => { ended = true; });
    socket.on("error", () => {});
    socket.on("close", () => { closed = true; });
    socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
    await until(() => ended, 10_000, "the server's FIN after its answer");
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    // Our side stays open and keeps talking: once the server has dropped the
    // socket, its kernel answers with a reset.
    await until(() => {
      if (!closed) socket.write("still here");
      return closed;
    }, 10_000, "the server dropping the connection");
    socket.destroy();
  });

  it("our server: an unsupported version gets 426 with Sec-WebSocket-Version: 13", async () => {
    const server = await startOurServer();
    servers.push(server);
    const { text, ended } = await rawExchange(server.port,
      `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 8\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 426 /);
    expect(text).toMatch(/\r\nSec-WebSocket-Version: 13\r\n/i);
    expect(ended).toBe(true);
  });

  it("our server: a well-formed request gets 101 with the RFC 6455 accept key", async () => {
    const server = await startOurServer();
    servers.push(server);
    const socket = net.connect(server.port, "127.0.0.1");
    socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const head = await new Promise<string>((resolve) => socket.once("data", (c) => resolve(c.toString("latin1"))));
    socket.destroy();
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    // The example from RFC 6455 section 1.3.
    expect(head).toMatch(/\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i);
  });
});
