/**
 * Peers that break the rules, played by raw node:net sockets: our server
 * and our client (the running runtime's own: test/entry.ts,
 * test/peers/our-server.ts) must answer with the right close code (RFC 6455
 * section 7.4.1), deliver what came before the fault, and release the socket.
 *
 *   raw client --bytes--> our server        raw server --bytes--> our client
 */
import { Buffer } from "node:buffer";
import net from "node:net";
import { afterAll, describe, expect, it, until } from "../harness.ts";
import { WebSocket } from "../entry.ts";
import { startOurServer, type OurServer, type OurSocketOptions } from "../peers/our-server.ts";
import { startRawServer, type PeerServer } from "../peers/servers.ts";
import {
  acceptFor, answerHandshake, clientFrame, closePayload, frame, FrameLog, rawClient, untilDropped, type RawClient,
} from "../peers/raw.ts";

const TEXT = 0x1;
const BINARY = 0x2;
const CLOSE = 0x8;
const CONTINUATION = 0x0;
const PING = 0x9;
const PONG = 0xa;

interface ServerSide {
  ws: WebSocket;
  events: string[];
  messages: unknown[];
  closed: Promise<CloseEvent>;
}

/** Our server, plus a way to take each server-side socket with a log of what it saw. */
async function serverWith(options: OurSocketOptions = {}): Promise<{ server: OurServer; next(): Promise<ServerSide> }> {
  const sides: ServerSide[] = [];
  const server = await startOurServer({
    echo: false,
    options,
    onConnection(ws) {
      const events: string[] = [];
      const messages: unknown[] = [];
      ws.binaryType = "uint8array";
      ws.addEventListener("open", () => events.push("open"));
      ws.addEventListener("message", (e) => {
        messages.push((e as MessageEvent).data);
        events.push("message");
      });
      ws.addEventListener("error", () => events.push("error"));
      const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener("close", (e) => {
        events.push("close");
        resolve(e as CloseEvent);
      }));
      sides.push({ ws, events, messages, closed });
    },
  });
  let taken = 0;
  return {
    server,
    async next() {
      await until(() => sides.length > taken, 10_000, "server socket");
      return sides[taken++]!;
    },
  };
}

const servers: PeerServer[] = [];
const raws: RawClient[] = [];
async function cleanup(): Promise<void> {
  for (const r of raws.splice(0)) r.socket.destroy();
  for (const s of servers.splice(0)) await s.close();
}

async function connect(options?: OurSocketOptions, halfOpen = false) {
  const { server, next } = await serverWith(options);
  servers.push(server);
  const raw = await rawClient(server.port, { allowHalfOpen: halfOpen });
  raws.push(raw);
  const side = await next();
  await until(() => side.events.includes("open"));
  return { raw, side };
}

describe("our server with a misbehaving client", () => {
  afterAll(cleanup);

  it("fails with 1002 on garbage after the handshake, and releases the socket", async () => {
    const { raw, side } = await connect();
    raw.socket.write(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x02]));
    const close = await side.closed;
    await until(() => raw.log.close !== undefined);
    expect(raw.log.close!.code).toBe(1002);
    expect(side.events).toEqual(["open", "error", "close"]);
    expect(close.wasClean).toBe(false);
    await until(() => raw.closed(), 10_000, "the connection closed");
  });

  it("fails with 1002 on an unmasked client frame", async () => {
    const { raw, side } = await connect();
    raw.socket.write(frame(TEXT, "not masked"));
    await side.closed;
    await until(() => raw.log.close !== undefined);
    expect(raw.log.close!.code).toBe(1002);
    expect(side.messages).toEqual([]);
  });

  it("delivers the messages that came before a protocol error", async () => {
    const { raw, side } = await connect();
    const bytes = [clientFrame(TEXT, "one"), clientFrame(BINARY, new Uint8Array([1, 2, 3])), clientFrame(0x3, "reserved opcode")];
    raw.socket.write(Buffer.concat(bytes));
    await side.closed;
    expect(side.messages).toEqual(["one", new Uint8Array([1, 2, 3])]);
    expect(side.events).toEqual(["open", "message", "message", "error", "close"]);
    await until(() => raw.log.close !== undefined);
    expect(raw.log.close!.code).toBe(1002);
  });

  it("waits on half a frame, then closes 1006 when TCP ends", async () => {
    const { raw, side } = await connect();
    const whole = clientFrame(TEXT, "hello world");
    // One write: a Ping, then half a frame. The Pong shows the server has
    // read that far; the half frame is held.
    raw.socket.write(Buffer.concat([clientFrame(PING, "before"), whole.subarray(0, 9)]));
    await until(() => raw.log.frames.some((f) => f.opcode === PONG), 10_000, "the pong");
    expect(side.messages).toEqual([]);
    expect(side.ws.readyState).toBe(WebSocket.OPEN);
    raw.socket.end();
    const close = await side.closed;
    expect(close.code).toBe(1006);
    expect(close.wasClean).toBe(false);
    expect(side.messages).toEqual([]);
    await until(() => raw.closed(), 10_000, "the connection closed");
  });

  it("fails with 1007 on invalid UTF-8 in a text message", async () => {
    const { raw, side } = await connect();
    raw.socket.write(clientFrame(TEXT, new Uint8Array([0x68, 0x69, 0xc3, 0x28])));
    const close = await side.closed;
    await until(() => raw.log.close !== undefined);
    expect(raw.log.close!.code).toBe(1007);
    expect(close.wasClean).toBe(false);
    expect(side.messages).toEqual([]);
  });

  it("fails with 1007 on UTF-8 broken across fragments, before the last one", async () => {
    const { raw, side } = await connect();
    raw.socket.write(clientFrame(TEXT, new Uint8Array([0x61, 0xe2, 0x82]), { fin: false }));
    raw.socket.write(clientFrame(CONTINUATION, new Uint8Array([0x41]), { fin: false }));
    await side.closed;
    await until(() => raw.log.close !== undefined);
    expect(raw.log.close!.code).toBe(1007);
  });

  it("fails with 1009 on a message over maxLength (one frame)", async () => {
    const { raw, side } = await connect({ maxLength: 1000 });
    raw.socket.write(clientFrame(BINARY, new Uint8Array(1001)));
    await side.closed;
    await until(() => raw.log.close !== undefined);
    expect(raw.log.close!.code).toBe(1009);
    expect(side.messages).toEqual([]);
  });

  it("fails with 1009 as soon as the header claims too much", async () => {
    const { raw, side } = await connect({ maxLength: 1000 });
    raw.socket.write(clientFrame(BINARY, new Uint8Array(0), { claimedLength: 1 << 30 }));
    await side.closed;
    await until(() => raw.log.close !== undefined);
    expect(raw.log.close!.code).toBe(1009);
  });

  it("fails with 1009 when fragments add up past maxLength, after earlier messages", async () => {
    const { raw, side } = await connect({ maxLength: 1000 });
    raw.socket.write(clientFrame(TEXT, "small"));
    raw.socket.write(clientFrame(BINARY, new Uint8Array(600), { fin: false }));
    raw.socket.write(clientFrame(CONTINUATION, new Uint8Array(600)));
    await side.closed;
    await until(() => raw.log.close !== undefined);
    expect(raw.log.close!.code).toBe(1009);
    expect(side.messages).toEqual(["small"]);
  });

  it("frames that arrive with the handshake request are delivered after open", async () => {
    const { server, next } = await serverWith();
    servers.push(server);
    const socket = net.connect(server.port, "127.0.0.1");
    raws.push({ socket, log: new FrameLog(), ended: () => false, closed: () => false });
    const key = Buffer.from("fedcba9876543210").toString("base64");
    const request = Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`, "latin1");
    socket.write(Buffer.concat([request, clientFrame(TEXT, "early"), clientFrame(BINARY, new Uint8Array([7]))]));
    const side = await next();
    await until(() => side.messages.length === 2);
    expect(side.events).toEqual(["open", "message", "message"]);
    expect(side.messages).toEqual(["early", new Uint8Array([7])]);
  });

  it("a client that sends Close and never ends TCP is dropped after closeTimeout", async () => {
    const { raw, side } = await connect({ closeTimeout: 50 }, true);
    raw.socket.write(clientFrame(CLOSE, closePayload(4000, "done")));
    const close = await side.closed;
    expect(close.code).toBe(4000);
    expect(close.reason).toBe("done");
    // The server echoed the Close and ended its side first (section 7.1.1) ...
    await until(() => raw.log.close !== undefined && raw.ended());
    expect(raw.log.close!.code).toBe(4000);
    // ... and dropped the socket the client kept open.
    await untilDropped(raw);
  });

  it("a client that never answers our Close is dropped after closeTimeout: 1006", async () => {
    const { raw, side } = await connect({ closeTimeout: 50 }, true);
    side.ws.close(1000, "bye");
    const close = await side.closed;
    expect(raw.log.close!.code).toBe(1000);
    expect(close.code).toBe(1006);
    expect(close.wasClean).toBe(false);
    await untilDropped(raw);
  });
});

// ------------------------------------------------------------- client --

interface ClientRun {
  ws: WebSocket;
  events: string[];
  messages: unknown[];
  closed: Promise<CloseEvent>;
}

function watch(ws: WebSocket): ClientRun {
  const events: string[] = [];
  const messages: unknown[] = [];
  ws.binaryType = "uint8array";
  ws.onopen = () => events.push("open");
  ws.onmessage = (e) => { messages.push(e.data); events.push("message"); };
  ws.onerror = () => events.push("error");
  const closed = new Promise<CloseEvent>((resolve) => {
    ws.onclose = (e) => { events.push("close"); resolve(e); };
  });
  return { ws, events, messages, closed };
}

/** A raw server that answers the handshake, then hands the socket to `after`. */
async function misbehavingServer(after: (socket: net.Socket, log: FrameLog) => void): Promise<{ server: PeerServer; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  const server = await startRawServer((socket) => {
    sockets.push(socket);
    const log = new FrameLog();
    void answerHandshake(socket, log).then(() => after(socket, log));
  });
  servers.push(server);
  return { server, sockets };
}

describe("our client with a misbehaving server", () => {
  afterAll(cleanup);

  it("fails with 1002 on a masked server frame, after the messages before it", async () => {
    let log!: FrameLog;
    const { server } = await misbehavingServer((socket, l) => {
      log = l;
      socket.write(Buffer.concat([frame(TEXT, "first"), frame(TEXT, "second"), clientFrame(TEXT, "masked")]));
    });
    // The raw server never ends TCP: closeTimeout bounds the wait (section 7.1.1).
    const run = watch(new WebSocket(server.url, [], { closeTimeout: 50 }));
    const close = await run.closed;
    expect(run.messages).toEqual(["first", "second"]);
    expect(run.events).toEqual(["open", "message", "message", "error", "close"]);
    expect(close.wasClean).toBe(false);
    await until(() => log.close !== undefined);
    expect(log.close!.code).toBe(1002);
    expect(log.close!.masked).toBe(true);
  });

  it("fails with 1007 on invalid UTF-8 from the server", async () => {
    let log!: FrameLog;
    const { server } = await misbehavingServer((socket, l) => {
      log = l;
      socket.write(frame(TEXT, new Uint8Array([0xed, 0xa0, 0x80]))); // a UTF-16 surrogate
    });
    const run = watch(new WebSocket(server.url, [], { closeTimeout: 50 }));
    await run.closed;
    await until(() => log.close !== undefined);
    expect(log.close!.code).toBe(1007);
  });

  it("fails with 1009 on a message over maxLength", async () => {
    let log!: FrameLog;
    const { server } = await misbehavingServer((socket, l) => {
      log = l;
      socket.write(frame(BINARY, new Uint8Array(2048)));
    });
    const run = watch(new WebSocket(server.url, [], { maxLength: 2047, closeTimeout: 50 }));
    await run.closed;
    await until(() => log.close !== undefined);
    expect(log.close!.code).toBe(1009);
    expect(run.messages).toEqual([]);
  });

  it("frames that arrive with the 101 are delivered after open", async () => {
    const server = await startRawServer((socket) => {
      socket.once("data", (chunk: Buffer) => {
        const key = /sec-websocket-key: *([^\r\n]+)/i.exec(chunk.toString("latin1"))![1]!;
        socket.write(Buffer.concat([
          Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`, "latin1"),
          frame(TEXT, "hello with the head"),
          frame(CLOSE, closePayload(1000)),
        ]));
      });
    });
    servers.push(server);
    const run = watch(new WebSocket(server.url, [], { closeTimeout: 50 }));
    const close = await run.closed;
    expect(run.events).toEqual(["open", "message", "close"]);
    expect(run.messages).toEqual(["hello with the head"]);
    expect(close.code).toBe(1000);
  });

  it("a refused TCP connection: error, then close 1006", async () => {
    const server = await startRawServer(() => {});
    const url = server.url;
    await server.close();
    const run = watch(new WebSocket(url));
    const close = await run.closed;
    expect(run.events).toEqual(["error", "close"]);
    expect(close.code).toBe(1006);
  });

  it("a server that sends Close and never ends TCP is dropped after closeTimeout", async () => {
    let log!: FrameLog;
    const { server, sockets } = await misbehavingServer((socket, l) => {
      log = l;
      socket.write(frame(CLOSE, closePayload(4001, "server done")));
    });
    const run = watch(new WebSocket(server.url, [], { closeTimeout: 50 }));
    const close = await run.closed;
    expect(close.code).toBe(4001);
    expect(close.reason).toBe("server done");
    expect(log.close!.code).toBe(4001); // our echo
    await until(() => sockets[0]!.destroyed || sockets[0]!.readableEnded, 10_000, "client dropped TCP");
  });

  it("a server that never answers our Close is dropped after closeTimeout: 1006", async () => {
    let log!: FrameLog;
    const { server } = await misbehavingServer((_socket, l) => { log = l; });
    const run = watch(new WebSocket(server.url, [], { closeTimeout: 50 }));
    await until(() => run.events.includes("open"));
    run.ws.close(3000, "going");
    const close = await run.closed;
    expect(log.close).toEqual(expect_close(3000, "going"));
    expect(close.code).toBe(1006);
    expect(close.wasClean).toBe(false);
  });

  it("a server that never answers the handshake: close() while CONNECTING fails the connection", async () => {
    const sockets: net.Socket[] = [];
    const server = await startRawServer((socket) => { sockets.push(socket); socket.resume(); });
    servers.push(server);
    const run = watch(new WebSocket(server.url));
    await until(() => sockets.length === 1);
    expect(run.ws.readyState).toBe(WebSocket.CONNECTING);
    run.ws.close();
    expect(run.ws.readyState).toBe(WebSocket.CLOSING);
    const close = await run.closed;
    expect(run.events).toEqual(["error", "close"]);
    expect(close.code).toBe(1006);
    expect(close.wasClean).toBe(false);
    expect(run.ws.readyState).toBe(WebSocket.CLOSED);
    await until(() => sockets[0]!.readableEnded || sockets[0]!.destroyed, 10_000, "client dropped TCP");
  });

  it("a server that closes mid-handshake: error, then close 1006", async () => {
    const server = await startRawServer((socket) => {
      socket.once("data", () => socket.end("HTTP/1.1 101 Switching Protocols\r\nUpgrade: webso"));
    });
    servers.push(server);
    const run = watch(new WebSocket(server.url));
    const close = await run.closed;
    expect(run.events).toEqual(["error", "close"]);
    expect(close.code).toBe(1006);
  });

  it("a server that drops TCP right after its 101: open, then close 1006", async () => {
    const { server } = await misbehavingServer((socket) => socket.destroy());
    const run = watch(new WebSocket(server.url));
    const close = await run.closed;
    expect(run.events[0]).toBe("open");
    expect(run.events.at(-1)).toBe("close");
    expect(close.code).toBe(1006);
    expect(close.wasClean).toBe(false);
  });
});

function expect_close(code: number, reason: string): unknown {
  return { fin: true, opcode: CLOSE, payload: closePayload(code, reason), masked: true, code, reason };
}
