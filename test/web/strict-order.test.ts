/**
 * Over real sockets, where the Autobahn test suite looks (RFC 6455 sections
 * 7.1.7, 8.1, 10.4), played by raw node:net peers:
 *
 *   raw client --one TCP write: "Hello" + violation--> our echo server
 *       <-- echo "Hello", then Close 1002 (in that order)
 *   raw server --one TCP write: "Hello" + violation--> our echoing client
 *       <-- echo "Hello" (masked), then Close 1002
 *   a text frame whose first bytes hold invalid UTF-8, the rest never sent
 *       <-- Close 1007 before the frame is whole (both roles)
 *   millions of 1-byte fragments: memory stays bounded (asserted generously),
 *   and past maxFragments the connection closes with 1008.
 *
 * Runs under vitest, deno test and bun test; our server and client are the
 * running runtime's own (test/entry.ts, test/peers/our-server.ts).
 */
import { Buffer } from "node:buffer";
import type net from "node:net";
import type { ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it, runtime, until } from "../harness.ts";
import { WebSocket } from "../entry.ts";
import { startOurServer, type OurSocketOptions } from "../peers/our-server.ts";
import { startRawServer, type PeerServer } from "../peers/servers.ts";
import { answerHandshake, clientFrame, frame, FrameLog, rawClient, type RawClient } from "../peers/raw.ts";
import { startScript } from "../peers/script-process.ts";

const TEXT = 0x1;
const BINARY = 0x2;
const CONTINUATION = 0x0;
const MiB = 1024 * 1024;

const servers: PeerServer[] = [];
const raws: RawClient[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children.splice(0)) c.kill();
  for (const r of raws.splice(0)) r.socket.destroy();
  for (const s of servers.splice(0)) await s.close();
});

interface Side { ws: WebSocket; errors: string[]; messages: unknown[]; closed: Promise<CloseEvent> }

/** Our echo server; each connection's errors (by code), messages and close. */
async function echoServer(options: OurSocketOptions = {}): Promise<{ server: PeerServer; sides: Side[] }> {
  const sides: Side[] = [];
  const server = await startOurServer({
    options: { binaryType: "uint8array", ...options },
    onConnection(ws) {
      const errors: string[] = [];
      const messages: unknown[] = [];
      ws.addEventListener("message", (e) => messages.push((e as MessageEvent).data));
      ws.addEventListener("error", (e) => errors.push(String(((e as ErrorEvent).error as { code?: string } | undefined)?.code)));
      const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener("close", (e) => resolve(e as CloseEvent)));
      sides.push({ ws, errors, messages, closed });
    },
  });
  servers.push(server);
  return { server, sides };
}

async function connect(options?: OurSocketOptions): Promise<{ raw: RawClient; side: () => Side }> {
  const { server, sides } = await echoServer(options);
  const raw = await rawClient(server.port);
  raws.push(raw);
  await until(() => sides.length > 0, 10_000, "server socket");
  return { raw, side: () => sides[0]! };
}

/** Frames other than Close the raw peer read, and the Close, in order. */
const sequence = (log: FrameLog) => log.frames.map((f) => (f.opcode === 8 ? `close ${f.code}` : `${f.opcode} ${new TextDecoder().decode(f.payload)}`));

describe("our server: a failure takes effect after the messages before it", () => {
  it("echoes a message that shares its TCP chunk with a protocol violation, then closes 1002", async () => {
    const { raw, side } = await connect();
    raw.socket.write(Buffer.concat([clientFrame(TEXT, "Hello"), clientFrame(CONTINUATION, "stray")]));
    await until(() => raw.log.close !== undefined);
    expect(sequence(raw.log)).toEqual(["1 Hello", "close 1002"]);
    await side().closed;
    expect(side().errors).toEqual(["WS_ERR_INVALID_CONTINUATION_FRAME"]);
  });

  it("echoes fragmented text before closing 1007 on invalid UTF-8 in the next frame (Autobahn 6.4.x's shape)", async () => {
    const { raw } = await connect();
    raw.socket.write(Buffer.concat([
      clientFrame(TEXT, "κόσμε", { fin: false }), clientFrame(CONTINUATION, "!"),
      clientFrame(TEXT, new Uint8Array([0x61, 0xff])),
    ]));
    await until(() => raw.log.close !== undefined);
    expect(sequence(raw.log)).toEqual(["1 κόσμε!", "close 1007"]);
  });

  it("fails with 1007 at the first bad byte of a text frame, the rest of which never comes", async () => {
    const { raw, side } = await connect();
    // A 1000-byte text frame; only its header and the first 8 bytes are sent.
    const whole = clientFrame(TEXT, new Uint8Array(1000).fill(0x61).fill(0xc0, 5, 6));
    raw.socket.write(whole.subarray(0, 2 + 2 + 4 + 8));
    await until(() => raw.log.close !== undefined);
    expect(raw.log.close!.code).toBe(1007);
    await side().closed;
    expect(side().errors).toEqual(["WS_ERR_INVALID_UTF8"]);
    expect(side().messages).toEqual([]);
  });
});

/** A raw server that answers the handshake, then does `after`. */
async function rawServer(after: (socket: net.Socket, log: FrameLog) => void): Promise<{ server: PeerServer; log: () => FrameLog }> {
  let log!: FrameLog;
  const server = await startRawServer((socket) => {
    log = new FrameLog();
    const l = log;
    void answerHandshake(socket, l).then(() => after(socket, l));
  });
  servers.push(server);
  return { server, log: () => log };
}

/** Our client, echoing every message; its errors by code. */
function echoClient(url: string, options: { closeTimeout?: number; maxFragments?: number } = {}) {
  const ws = new WebSocket(url, [], { closeTimeout: 50, ...options });
  ws.binaryType = "uint8array";
  const errors: string[] = [];
  ws.onmessage = (e) => ws.send(e.data as string | Uint8Array);
  ws.onerror = (e) => errors.push(String(((e as ErrorEvent).error as { code?: string } | undefined)?.code));
  const closed = new Promise<CloseEvent>((resolve) => { ws.onclose = (e) => resolve(e); });
  return { ws, errors, closed };
}

describe("our client: a failure takes effect after the messages before it", () => {
  it("echoes a message that shares its TCP chunk with a protocol violation, then closes 1002", async () => {
    const { server, log } = await rawServer((socket) => socket.write(Buffer.concat([frame(TEXT, "Hello"), frame(0x3, "")])));
    const client = echoClient(server.url);
    await client.closed;
    await until(() => log().close !== undefined);
    expect(sequence(log())).toEqual(["1 Hello", "close 1002"]);
    expect(log().frames.every((f) => f.masked)).toBe(true);
    expect(client.errors).toEqual(["WS_ERR_INVALID_OPCODE"]);
  });

  it("fails with 1007 at the first bad byte of a text frame, the rest of which never comes", async () => {
    const { server, log } = await rawServer((socket) => socket.write(frame(TEXT, new Uint8Array(1000).fill(0xed, 0, 1).fill(0xa0, 1, 2)).subarray(0, 4 + 8)));
    const client = echoClient(server.url);
    await client.closed;
    await until(() => log().close !== undefined);
    expect(log().close!.code).toBe(1007);
    expect(client.errors).toEqual(["WS_ERR_INVALID_UTF8"]);
  });
});

/** Writes `count` masked 1-byte continuation frames in 64 KiB writes, with backpressure. */
async function writeFragments(socket: net.Socket, count: number): Promise<void> {
  const one = clientFrame(CONTINUATION, "x", { fin: false });
  const perWrite = Math.floor(64 * 1024 / one.length);
  const block = Buffer.alloc(perWrite * one.length);
  for (let i = 0; i < perWrite; i++) block.set(one, i * one.length);
  for (let sent = 0; sent < count && !socket.destroyed; sent += perWrite) {
    const n = Math.min(perWrite, count - sent);
    if (!socket.write(n === perWrite ? block : block.subarray(0, n * one.length))) {
      await new Promise<void>((resolve) => {
        const done = () => {
          socket.off("drain", done);
          socket.off("close", done);
          resolve();
        };
        socket.on("drain", done);
        socket.on("close", done);
      });
    }
  }
}

describe("fragments are bounded (section 10.4)", () => {
  it("past the default maxFragments (2^17) our server closes with 1008", async () => {
    const { raw, side } = await connect();
    raw.socket.write(clientFrame(BINARY, "x", { fin: false }));
    await writeFragments(raw.socket, 140_000);
    await until(() => raw.log.close !== undefined, 30_000, "close");
    expect(raw.log.close!.code).toBe(1008);
    await side().closed;
    expect(side().errors).toEqual(["WS_ERR_TOO_MANY_FRAGMENTS"]);
  }, 60_000);

  it("our client too, with its own maxFragments", async () => {
    const { server, log } = await rawServer((socket) => {
      const parts = [frame(TEXT, "a", { fin: false })];
      for (let i = 0; i < 10; i++) parts.push(frame(CONTINUATION, "b", { fin: false }));
      socket.write(Buffer.concat(parts));
    });
    const client = echoClient(server.url, { maxFragments: 10 });
    await client.closed;
    await until(() => log().close !== undefined);
    expect(log().close!.code).toBe(1008);
    expect(client.errors).toEqual(["WS_ERR_TOO_MANY_FRAGMENTS"]);
  });

  it("4 million 1-byte fragments (no count limit) hold about their bytes, not an object each", async () => {
    const COUNT = 4_000_000;
    // Our server in a process of its own (test/peers/fragment-sink.ts), so
    // that what earlier tests left in this one does not count.
    const sink = await startScript(runtime, "test/peers/fragment-sink.ts", ["0"], { gc: true });
    children.push(sink.child);
    const raw = await rawClient(Number(sink.ready[0]));
    raws.push(raw);
    raw.socket.write(clientFrame(BINARY, "x", { fin: false }));
    await writeFragments(raw.socket, COUNT - 2);
    raw.socket.write(clientFrame(CONTINUATION, "x"));
    await until(() => /MESSAGE/.test(sink.output()), 120_000, "the message");
    const [length, growth] = /MESSAGE (\d+) (\d+)/.exec(sink.output())!.slice(1).map(Number);
    expect(length).toBe(COUNT);
    // A list of 4 million fragment views took about 540 MiB here (Node); the
    // joined buffer is 4 MiB (8 MiB with room to grow), the rest is the
    // runtime's socket buffers and lazy GC (50-70 MiB in a process of its
    // own). Generous: 256 MiB, well under the list's 540.
    expect(growth).toBeLessThan(256 * MiB);
  }, 180_000);
});
