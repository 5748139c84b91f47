/**
 * The ByteSocket port as the running runtime supplies it (the connector of
 * test/entry.ts's entry: node:net, Deno.connect, Bun.connect): partial
 * writes and backpressure, pause/attach, half-close, destroy. The far end is
 * a raw node:net socket the test drives by hand.
 *
 *   ours: getConnector().connect() --TCP--> peer: net.Server connection
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, until } from "../harness.ts";
import "../entry.ts";
import { getConnector } from "../../src/web/transport/runtime.ts";
import type { ByteSocket, ByteSocketHandler } from "../../src/web/transport/byte-socket.ts";
import { bytesOf } from "../peers/payloads.ts";

interface Recorder extends ByteSocketHandler {
  events: string[];
  bytes(): Uint8Array;
}

function recorder(): Recorder {
  const chunks: Uint8Array[] = [];
  const events: string[] = [];
  return {
    events,
    onData(chunk) { chunks.push(chunk.slice()); events.push("data"); },
    onEnd() { events.push("end"); },
    onClose() { events.push("close"); },
    onDrain() { events.push("drain"); },
    bytes() { return concat(chunks); },
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** The raw far end: what it read, whether it saw EOF. */
interface Peer {
  socket: net.Socket;
  received: Uint8Array[];
  ended: boolean;
  total(): number;
}

/** Resolves once the peer has handed `data` to the kernel, and the event loop has turned once more. */
function written(peer: Peer, data: Uint8Array): Promise<void> {
  return new Promise((resolve) => peer.socket.write(data, () => setTimeout(resolve, 0)));
}

describe("the runtime's ByteSocket", () => {
  let server: net.Server;
  let arrived: ((peer: Peer) => void) | null = null;
  const peers: Peer[] = [];
  beforeAll(async () => {
    server = net.createServer({ allowHalfOpen: true }, (socket) => {
      const peer: Peer = { socket, received: [], ended: false, total: () => peer.received.reduce((n, c) => n + c.length, 0) };
      socket.on("data", (chunk: Uint8Array) => peer.received.push(new Uint8Array(chunk)));
      socket.on("end", () => { peer.ended = true; });
      socket.on("error", () => {});
      peers.push(peer);
      arrived?.(peer);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  });
  afterAll(() => new Promise<void>((resolve) => {
    for (const peer of peers) peer.socket.destroy();
    server.close(() => resolve());
  }));

  async function pair(): Promise<{ socket: ByteSocket; peer: Peer }> {
    const peer = new Promise<Peer>((resolve) => { arrived = resolve; });
    const { port } = server.address() as net.AddressInfo;
    const socket = await getConnector().connect({ host: "127.0.0.1", port, secure: false });
    return { socket, peer: await peer };
  }

  it("writes everything though the runtime takes it in parts; false past the high-water mark, then drain", async () => {
    const { socket, peer } = await pair();
    const handler = recorder();
    socket.attach(handler);
    peer.socket.pause(); // the peer stops reading: the kernel buffers fill up
    const bytes = bytesOf(16 * 1024 * 1024, 11);
    // Three chunks in one call, as a frame header and payloads would come.
    const ok = socket.write([bytes.subarray(0, 10), bytes.subarray(10, 5_000_000), bytes.subarray(5_000_000)]);
    expect(ok).toBe(false);
    expect(socket.bufferedAmount).toBeGreaterThan(0);
    expect(handler.events).toEqual([]);
    peer.socket.resume();
    await until(() => peer.total() === bytes.length, 30_000, "every byte");
    expect(concat(peer.received)).toEqual(bytes);
    await until(() => handler.events.includes("drain"), 10_000, "drain");
    expect(socket.bufferedAmount).toBe(0);
    expect(socket.write([new Uint8Array(1)])).toBe(true);
    socket.destroy();
  }, 60_000);

  it("reads nothing while paused; attach delivers what came meanwhile, then the peer's EOF, in order", async () => {
    const { socket, peer } = await pair();
    const first = recorder();
    socket.attach({
      ...first,
      onData(chunk) {
        first.onData(chunk);
        socket.pause(); // as a handshake does once the head is complete
      },
    });
    peer.socket.write(new Uint8Array([1]));
    await until(() => first.events.length === 1, 10_000, "the first chunk");
    await written(peer, new Uint8Array([2, 3]));
    await written(peer, new Uint8Array([4]));
    peer.socket.end();
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    expect(first.events).toEqual(["data"]);
    const second = recorder();
    socket.attach(second);
    await until(() => second.events.includes("end"), 10_000, "end");
    expect(second.bytes()).toEqual(new Uint8Array([2, 3, 4]));
    expect(second.events.filter((e) => e !== "data")[0]).toBe("end");
    socket.destroy();
  });

  it("end() half-closes after the queue drains: the peer reads all of it, then EOF, and can still answer", async () => {
    const { socket, peer } = await pair();
    const handler = recorder();
    socket.attach(handler);
    peer.socket.pause();
    const bytes = bytesOf(8 * 1024 * 1024, 2);
    socket.write([bytes]);
    socket.end();
    expect(socket.write([new Uint8Array(1)])).toBe(false); // nothing after end()
    peer.socket.resume();
    await until(() => peer.ended, 30_000, "EOF at the peer");
    expect(concat(peer.received)).toEqual(bytes);
    peer.socket.end("still here");
    await until(() => handler.events.includes("close"), 10_000, "close");
    expect(new TextDecoder().decode(handler.bytes())).toBe("still here");
    expect(handler.events.filter((e) => e !== "data")).toEqual(["end", "close"]);
  }, 60_000);

  it("destroy() closes at once; close is reported once, later, and to a handler attached afterwards", async () => {
    const { socket, peer } = await pair();
    const handler = recorder();
    socket.attach(handler);
    socket.destroy();
    expect(handler.events).toEqual([]);
    await until(() => handler.events.length > 0, 10_000, "close");
    await until(() => peer.socket.readableEnded || peer.socket.destroyed, 10_000, "the peer's EOF");
    expect(handler.events).toEqual(["close"]);
    expect(peer.total()).toBe(0);
    const late = recorder();
    socket.attach(late);
    expect(late.events).toEqual(["close"]);
    expect(handler.events).toEqual(["close"]);
    peer.socket.destroy();
  });

  it("a peer that resets the connection: the socket closes exactly once, last", async () => {
    const { socket, peer } = await pair();
    const handler = recorder();
    socket.attach(handler);
    peer.socket.resetAndDestroy();
    await until(() => {
      // Writing shows the reset where reading alone would not.
      if (!handler.events.includes("close")) socket.write([new Uint8Array(64 * 1024)]);
      return handler.events.includes("close");
    }, 10_000, "close");
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    expect(handler.events.filter((e) => e === "close")).toEqual(["close"]);
    expect(handler.events.at(-1)).toBe("close");
  });
});
