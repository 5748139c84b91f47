/**
 * The `perMessageDeflate` option through the WebSocket class, on both ends
 * (src/web/client/extension-options.ts), over real sockets:
 *
 *   - clients offer permessage-deflate unless `perMessageDeflate: false`;
 *     servers accept it only when asked;
 *   - ws's options shape the offer and the answer;
 *   - `send(data, { compress: false })` and `threshold` decide per message;
 *   - user extensions combine with it (permessage-deflate goes last), a
 *     permessage-deflate in `extensions` is used as given, and both at once
 *     is refused at once.
 *
 * Client and server are the running runtime's own (test/entry.ts,
 * test/peers/our-server.ts). Compression is seen on the wire: bytesRead /
 * bytesWritten of a wire tap in front of the server (test/peers/wire.ts).
 * The example in docs/permessage-deflate.md (examples/compression.ts) runs here too.
 * Runs under vitest, deno test and bun test.
 */
import http from "node:http";
import type net from "node:net";
import type { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "../harness.ts";
import { permessageDeflate, WebSocket, WebSocketError, type WebSocketOptions } from "../entry.ts";
import { flags } from "../runtime-flags.ts";
import { ourDeflateClient, startOurDeflateServer, type DeflateServer } from "../peers/deflate-peers.ts";
import { runtimeListen, startOurServer, type OurServer } from "../peers/our-server.ts";
import { textOf } from "../peers/payloads.ts";
import type { Wire } from "../peers/wire.ts";
import { xorExtension } from "../deflate/xor-extension.ts";
import { createCompressingServer, talk } from "../../examples/compression.ts";
import { checkExcerpts } from "../peers/excerpts.ts";
import { COMPRESSION_TRANSCRIPT } from "../peers/example-transcripts.ts";

const TEXT = textOf(64 * 1024, 5);

/** Waits for `count` echoes on our client and returns the server socket's byte counts. */
async function counts(client: ReturnType<typeof ourDeflateClient>, socket: Wire, expected: string[]): Promise<{ read: number; written: number }> {
  for (const text of expected) {
    const reply = await client.next();
    expect(reply.data === text).toBe(true);
  }
  return { read: socket.bytesRead, written: socket.bytesWritten };
}

describe("perMessageDeflate: defaults and offers", () => {
  let server: OurServer;
  beforeAll(async () => { server = await startOurServer(); });
  afterAll(async () => { await server.close(); });

  const open = async (options: WebSocketOptions | undefined) => {
    const before = server.sockets.length;
    const ws = new WebSocket(server.url + "/", [], options);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = (e) => reject((e as ErrorEvent).error);
    });
    expect(server.sockets.length).toBe(before + 1);
    const peer = server.sockets[before]!;
    ws.close();
    return { ws, offer: peer.headers["sec-websocket-extensions"], serverSide: peer.extensions };
  };

  it("a client offers permessage-deflate by default, as browsers do; a server declines unless asked", async () => {
    const { ws, offer, serverSide } = await open(undefined);
    expect(offer).toBe("permessage-deflate; client_max_window_bits");
    expect(serverSide).toBe("");
    expect(ws.extensions).toBe("");
  });

  it("perMessageDeflate: false on a client offers nothing", async () => {
    const { offer } = await open({ perMessageDeflate: false });
    expect(offer).toBe(undefined);
  });

  it("ws's options shape the client's offer", async () => {
    const { offer } = await open({
      perMessageDeflate: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 12 },
    });
    expect(offer).toBe("permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12");
    const { offer: bare } = await open({ perMessageDeflate: { clientMaxWindowBits: false } });
    expect(bare).toBe("permessage-deflate");
  });

  it("user extensions are offered first, permessage-deflate last; false leaves only them", async () => {
    const { offer } = await open({ extensions: [xorExtension(7)] });
    expect(offer).toBe("x-xor; key=7, permessage-deflate; client_max_window_bits");
    const { offer: alone } = await open({ extensions: [xorExtension(7)], perMessageDeflate: false });
    expect(alone).toBe("x-xor; key=7");
  });
});

describe("perMessageDeflate: per message", () => {
  let plainEcho: DeflateServer;
  let compressingEcho: DeflateServer;
  beforeAll(async () => {
    plainEcho = await startOurDeflateServer(true, { echoOptions: { compress: false } });
    compressingEcho = await startOurDeflateServer({ threshold: 0 });
  });
  afterAll(async () => {
    await plainEcho.close();
    await compressingEcho.close();
  });

  it("send(data, { compress: false }) sends that message as is, on either end", async () => {
    const client = ourDeflateClient(plainEcho.url + "/", undefined);
    await client.opened;
    expect(client.extensions()).toBe("permessage-deflate");
    const { socket } = plainEcho.connections.at(-1)!;
    const start = { read: socket.bytesRead, written: socket.bytesWritten };
    client.socket.send(TEXT);
    const first = await counts(client, socket, [TEXT]);
    client.socket.send(TEXT, { compress: false });
    const second = await counts(client, socket, [TEXT]);
    // In: compressed, then as is. Out: the server said compress: false both times.
    expect(first.read - start.read).toBeLessThan(8 * 1024);
    expect(second.read - first.read).toBeGreaterThan(64 * 1024);
    expect(first.written - start.written).toBeGreaterThan(64 * 1024);
    expect(second.written - first.written).toBeGreaterThan(64 * 1024);
    client.close();
    await client.closed;
  });

  it("threshold: messages under it go as is (default 1024), threshold 0 compresses them all", async () => {
    const small = "a".repeat(600);
    const many = Array.from({ length: 50 }, () => small);
    const measure = async (setting: { threshold: number } | undefined) => {
      const client = ourDeflateClient(compressingEcho.url + "/", setting);
      await client.opened;
      const { socket } = compressingEcho.connections.at(-1)!;
      const start = { read: socket.bytesRead, written: socket.bytesWritten };
      for (const m of many) client.send(m);
      const end = await counts(client, socket, many);
      client.close();
      await client.closed;
      return { read: end.read - start.read, written: end.written - start.written };
    };
    const byDefault = await measure(undefined);
    const everything = await measure({ threshold: 0 });
    expect(byDefault.read).toBeGreaterThan(50 * 600);
    expect(everything.read).toBeLessThan(50 * 60);
    // The server's own threshold is 0: its echoes are compressed either way.
    expect(byDefault.written).toBeLessThan(50 * 60);
    expect(everything.written).toBeLessThan(50 * 60);
  });
});

describe("perMessageDeflate with user extensions", () => {
  it("x-xor and permessage-deflate on both ends of the WebSocket class: both agreed, in order, compressed", async () => {
    const server = await startOurDeflateServer(true, { extra: { extensions: [xorExtension()] } });
    try {
      const client = ourDeflateClient(server.url + "/", undefined, { extensions: [xorExtension()] });
      await client.opened;
      expect(client.extensions()).toBe("x-xor; key=90, permessage-deflate");
      expect(server.connections[0]!.extensions).toBe("x-xor; key=90, permessage-deflate");
      const messages = [TEXT, "short", TEXT.slice(1000)];
      for (const m of messages) client.send(m);
      const { read, written } = await counts(client, server.connections[0]!.socket, messages);
      // XOR with one byte keeps the text just as compressible.
      expect(read).toBeLessThan(16 * 1024);
      expect(written).toBeLessThan(16 * 1024);
      client.close();
      await client.closed;
    } finally {
      await server.close();
    }
  });

  it("a permessage-deflate given in extensions (faye style) is used as given, on both ends", async () => {
    const server = await startOurDeflateServer(undefined, { extra: { extensions: [permessageDeflate({ serverNoContextTakeover: true })] } });
    try {
      const client = ourDeflateClient(server.url + "/", undefined, { extensions: [permessageDeflate({ clientMaxWindowBits: 11 })] });
      await client.opened;
      expect(client.extensions()).toBe("permessage-deflate; server_no_context_takeover; client_max_window_bits=11");
      client.send(TEXT);
      const { read } = await counts(client, server.connections[0]!.socket, [TEXT]);
      expect(read).toBeLessThan(8 * 1024);
      client.close();
      await client.closed;
    } finally {
      await server.close();
    }
  });

  it("a client with permessage-deflate in extensions and perMessageDeflate set throws at once", () => {
    for (const perMessageDeflate of [true, false, {}]) {
      expect(() => new WebSocket("ws://127.0.0.1:2/", [], { extensions: [permessageDeflate()], perMessageDeflate }))
        .toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    }
  });

  it("bad perMessageDeflate options throw at once, as WebSocketError", () => {
    for (const perMessageDeflate of [{ serverMaxWindowBits: 20 }, { clientMaxWindowBits: 7 }, { threshold: -1 }, "yes", null]) {
      expect(() => new WebSocket("ws://127.0.0.1:2/", [], { perMessageDeflate: perMessageDeflate as never })).toThrow(WebSocketError);
    }
  });

  it(`a server with both is refused before answering (${flags.server})`, async () => {
    const both = { extensions: [permessageDeflate()], perMessageDeflate: { threshold: 0 } };
    // listen(): at once, before listening.
    expect(() => runtimeListen({ hostname: "127.0.0.1", port: 0, ...both }, () => {})).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    if (flags.server === "listen()") return;
    // The node:http hook: the constructor throws, before answering.
    const HookWebSocket = WebSocket; // the node:http form of the running entry
    const errors: unknown[] = [];
    const server = http.createServer();
    server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Uint8Array) => {
      try {
        new HookWebSocket(req, socket, head, null, both);
      } catch (err) {
        errors.push(err);
        socket.end("HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    try {
      const { port } = server.address() as net.AddressInfo;
      const client = ourDeflateClient(`ws://127.0.0.1:${port}/`, undefined);
      await expect(client.opened).rejects.toThrow("500");
      expect(errors.length).toBe(1);
      expect((errors[0] as WebSocketError).code).toBe("WS_ERR_INVALID_ARGUMENT");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("perMessageDeflate: the example in docs/permessage-deflate.md", () => {
  it("docs/permessage-deflate.md quotes examples/compression.ts exactly", () => {
    expect(checkExcerpts("docs/permessage-deflate.md")).toContain("examples/compression.ts");
  });

  it("runs: the client and server agree, and both messages come back", async () => {
    const server = createCompressingServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      expect(await talk(`ws://127.0.0.1:${port}/`)).toEqual(COMPRESSION_TRANSCRIPT);
    } finally {
      server.close();
    }
  });
});
