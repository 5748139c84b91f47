/**
 * hixie-75/76 clients (raw node:net sockets speaking the drafts' examples)
 * against our node:http upgrade hook with `allowDrafts`, and hybi-08 between
 * our client (`protocolVersion: 8`) and our server. Runs on Node, and on
 * Deno and Bun through their node:http; and against each runtime's
 * standalone listen() (node:net, Deno.listen, Bun.listen: the same accept
 * path on each runtime's own sockets).
 *
 *   hixieClient --draft head (+ key3, maybe late)--> node:http upgrade
 *        <-- 101 head, challenge, 0x00 text 0xFF --  new WebSocket(req, socket, head, protocols, { allowDrafts })
 */
import { afterAll, describe, expect, it, runtime, until } from "../harness.ts";
import { WebSocket, type ServerWebSocketOptions } from "../entry.ts";
import { startHookServer, type PeerServer } from "../peers/servers.ts";
import { ourListen } from "../peers/our-server.ts";
import { checkExcerpts } from "../peers/excerpts.ts";
import { createLegacyEchoServer } from "../../examples/legacy-drafts.ts";
import { DRAFT76_CHALLENGE, hixieClient, type HixieClient, type HixieClientOptions } from "../peers/hixie-client.ts";

interface ServerSide {
  ws: WebSocket;
  events: string[];
  messages: unknown[];
  errors: unknown[];
  closed: Promise<CloseEvent>;
}

const servers: PeerServer[] = [];
const clients: HixieClient[] = [];

async function cleanup(): Promise<void> {
  for (const c of clients.splice(0)) c.socket.destroy();
  for (const s of servers.splice(0)) await s.close();
}

/** Our server (echo) and the server-side socket of each connection, with a log. */
async function serve(options: ServerWebSocketOptions, onOpen?: (ws: WebSocket) => void) {
  const sides: ServerSide[] = [];
  const server = await startHookServer({
    protocols: ["sample"],
    options,
    onConnection(ws) {
      const side: ServerSide = { ws, events: [], messages: [], errors: [], closed: undefined! };
      ws.addEventListener("open", () => {
        side.events.push("open");
        onOpen?.(ws);
      });
      ws.addEventListener("message", (e) => side.messages.push((e as MessageEvent).data));
      ws.addEventListener("error", (e) => side.errors.push((e as ErrorEvent).error));
      side.closed = new Promise((resolve) => ws.addEventListener("close", (e) => resolve(e as CloseEvent)));
      sides.push(side);
    },
  });
  servers.push(server);
  return {
    server,
    async side(): Promise<ServerSide> {
      await until(() => sides.length > 0, 10_000, "server socket");
      return sides[0]!;
    },
  };
}

async function connect(server: PeerServer, options: HixieClientOptions): Promise<HixieClient> {
  const client = await hixieClient(server.port, options);
  clients.push(client);
  return client;
}

const head76 = (port: number) =>
  "HTTP/1.1 101 WebSocket Protocol Handshake\r\n" +
  "Upgrade: WebSocket\r\n" +
  "Connection: Upgrade\r\n" +
  "Sec-WebSocket-Origin: http://example.com\r\n" +
  `Sec-WebSocket-Location: ws://127.0.0.1:${port}/demo\r\n` +
  "Sec-WebSocket-Protocol: sample\r\n" +
  "\r\n";

const head75 = (port: number) =>
  "HTTP/1.1 101 Web Socket Protocol Handshake\r\n" +
  "Upgrade: WebSocket\r\n" +
  "Connection: Upgrade\r\n" +
  "WebSocket-Origin: http://example.com\r\n" +
  `WebSocket-Location: ws://127.0.0.1:${port}/demo\r\n` +
  "WebSocket-Protocol: sample\r\n" +
  "\r\n";

describe("hixie-76 through the node:http upgrade hook (allowDrafts)", () => {
  afterAll(cleanup);

  it("answers the draft's handshake byte for byte, echoes text frames and closes with 0xFF 0x00", async () => {
    const { server, side: sideOf } = await serve({ allowDrafts: true });
    const client = await connect(server, { draft: "hixie-76", protocol: "sample" });
    const head = head76(server.port);
    await client.upTo(head.length + 16);
    expect(client.bytes().toString("latin1")).toBe(head + DRAFT76_CHALLENGE);
    const side = await sideOf();
    expect(side.ws.version).toBe("hixie-76");
    expect(side.ws.protocol).toBe("sample");
    expect(side.ws.url).toBe(`ws://127.0.0.1:${server.port}/demo`);

    client.send("\x00Hello\xff\x00\xc3\xa9t\xc3\xa9\xff");
    await until(() => client.afterHead().length >= 16 + 7 + 7);
    expect(client.afterHead().subarray(16).toString("latin1")).toBe("\x00Hello\xff\x00\xc3\xa9t\xc3\xa9\xff");
    expect(side.messages).toEqual(["Hello", "été"]);

    client.send("\xff\x00");
    await until(() => client.ended(), 10_000, "the server to end TCP");
    expect(client.afterHead().subarray(30).toString("latin1")).toBe("\xff\x00");
    client.socket.end();
    const closed = await side.closed;
    expect({ code: closed.code, wasClean: closed.wasClean }).toEqual({ code: 1005, wasClean: true });
    expect(side.errors).toEqual([]);
  });

  it("waits for a key body that arrives after the head; what the server sent meanwhile follows the challenge, in order", async () => {
    const { server, side: sideOf } = await serve({ allowDrafts: true }, (ws) => {
      ws.send("early");
      ws.send("second");
    });
    const client = await connect(server, { draft: "hixie-76", protocol: "sample", lateKey: true });
    // The head comes before the key body (a proxy forwards the body only after the 101).
    expect(await client.head()).toBe(head76(server.port));
    const side = await sideOf();
    await until(() => side.events.includes("open"));
    expect(client.afterHead().length).toBe(0);
    client.sendKey("^n:d", "s[4U");
    const expected = DRAFT76_CHALLENGE + "\x00early\xff\x00second\xff";
    await until(() => client.afterHead().length >= expected.length);
    expect(client.afterHead().toString("latin1")).toBe(expected);
    client.send("\x00after\xff");
    await until(() => side.messages.length === 1);
    expect(side.messages).toEqual(["after"]);
  });

  it("refuses a frame length past maxLength: error WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH, 0xFF 0x00, TCP ended", async () => {
    const { server, side: sideOf } = await serve({ allowDrafts: true, maxLength: 1024 });
    const client = await connect(server, { draft: "hixie-76", protocol: "sample" });
    await client.upTo(head76(server.port).length + 16);
    // Type 0x80 and a length of 2^35 - 1 in five base-128 digits, then nothing.
    client.send("\x80\xff\xff\xff\xff\x7f");
    const side = await sideOf();
    const closed = await side.closed;
    expect({ code: closed.code, wasClean: closed.wasClean }).toEqual({ code: 1006, wasClean: false });
    expect((side.errors[0] as { code: string }).code).toBe("WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH");
    await until(() => client.ended() || client.closed(), 10_000, "the server to end TCP");
    expect(client.afterHead().subarray(16).toString("latin1")).toBe("\xff\x00");
  });

  it("refuses a text frame that passes maxLength before its 0xFF", async () => {
    const { server, side: sideOf } = await serve({ allowDrafts: true, maxLength: 16 });
    const client = await connect(server, { draft: "hixie-76", protocol: "sample" });
    await client.upTo(head76(server.port).length + 16);
    client.send("\x00" + "x".repeat(17));
    const side = await sideOf();
    await side.closed;
    expect((side.errors[0] as { code: string }).code).toBe("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH");
    expect(side.messages).toEqual([]);
  });

  it("refuses binary sends with WS_ERR_LEGACY_BINARY and has no ping", async () => {
    const { server, side: sideOf } = await serve({ allowDrafts: true });
    const client = await connect(server, { draft: "hixie-76", protocol: "sample" });
    await client.upTo(head76(server.port).length + 16);
    const side = await sideOf();
    await until(() => side.events.includes("open"));
    expect(() => side.ws.send(new Uint8Array([1, 2]))).toThrow({ code: "WS_ERR_LEGACY_BINARY" });
    expect(side.ws.ping("x")).toBe(false);
    side.ws.send("still open");
    const expected = DRAFT76_CHALLENGE + "\x00still open\xff";
    await until(() => client.afterHead().length >= expected.length);
    expect(client.afterHead().toString("latin1")).toBe(expected);
  });
});

describe("hixie-75 through the node:http upgrade hook (allowDrafts)", () => {
  afterAll(cleanup);

  it("answers byte for byte, frames text both ways, and closes by ending TCP", async () => {
    const { server, side: sideOf } = await serve({ allowDrafts: true });
    const client = await connect(server, { draft: "hixie-75", protocol: "sample" });
    const head = head75(server.port);
    expect(await client.head()).toBe(head);
    const side = await sideOf();
    expect(side.ws.version).toBe("hixie-75");
    client.send("\x00Hello\xff");
    await until(() => client.afterHead().length >= 7);
    expect(client.afterHead().toString("latin1")).toBe("\x00Hello\xff");
    side.ws.close();
    await until(() => client.ended(), 10_000, "the server to end TCP");
    client.socket.end();
    const closed = await side.closed;
    expect({ code: closed.code, wasClean: closed.wasClean }).toEqual({ code: 1005, wasClean: true });
    expect(client.afterHead().toString("latin1")).toBe("\x00Hello\xff");
  });
});

describe("without allowDrafts", () => {
  afterAll(cleanup);

  for (const draft of ["hixie-75", "hixie-76"] as const) {
    it(`a ${draft} request gets 426 with Sec-WebSocket-Version: 13`, async () => {
      const { server } = await serve({});
      const client = await connect(server, { draft, protocol: "sample" });
      const head = await client.head();
      expect(head.startsWith("HTTP/1.1 426 Upgrade Required\r\n")).toBe(true);
      expect(head).toMatch("\r\nSec-WebSocket-Version: 13\r\n");
    });
  }
});

describe("hybi-08", () => {
  afterAll(cleanup);

  it("our client with protocolVersion 8 talks to our server with allowDrafts", async () => {
    const { server, side: sideOf } = await serve({ allowDrafts: true });
    const ws = new WebSocket(`${server.url}/eight`, "sample", { protocolVersion: 8, origin: "http://example.com" });
    expect(ws.version).toBe("hybi-8");
    const reply = new Promise<unknown>((resolve, reject) => {
      ws.addEventListener("message", (e) => resolve((e as MessageEvent).data));
      ws.addEventListener("error", (e) => reject((e as ErrorEvent).error));
    });
    ws.addEventListener("open", () => ws.send("eight"));
    expect(await reply).toBe("eight");
    const side = await sideOf();
    expect(side.ws.version).toBe("hybi-8");
    expect(side.ws.headers["sec-websocket-version"]).toBe("8");
    expect(side.ws.headers["sec-websocket-origin"]).toBe("http://example.com");
    ws.close();
    await side.closed;
  });

  it("is refused (426) by a server without allowDrafts", async () => {
    const { server } = await serve({});
    const ws = new WebSocket(server.url, [], { protocolVersion: 8 });
    const closed = await new Promise<CloseEvent>((resolve) => ws.addEventListener("close", (e) => resolve(e as CloseEvent)));
    expect(closed.code).toBe(1006);
    expect(ws.statusCode).toBe(426);
  });
});

describe("docs/legacy-drafts.md", () => {
  it("quotes examples/legacy-drafts.ts exactly", () => {
    expect(checkExcerpts("docs/legacy-drafts.md")).toEqual(["examples/legacy-drafts.ts"]);
  });

  it("the example answers a hixie-76 client, a hixie-75 client and an RFC 6455 client", async () => {
    const server = createLegacyEchoServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const old = await hixieClient(port, { draft: "hixie-76" });
      clients.push(old);
      await old.upTo((await old.head()).length + 16);
      old.send("\x00hi\xff");
      const expected76 = DRAFT76_CHALLENGE + "\x00hixie-76: hi\xff";
      await until(() => old.afterHead().length >= expected76.length);
      expect(old.afterHead().toString("latin1")).toBe(expected76);

      const older = await hixieClient(port, { draft: "hixie-75" });
      clients.push(older);
      await older.head();
      older.send("\x00hi\xff");
      const expected75 = "\x00hixie-75: hi\xff";
      await until(() => older.afterHead().length >= expected75.length);
      expect(older.afterHead().toString("latin1")).toBe(expected75);

      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      ws.addEventListener("open", () => ws.send("hi"));
      const reply = await new Promise<unknown>((resolve) => ws.addEventListener("message", (e) => resolve((e as MessageEvent).data)));
      expect(reply).toBe("hybi-13: hi");
      ws.close();
    } finally {
      await cleanup();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

// ---------------------------------------------------------- standalone listen() --

interface Listener {
  port: number;
  close(): Promise<void>;
}
interface ServerSocket {
  version: string;
  send(data: string): void;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
}
type Listen = (options: Record<string, unknown>, onSocket: (ws: ServerSocket) => void) => Promise<Listener>;

describe(`hixie drafts on ${runtime}'s standalone listen() (allowDrafts)`, () => {
  const clients: HixieClient[] = [];
  const servers: Listener[] = [];
  const versions: string[] = [];
  afterAll(async () => {
    for (const c of clients) c.socket.destroy();
    for (const s of servers) await s.close();
  });

  async function start(): Promise<Listener> {
    const server = await (ourListen as unknown as Listen)({ hostname: "127.0.0.1", port: 0, protocols: ["sample"], allowDrafts: true }, (ws) => {
      versions.push(ws.version);
      ws.addEventListener("message", (e) => ws.send(e.data as string));
    });
    servers.push(server);
    return server;
  }

  it("hixie-76 with a late key body: head, challenge, echo", async () => {
    const server = await start();
    const client = await hixieClient(server.port, { draft: "hixie-76", protocol: "sample", lateKey: true });
    clients.push(client);
    const head = await client.head();
    expect(head.startsWith("HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n")).toBe(true);
    expect(head).toMatch(`\r\nSec-WebSocket-Location: ws://127.0.0.1:${server.port}/demo\r\n`);
    client.sendKey("^n:ds[4U");
    client.send("\x00Hello\xff");
    const expected = DRAFT76_CHALLENGE + "\x00Hello\xff";
    await until(() => client.afterHead().length >= expected.length);
    expect(client.afterHead().toString("latin1")).toBe(expected);
    expect(versions).toContain("hixie-76");
  });

  it("hixie-75: head and echo", async () => {
    const server = await start();
    const client = await hixieClient(server.port, { draft: "hixie-75", protocol: "sample" });
    clients.push(client);
    expect((await client.head()).startsWith("HTTP/1.1 101 Web Socket Protocol Handshake\r\n")).toBe(true);
    client.send("\x00Hi\xff");
    await until(() => client.afterHead().length >= 4);
    expect(client.afterHead().toString("latin1")).toBe("\x00Hi\xff");
    expect(versions).toContain("hixie-75");
  });
});
