/**
 * DenoByteSocket, the ByteSocket port over a Deno connection: partial
 * writes and backpressure, pause/attach, half-close, destroy.
 * The far end is a raw Deno TCP connection the test drives by hand.
 */
import { afterAll, beforeAll, describe, expect, it, until } from "../harness.ts";
import { DenoByteSocket, HIGH_WATER_MARK } from "../../src/runtime/deno/socket.ts";
import type { DenoConn, DenoListener } from "../../src/runtime/deno/deno-types.ts";
import type { ByteSocketHandler } from "../../src/web/transport/byte-socket.ts";
import { bytesOf } from "../peers/payloads.ts";

declare const Deno: {
  listen(options: { hostname: string; port: number }): DenoListener;
  connect(options: { hostname: string; port: number }): Promise<DenoConn>;
};

interface Recorder extends ByteSocketHandler {
  chunks: Uint8Array[];
  events: string[];
  bytes(): Uint8Array;
}

function recorder(): Recorder {
  const chunks: Uint8Array[] = [];
  const events: string[] = [];
  return {
    chunks,
    events,
    onData(chunk) { chunks.push(chunk); events.push("data"); },
    onEnd() { events.push("end"); },
    onClose(error) { events.push(error ? `close:${error.name}` : "close"); },
    onDrain() { events.push("drain"); },
    bytes() {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) { out.set(c, at); at += c.length; }
      return out;
    },
  };
}

async function readAll(conn: DenoConn, limit = Infinity): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  const buffer = new Uint8Array(64 * 1024);
  while (total < limit) {
    const n = await conn.read(buffer);
    if (n === null) break;
    parts.push(buffer.slice(0, n));
    total += n;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

async function writeAll(conn: DenoConn, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
}

describe("DenoByteSocket", () => {
  let listener: DenoListener;
  beforeAll(() => { listener = Deno.listen({ hostname: "127.0.0.1", port: 0 }); });
  afterAll(() => { listener.close(); });

  /** Ours (a DenoByteSocket on the client end) and the raw server end. */
  async function pair(): Promise<{ socket: DenoByteSocket; peer: DenoConn }> {
    const accepted = listener.accept();
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    return { socket: new DenoByteSocket(conn), peer: await accepted };
  }

  it("writes everything when Deno takes it in parts; false past the high-water mark, then drain", async () => {
    const { socket, peer } = await pair();
    const handler = recorder();
    socket.attach(handler);
    const bytes = bytesOf(16 * 1024 * 1024, 11);
    // Three chunks in one call, as a frame header and payloads would come.
    const ok = socket.write([bytes.subarray(0, 10), bytes.subarray(10, 5_000_000), bytes.subarray(5_000_000)]);
    expect(ok).toBe(false);
    expect(socket.bufferedAmount).toBeGreaterThan(HIGH_WATER_MARK);
    expect(handler.events).toEqual([]);
    const received = await readAll(peer, bytes.length);
    expect(received).toEqual(bytes);
    await until(() => handler.events.includes("drain"), 10_000, "drain");
    expect(socket.bufferedAmount).toBe(0);
    expect(socket.write([new Uint8Array(1)])).toBe(true);
    socket.destroy();
    peer.close();
  });

  it("reads nothing while paused; attach delivers what came meanwhile, in order", async () => {
    const { socket, peer } = await pair();
    const first = recorder();
    socket.attach({
      ...first,
      onData(chunk) {
        first.onData(chunk);
        socket.pause(); // as a handshake does once the head is complete
      },
    });
    await writeAll(peer, new Uint8Array([1]));
    await until(() => first.chunks.length === 1, 10_000, "first chunk");
    await writeAll(peer, new Uint8Array([2, 3]));
    await writeAll(peer, new Uint8Array([4]));
    peer.closeWrite();
    await new Promise((r) => setTimeout(r, 50));
    expect(first.events).toEqual(["data"]);
    const second = recorder();
    socket.attach(second);
    await until(() => second.events.includes("end"), 10_000, "end");
    expect(second.bytes()).toEqual(new Uint8Array([2, 3, 4]));
    expect(second.events.at(-1)).toBe("end");
    socket.destroy();
    peer.close();
  });

  it("end() half-closes after the queue drains: the peer reads EOF and can still answer", async () => {
    const { socket, peer } = await pair();
    const handler = recorder();
    socket.attach(handler);
    socket.write([bytesOf(300_000, 2)]);
    socket.end();
    expect(socket.write([new Uint8Array(1)])).toBe(false); // nothing after end()
    const received = await readAll(peer);
    expect(received).toEqual(bytesOf(300_000, 2));
    await writeAll(peer, new TextEncoder().encode("still here"));
    peer.close();
    await until(() => handler.events.includes("close"), 10_000, "close");
    expect(new TextDecoder().decode(handler.bytes())).toBe("still here");
    expect(handler.events.slice(-2)).toEqual(["end", "close"]);
  });

  it("destroy() closes at once; close is reported once, later, and to a handler attached afterwards", async () => {
    const { socket, peer } = await pair();
    const handler = recorder();
    socket.attach(handler);
    socket.destroy();
    expect(handler.events).toEqual([]);
    await until(() => handler.events.length > 0, 10_000, "close");
    expect(handler.events).toEqual(["close"]);
    expect(await readAll(peer)).toEqual(new Uint8Array(0));
    const late = recorder();
    socket.attach(late);
    expect(late.events).toEqual(["close"]);
    expect(handler.events).toEqual(["close"]);
    peer.close();
  });

  it("a peer that goes away: end, then a failing write closes it exactly once, with the error", async () => {
    const { socket, peer } = await pair();
    const handler = recorder();
    socket.attach(handler);
    // Unread data at close makes the peer's kernel answer with RST.
    socket.write([new Uint8Array(1000)]);
    await new Promise((r) => setTimeout(r, 20));
    peer.close();
    await until(() => handler.events.length > 0, 10_000, "end or close");
    for (let i = 0; i < 20 && !handler.events.some((e) => e.startsWith("close")); i++) {
      socket.write([new Uint8Array(64 * 1024)]);
      await new Promise((r) => setTimeout(r, 20));
    }
    await until(() => handler.events.some((e) => e.startsWith("close")), 10_000, "close");
    expect(handler.events.filter((e) => e.startsWith("close"))).toEqual([handler.events.at(-1)!]);
    expect(handler.events.at(-1)).toMatch(/^close:/);
  });

});
