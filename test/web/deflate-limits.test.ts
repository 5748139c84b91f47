/**
 * permessage-deflate limits and ordering over real TCP sockets:
 *
 *   raw client --1 MiB frame that inflates to 1 GiB--> our server (maxLength 2 MiB)
 *   raw server --the same, unmasked-->                 our client (maxLength 2 MiB)
 *      -> 1009 on the wire, peak RSS growth measured (memory, never time)
 *
 *   ws client --10,000 messages, pings, fragmented compressed messages--> our server (echo)
 *   our client --10,000 messages and pings--> ws server (echo, every 10th fragmented)
 *      -> every echo in order and intact, every ping answered
 *
 * ws sends fragmented compressed messages with send(data, { fin: false }).
 * Runs under vitest, deno test and bun test; our client and server are the
 * running runtime's own (test/entry.ts, test/peers/our-server.ts).
 */
import { Buffer } from "node:buffer";
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, until } from "../harness.ts";
import { WebSocket } from "../entry.ts";
import { startOurDeflateServer } from "../peers/deflate-peers.ts";
import { acceptFor, clientFrame, FrameLog, frame } from "../peers/raw.ts";
import { ws } from "../peers/ws.ts";
import type WsWebSocket from "ws";
import { baseRss, peakGrowth } from "../peers/memory.ts";
import { zeroBomb } from "../peers/zero-bomb.ts";

const MiB = 1024 * 1024;
const TIMEOUT = 120_000;

// ------------------------------------------------------------------ bomb --

/** Reads a raw peer's frames until a Close arrives. */
function closeFrom(log: FrameLog, socket: net.Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const close = log.close;
      if (close) resolve(close.code!);
    };
    socket.on("data", check);
    socket.on("close", () => { check(); reject(new Error(`closed without a Close frame (${log.frames.length} frames)`)); });
  });
}

describe("permessage-deflate: a decompression bomb over a socket", () => {
  let bomb: Uint8Array;
  beforeAll(async () => { bomb = await zeroBomb(1024 * MiB); });

  it("our server (maxLength 2 MiB) closes with 1009; RSS grows far less than the 1 GiB it would inflate to", async () => {
    expect(bomb.length).toBeLessThan(1.1 * MiB);
    const server = await startOurDeflateServer(true, { extra: { maxLength: 2 * MiB } });
    try {
      const errors: string[] = [];
      const socket = net.connect({ host: "127.0.0.1", port: server.port });
      const log = new FrameLog();
      const key = Buffer.from("bomb-key-0123456").toString("base64");
      let head = "";
      const upgraded = new Promise<void>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          head += chunk.toString("latin1");
          const end = head.indexOf("\r\n\r\n");
          if (end < 0) return;
          socket.off("data", onData);
          socket.on("data", (c: Buffer) => log.push(c));
          if (!/\r\nSec-WebSocket-Extensions: permessage-deflate\r\n/i.test(head)) reject(new Error(`not negotiated: ${head}`));
          else resolve();
        };
        socket.on("data", onData);
        socket.on("error", reject);
      });
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n");
      await upgraded;
      await until(() => server.sockets.length === 1, 10_000, "the server socket");
      server.sockets[0]!.addEventListener("error", (e) => errors.push(((e as ErrorEvent).error as { code: string }).code));
      // RSV1 (0x40) marks the message compressed (RFC 7692 section 6).
      const data = clientFrame(2, bomb, { rsv: 4 });
      const closed = closeFrom(log, socket);
      const base = baseRss();
      socket.write(data);
      const growth = await peakGrowth(base, closed);
      expect(await closed).toBe(1009);
      console.info(`bomb -> our server: peak RSS growth ${(growth / MiB).toFixed(1)} MiB`);
      expect(growth).toBeLessThan(200 * MiB);
      await until(() => errors.length > 0, 10_000, "the server's error event");
      expect(errors).toEqual(["WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"]);
      socket.destroy();
    } finally {
      await server.close();
    }
  }, TIMEOUT);

  it("our client (maxLength 2 MiB) closes with 1009; RSS grows far less than the 1 GiB it would inflate to", async () => {
    const log = new FrameLog();
    let peer: net.Socket | null = null;
    const closed = new Promise<number>((resolve, reject) => {
      const server = net.createServer((socket) => {
        peer = socket;
        let head = "";
        const onData = (chunk: Buffer) => {
          head += chunk.toString("latin1");
          const end = head.indexOf("\r\n\r\n");
          if (end < 0) return;
          socket.off("data", onData);
          const key = /\r\nsec-websocket-key: *([^\r\n]+)/i.exec(head)![1]!;
          socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            `Sec-WebSocket-Accept: ${acceptFor(key)}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`);
          socket.on("data", (c: Buffer) => log.push(c));
          closeFrom(log, socket).then(resolve, reject);
          socket.write(frame(2, bomb, { rsv: 4 }));
        };
        socket.on("data", onData);
        socket.on("error", () => {});
      });
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as net.AddressInfo;
        const client = new WebSocket(`ws://127.0.0.1:${port}/`, [], { maxLength: 2 * MiB });
        client.addEventListener("error", (e) => clientErrors.push(((e as ErrorEvent).error as { code: string }).code));
        client.addEventListener("close", () => server.close());
      });
    });
    const clientErrors: string[] = [];
    const base = baseRss();
    const growth = await peakGrowth(base, closed);
    expect(await closed).toBe(1009);
    console.info(`bomb -> our client: peak RSS growth ${(growth / MiB).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(200 * MiB);
    (peer as net.Socket | null)?.destroy();
    await until(() => clientErrors.length > 0, 10_000, "the client's error event");
    expect(clientErrors).toEqual(["WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"]);
  }, TIMEOUT);
});

// ------------------------------------------------------------ ordering --

const COUNT = 10_000;
/**
 * How often the side whose peer is ws pings: ws answers pings behind its
 * queued compressions and drops a peer with more than 60 pongs waiting
 * (maxPendingAutoPongs), so pings toward ws are spaced out.
 */
const SERVER_PING_EVERY = 500;
const PING_WS_EVERY = 250;

/** Message i: text (multi-byte) for even i, binary for odd i; sizes vary. */
function message(i: number): string | Uint8Array {
  if (i % 2 === 0) return `message ${i} ` + "é€".repeat(i % 40) + "x".repeat(i % 300);
  const out = new Uint8Array(64 + (i % 500));
  for (let k = 0; k < out.length; k++) out[k] = (i + (k % 17)) & 0xff;
  return out;
}

/** Three pieces, cut at code-unit boundaries (no surrogate pairs in these strings). */
function thirds<T extends string | Uint8Array>(data: T): T[] {
  const n = data.length;
  const a = Math.floor(n / 3);
  const b = Math.floor((2 * n) / 3);
  return [data.slice(0, a), data.slice(a, b), data.slice(b)] as T[];
}

function same(got: unknown, want: string | Uint8Array): boolean {
  if (typeof want === "string") return got === want;
  const g = got instanceof Uint8Array ? got : new Uint8Array(got as ArrayBuffer);
  return g.length === want.length && g.every((b, k) => b === want[k]);
}

function appBytes(): number {
  let total = 0;
  for (let i = 0; i < COUNT; i++) {
    const m = message(i);
    total += typeof m === "string" ? Buffer.byteLength(m) : m.length;
  }
  return total;
}

describe("permessage-deflate: 10,000 messages with pings and fragmented compressed messages over a socket", () => {
  const cleanups: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it("ws client -> our server: every 10th message fragmented (a ping between its fragments), pings both ways, echoes in order", async () => {
    const server = await startOurDeflateServer({ threshold: 0 });
    cleanups.push(() => server.close());
    const client: WsWebSocket = new ws.WebSocket(server.url + "/", { perMessageDeflate: { threshold: 0 } });
    const received: unknown[] = [];
    const pongs: string[] = [];
    let serverPongs = 0;
    client.on("message", (data, isBinary) => received.push(isBinary ? data : data.toString()));
    client.on("pong", (data) => pongs.push(data.toString()));
    await new Promise<void>((resolve, reject) => { client.once("open", () => resolve()); client.once("error", reject); });
    expect(client.extensions).toBe("permessage-deflate");
    await until(() => server.sockets.length === 1, 10_000, "the server socket");
    const ours = server.sockets[0]!;
    expect(ours.extensions).toBe("permessage-deflate");
    // Our server pings every 500th message it echoes (see SERVER_PING_EVERY).
    let echoed = 0;
    ours.addEventListener("message", () => {
      if (++echoed % SERVER_PING_EVERY === 0) ours.ping(`server ${echoed}`, () => { serverPongs++; });
    });
    let pingsSent = 0;
    for (let i = 0; i < COUNT; i++) {
      const m = message(i);
      const binary = typeof m !== "string";
      if (i % 10 === 3) {
        const [a, b, c] = thirds(m);
        client.send(a!, { binary, fin: false, compress: true });
        client.ping(`between ${i}`);
        pingsSent++;
        client.send(b!, { binary, fin: false, compress: true });
        client.send(c!, { binary, fin: true, compress: true });
      } else {
        client.send(m, { binary, compress: true });
      }
      if (i % 7 === 0) {
        client.ping(`after ${i}`);
        pingsSent++;
      }
    }
    await until(() => received.length === COUNT && pongs.length === pingsSent && serverPongs === COUNT / SERVER_PING_EVERY, 60_000, "echoes and pongs");
    for (let i = 0; i < COUNT; i++) {
      if (!same(received[i], message(i))) throw new Error(`echo #${i} differs`);
    }
    // Pongs come back in the order of the pings (RFC 6455 section 5.5.3).
    expect(pongs.slice(0, 3)).toEqual(["after 0", "between 3", "after 7"]);
    // Compressed on the wire both ways (a wire tap in front of our server).
    const socket = server.connections[0]!.socket;
    expect(socket.bytesRead).toBeLessThan(appBytes() / 2);
    expect(socket.bytesWritten).toBeLessThan(appBytes() / 2);
    client.close(1000);
    await new Promise((resolve) => client.once("close", resolve));
  }, TIMEOUT);

  it("our client -> ws server: ws fragments every 10th echo, pings both ways, echoes in order", async () => {
    const httpServer = http.createServer();
    const wss = new ws.WebSocketServer({ server: httpServer, perMessageDeflate: { threshold: 0 } });
    let wsPongs = 0;
    let serverExtensions = "";
    let serverSocket: net.Socket | null = null;
    wss.on("connection", (peer, req) => {
      serverExtensions = peer.extensions;
      serverSocket = req.socket;
      let n = 0;
      peer.on("pong", () => { wsPongs++; });
      peer.on("message", (data, isBinary) => {
        const i = n++;
        if (i % 10 === 3) {
          const [a, b, c] = thirds(new Uint8Array(data as Buffer));
          peer.send(a!, { binary: isBinary, fin: false, compress: true });
          peer.ping(`between ${i}`);
          peer.send(b!, { binary: isBinary, fin: false, compress: true });
          peer.send(c!, { binary: isBinary, fin: true, compress: true });
        } else {
          peer.send(data, { binary: isBinary, compress: true });
        }
        if (i % 100 === 99) peer.ping(`ws ${i}`);
      });
    });
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      httpServer.close(() => resolve());
    }));
    const { port } = httpServer.address() as net.AddressInfo;
    const client = new WebSocket(`ws://127.0.0.1:${port}/`, [], { binaryType: "uint8array", perMessageDeflate: { threshold: 0 } });
    const received: unknown[] = [];
    const pings: string[] = [];
    let callbacks = 0;
    client.addEventListener("message", (e) => received.push((e as MessageEvent).data));
    client.addEventListener("ping", (e) => pings.push(new TextDecoder().decode((e as Event & { data: Uint8Array }).data)));
    await new Promise<void>((resolve, reject) => {
      client.onopen = () => resolve();
      client.onerror = (e) => reject((e as ErrorEvent).error);
    });
    expect(client.extensions).toBe("permessage-deflate");
    expect(serverExtensions).toBe("permessage-deflate");
    let pingsSent = 0;
    for (let i = 0; i < COUNT; i++) {
      client.send(message(i));
      if (i % PING_WS_EVERY === 0) {
        expect(client.ping(`ours ${i}`, () => { callbacks++; })).toBe(true);
        pingsSent++;
      }
    }
    // ws pings between the fragments of every 10th echo and after every 100th.
    const wsPings = COUNT / 10 + COUNT / 100;
    await until(() => received.length === COUNT && callbacks === pingsSent && wsPongs === wsPings, 60_000, "echoes and pongs");
    for (let i = 0; i < COUNT; i++) {
      if (!same(received[i], message(i))) throw new Error(`echo #${i} differs`);
    }
    expect(pings.length).toBe(wsPings);
    expect(pings.slice(0, 2)).toEqual(["between 3", "between 13"]);
    const socket = serverSocket as net.Socket | null;
    expect(socket!.bytesRead).toBeLessThan(appBytes() / 2);
    expect(socket!.bytesWritten).toBeLessThan(appBytes() / 2);
    client.close(1000);
    await new Promise((resolve) => client.addEventListener("close", resolve));
  }, TIMEOUT);
});
