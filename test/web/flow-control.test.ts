/**
 * Flow control measured, not assumed (docs/flow-control.md):
 *
 *   receive  raw peer --floods 200 MiB--> our server --> a reader taking one message per 10 ms
 *            (a WebSocketStream; the event API with pause()/resume());
 *            raw server --floods--> our WebSocketStream client, the same reader
 *            asserts: the sender's bytes accepted by TCP stay within a few
 *            MiB of what the reader consumed (its window filled), and the
 *            server's memory stays bounded
 *   send     our server --WebSocketStream writer / send() in a loop--> raw peer reading slowly or never
 *            asserts: writes wait for the network; backpressureLimit drops
 *            the peer with 1008 and WS_ERR_BACKPRESSURE_LIMIT
 *
 * Peers are raw node:net sockets (test/peers/flood.ts), so nothing here is
 * measured with the code under test. Memory is a generous bound on peak RSS
 * growth (test/peers/memory.ts); the benchmark (bench/slow-reader.ts)
 * reports the real figures.
 */
import process from "node:process";
import { describe, expect, it, until } from "../harness.ts";
import { WebSocket, WebSocketStream, WebSocketError, type ErrorEvent, type CloseEvent } from "../entry.ts";
import { startOurServer } from "../peers/our-server.ts";
import { startRawServer, startWsServer } from "../peers/servers.ts";
import { answerHandshake, rawClient } from "../peers/raw.ts";
import { flood, slowReader } from "../peers/flood.ts";
import { peakGrowth } from "../peers/memory.ts";

const MiB = 1024 * 1024;
const SIZE = 512 * 1024;
const TOTAL = 200 * MiB;
/** Kernel buffers on both ends plus the stream's queue: what may sit between sender and reader. */
const MAX_LAG = 32 * MiB;
/** Peak RSS growth allowed while 200 MiB pass through (without flow control it is all of it, and more). */
const MAX_GROWTH = 112 * MiB;
const TIMEOUT = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("receive flow control: a peer floods a slow reader", () => {
  it("a WebSocketStream reading one message per 10 ms: the sender's TCP window fills, memory stays bounded", async () => {
    let consumed = 0;
    let maxLag = 0;
    let flushed = () => 0;
    let reading: Promise<void> = Promise.resolve();
    const server = await startOurServer({
      echo: false,
      onConnection(ws) {
        // excerpt: stream-reader
        const stream = WebSocketStream.from(ws);
        reading = (async () => {
          const { readable } = await stream.opened;
          for await (const message of readable as unknown as AsyncIterable<Uint8Array>) {
            consumed += message.length;
            maxLag = Math.max(maxLag, flushed() - consumed);
            if (consumed >= TOTAL) break;
            await sleep(10); // a slow consumer: the socket stops reading meanwhile
          }
        })();
        // end excerpt
      },
    });
    try {
      const raw = await rawClient(server.port);
      const base = process.memoryUsage().rss;
      const sender = flood(raw, TOTAL, SIZE);
      flushed = sender.flushed;
      const growth = await peakGrowth(base, Promise.all([sender.done, until(() => consumed >= TOTAL, TIMEOUT, "the reader")]));
      await reading;
      expect(consumed).toBe(TOTAL);
      expect(maxLag).toBeLessThan(MAX_LAG);
      expect(growth).toBeLessThan(MAX_GROWTH);
      raw.socket.destroy();
    } finally {
      await server.close();
    }
  }, TIMEOUT);

  it("the event API with pause()/resume(): one message per 10 ms holds the sender back too", async () => {
    let consumed = 0;
    let maxLag = 0;
    let flushed = () => 0;
    const server = await startOurServer({
      echo: false,
      onConnection(ws) {
        ws.binaryType = "uint8array";
        ws.addEventListener("message", (event) => {
          consumed += ((event as MessageEvent).data as Uint8Array).length;
          maxLag = Math.max(maxLag, flushed() - consumed);
          // A slow consumer: no more messages (and no reading) for 10 ms.
          ws.pause();
          setTimeout(() => ws.resume(), 10);
        });
      },
    });
    try {
      const raw = await rawClient(server.port);
      const base = process.memoryUsage().rss;
      const sender = flood(raw, TOTAL, SIZE);
      flushed = sender.flushed;
      const growth = await peakGrowth(base, Promise.all([sender.done, until(() => consumed >= TOTAL, TIMEOUT, "the reader")]));
      expect(consumed).toBe(TOTAL);
      expect(maxLag).toBeLessThan(MAX_LAG);
      expect(growth).toBeLessThan(MAX_GROWTH);
      raw.socket.destroy();
    } finally {
      await server.close();
    }
  }, TIMEOUT);
});

describe("receive flow control on the client side", () => {
  it("our WebSocketStream client reading one message per 10 ms holds back a server that floods it", async () => {
    let flushed = () => 0;
    let flooding: Promise<void> = Promise.resolve();
    const sockets: Array<{ destroy(): void }> = [];
    const server = await startRawServer((socket) => {
      sockets.push(socket);
      void answerHandshake(socket).then(() => {
        const sender = flood({ socket, server: true }, TOTAL, SIZE);
        flushed = sender.flushed;
        flooding = sender.done;
      });
    });
    try {
      let consumed = 0;
      let maxLag = 0;
      const base = process.memoryUsage().rss;
      const reading = (async () => {
        const wss = new WebSocketStream(server.url);
        const { readable } = await wss.opened;
        for await (const message of readable as unknown as AsyncIterable<Uint8Array>) {
          consumed += message.length;
          maxLag = Math.max(maxLag, flushed() - consumed);
          if (consumed >= TOTAL) break; // cancels: we close
          await sleep(10);
        }
      })();
      const growth = await peakGrowth(base, reading);
      await flooding;
      expect(consumed).toBe(TOTAL);
      expect(maxLag).toBeLessThan(MAX_LAG);
      expect(growth).toBeLessThan(MAX_GROWTH);
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.close();
    }
  }, TIMEOUT);
});

describe("send flow control: a slow reader on the other end", () => {
  it("a WebSocketStream writer waits on writer.ready: written-but-unread bytes stay bounded", async () => {
    const total = 128 * MiB;
    let resolved = 0;
    let maxLag = 0;
    let read = () => 0;
    let writing: Promise<void> = Promise.resolve();
    const server = await startOurServer({
      echo: false,
      onConnection(ws) {
        const stream = WebSocketStream.from(ws);
        const chunk = new Uint8Array(SIZE);
        writing = (async () => {
          const { writable } = await stream.opened;
          const writer = writable.getWriter();
          for (let written = 0; written < total; written += SIZE) {
            await writer.ready; // waits while too much is queued
            void writer.write(chunk).then(() => {
              resolved += SIZE; // the message reached the network
              maxLag = Math.max(maxLag, resolved - read());
            });
          }
          await writer.close();
        })();
      },
    });
    try {
      const raw = await rawClient(server.port);
      const reader = slowReader(raw, SIZE);
      read = reader.read;
      const base = process.memoryUsage().rss;
      const growth = await peakGrowth(base, until(() => reader.read() >= total, TIMEOUT, "the slow reader"));
      await writing;
      expect(resolved).toBe(total);
      expect(maxLag).toBeLessThan(MAX_LAG);
      expect(growth).toBeLessThan(MAX_GROWTH);
      reader.stop();
    } finally {
      await server.close();
    }
  }, TIMEOUT);

  it("backpressureLimit drops a peer that never reads with 1008 and WS_ERR_BACKPRESSURE_LIMIT", async () => {
    let sent = 0;
    let error: unknown;
    let close: CloseEvent | undefined;
    const server = await startOurServer({
      echo: false,
      options: { backpressureLimit: 8 * MiB },
      onConnection(ws) {
        const chunk = new Uint8Array(MiB);
        // A server that ignores bufferedAmount and sends 1 MiB per task.
        const tick = () => {
          if (ws.readyState !== WebSocket.OPEN) return;
          ws.send(chunk);
          sent += MiB;
          setTimeout(tick, 0);
        };
        ws.addEventListener("open", tick);
        ws.addEventListener("error", (event) => { error = (event as ErrorEvent).error; });
        ws.addEventListener("close", (event) => { close = event as CloseEvent; });
      },
    });
    try {
      const raw = await rawClient(server.port, { allowHalfOpen: true });
      raw.socket.removeAllListeners("data");
      raw.socket.pause(); // never reads
      const base = process.memoryUsage().rss;
      const growth = await peakGrowth(base, until(() => close !== undefined, TIMEOUT, "the server dropping the peer"));
      expect(close!.code).toBe(1008);
      expect(close!.wasClean).toBe(false);
      expect(error).toBeInstanceOf(WebSocketError);
      expect((error as InstanceType<typeof WebSocketError>).code).toBe("WS_ERR_BACKPRESSURE_LIMIT");
      // The limit plus what the kernels took before the socket backed up.
      expect(sent).toBeLessThan(64 * MiB);
      expect(growth).toBeLessThan(MAX_GROWTH);
      raw.socket.destroy();
    } finally {
      await server.close();
    }
  }, TIMEOUT);

  it("\"drain\" fires once bufferedAmount falls back to lowWaterMark after a send took it above", async () => {
    const server = await startWsServer({ echo: false });
    try {
      const ws = new WebSocket(server.url, [], { lowWaterMark: 1024 });
      await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
      let drains = 0;
      const drained = new Promise<void>((resolve) => ws.addEventListener("drain", () => { drains++; resolve(); }));
      ws.send(new Uint8Array(4 * MiB));
      expect(ws.bufferedAmount).toBe(4 * MiB);
      await drained;
      expect(ws.bufferedAmount).toBe(0);
      expect(drains).toBe(1);
      ws.close();
      await new Promise((resolve) => ws.addEventListener("close", resolve, { once: true }));
      expect(drains).toBe(1);
    } finally {
      await server.close();
    }
  });
});
