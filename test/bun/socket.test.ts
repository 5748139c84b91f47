/**
 * BunByteSocket, the ByteSocket port over a Bun socket: partial writes
 * (Bun takes what the kernel takes) flushed on drain, pause/attach, end,
 * destroy. The far end is a raw Bun.listen socket the test drives by hand.
 */
import { afterAll, beforeAll, describe, expect, it, until } from "../harness.ts";
import { BunByteSocket, byteSocketHandlers, HIGH_WATER_MARK } from "../../src/runtime/bun/socket.ts";
import type { BunSocket } from "../../src/runtime/bun/bun-types.ts";
import type { ByteSocketHandler } from "../../src/web/transport/byte-socket.ts";
import { bytesOf } from "../peers/payloads.ts";

declare const Bun: {
  listen(options: unknown): { port: number; stop(force?: boolean): void };
  connect(options: unknown): Promise<BunSocket<BunByteSocket>>;
};

interface Recorder extends ByteSocketHandler {
  events: string[];
  bytes(): Uint8Array;
}

function recorder(): Recorder {
  const chunks: Uint8Array[] = [];
  const events: string[] = [];
  return {
    events,
    onData(chunk) { chunks.push(chunk); events.push("data"); },
    onEnd() { events.push("end"); },
    onClose(error) { events.push(error ? "close:error" : "close"); },
    onDrain() { events.push("drain"); },
    bytes() {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) { out.set(c, at); at += c.length; }
      return out;
    },
  };
}

/** The raw server end: what it received, and its socket. */
interface Peer {
  socket: { write(d: Uint8Array | string): number; end(): void; pause(): void; resume(): void };
  received: Uint8Array[];
  ended: boolean;
  total(): number;
  bytes(): Uint8Array;
}

describe("BunByteSocket", () => {
  let listener: { port: number; stop(force?: boolean): void };
  const peers: Peer[] = [];
  let waiting: ((p: Peer) => void) | null = null;
  beforeAll(() => {
    listener = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(socket: Peer["socket"] & { data: Peer }) {
          const peer: Peer = {
            socket,
            received: [],
            ended: false,
            total: () => peer.received.reduce((n, c) => n + c.length, 0),
            bytes() {
              const out = new Uint8Array(peer.total());
              let at = 0;
              for (const c of peer.received) { out.set(c, at); at += c.length; }
              return out;
            },
          };
          socket.data = peer;
          peers.push(peer);
          waiting?.(peer);
        },
        data(socket: { data: Peer }, chunk: Uint8Array) { socket.data.received.push(chunk.slice()); },
        end(socket: { data: Peer }) { socket.data.ended = true; },
      },
    });
  });
  afterAll(() => { listener.stop(true); });

  async function pair(): Promise<{ socket: BunByteSocket; peer: Peer }> {
    const arrived = new Promise<Peer>((resolve) => { waiting = resolve; });
    const raw = await Bun.connect({
      hostname: "127.0.0.1",
      port: listener.port,
      allowHalfOpen: true,
      socket: { ...byteSocketHandlers, open(s: BunSocket<BunByteSocket>) { new BunByteSocket(s); } },
    });
    return { socket: raw.data, peer: await arrived };
  }

  it("writes everything though Bun takes part of it; false past the high-water mark, then drain", async () => {
    const { socket, peer } = await pair();
    const handler = recorder();
    socket.attach(handler);
    peer.socket.pause(); // the peer stops reading: the kernel buffers fill up
    const bytes = bytesOf(32 * 1024 * 1024, 5);
    const ok = socket.write([bytes.subarray(0, 10), bytes.subarray(10)]);
    expect(ok).toBe(false);
    expect(socket.bufferedAmount).toBeGreaterThan(HIGH_WATER_MARK);
    peer.socket.resume();
    await until(() => peer.total() === bytes.length, 30_000, "every byte");
    expect(peer.bytes()).toEqual(bytes);
    await until(() => handler.events.includes("drain"), 10_000, "drain");
    expect(socket.bufferedAmount).toBe(0);
    socket.destroy();
  }, 60_000);

  it("reads nothing while paused; attach delivers what came meanwhile, in order", async () => {
    const { socket, peer } = await pair();
    const first = recorder();
    socket.attach({ ...first, onData(chunk) { first.onData(chunk); socket.pause(); } });
    peer.socket.write(new Uint8Array([1]));
    await until(() => first.events.length === 1, 10_000, "first chunk");
    peer.socket.write(new Uint8Array([2, 3]));
    peer.socket.write(new Uint8Array([4]));
    await new Promise((r) => setTimeout(r, 50));
    expect(first.events).toEqual(["data"]);
    const second = recorder();
    socket.attach(second);
    await until(() => second.bytes().length === 3, 10_000, "the rest");
    expect(second.bytes()).toEqual(new Uint8Array([2, 3, 4]));
    socket.destroy();
  });

  it("end() goes out after everything queued: the peer reads all of it, then EOF", async () => {
    const { socket, peer } = await pair();
    socket.attach(recorder());
    peer.socket.pause();
    const bytes = bytesOf(8 * 1024 * 1024, 9);
    socket.write([bytes]);
    socket.end();
    expect(socket.write([new Uint8Array(1)])).toBe(false);
    peer.socket.resume();
    await until(() => peer.ended, 30_000, "EOF at the peer");
    expect(peer.bytes()).toEqual(bytes);
  }, 60_000);

  it("destroy(): close is reported once, later, and to a handler attached afterwards", async () => {
    const { socket } = await pair();
    const handler = recorder();
    socket.attach(handler);
    socket.destroy();
    expect(handler.events).toEqual([]);
    await until(() => handler.events.length > 0, 10_000, "close");
    await new Promise((r) => setTimeout(r, 20));
    expect(handler.events).toEqual(["close"]);
    const late = recorder();
    socket.attach(late);
    expect(late.events).toEqual(["close"]);
  });

  it("the peer's FIN arrives as end; the peer's data before it first", async () => {
    const { socket, peer } = await pair();
    const handler = recorder();
    socket.attach(handler);
    peer.socket.write(new TextEncoder().encode("last words"));
    peer.socket.end();
    await until(() => handler.events.includes("end") || handler.events.includes("close"), 10_000, "end");
    expect(new TextDecoder().decode(handler.bytes())).toBe("last words");
    expect(handler.events.filter((e) => e !== "data")[0]).toBe("end");
    socket.destroy();
  });
});
