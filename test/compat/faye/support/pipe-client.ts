/**
 * Drives a ws.pipe(ws) echo server with `total` bytes through a faye client
 * (ours), as a Node stream on both sides:
 *
 *   Readable (64 KiB Buffers) --pipe--> client --> server ws.pipe(ws) --> client --"data"--> count
 *
 * The client reads slowly: it stays paused and reads in short windows (at
 * most `window` bytes, every `gapMs`), so the server has to wait for it:
 * with backpressure the bytes wait in the kernel's socket buffers, a paused
 * server and the client's held-back writes; without it, in the server's memory.
 */
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import WebSocket from "../../../../src/runtime/node/compat/faye/index.ts";

export interface PipeResult {
  sent: number;
  received: number;
  ms: number;
}

export function pumpThrough(url: string, total: number, { chunk = 64 * 1024, window = 256 * 1024, gapMs = 2 } = {}): Promise<PipeResult> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket.Client(url);
    const block = Buffer.alloc(chunk, 0x61);
    let produced = 0;
    let received = 0;
    const start = Date.now();
    const source = new Readable({
      read() {
        if (produced >= total) return void this.push(null);
        const size = Math.min(chunk, total - produced);
        produced += size;
        this.push(size === chunk ? block : block.subarray(0, size));
      },
    });
    client.pause();
    let done = false;
    let budget = 0;
    const open = () => {
      if (done) return;
      budget = window;
      client.resume();
    };
    client.on("data", (data: Buffer | string) => {
      const size = typeof data === "string" ? Buffer.byteLength(data) : data.length;
      received += size;
      budget -= size;
      if (budget <= 0 && received < total) {
        client.pause();
        setTimeout(open, gapMs);
      }
      if (received >= total) {
        done = true;
        client.close();
      }
    });
    client.on("open", () => {
      source.pipe(client, { end: false });
      open();
    });
    client.on("error", (event: { message: string }) => reject(new Error(event.message)));
    client.on("close", () => resolve({ sent: produced, received, ms: Date.now() - start }));
  });
}
