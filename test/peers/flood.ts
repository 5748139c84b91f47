/**
 * Peers for flow-control tests, on raw node:net sockets (after rawClient's
 * handshake), so what they measure does not depend on src/:
 *
 *   flood(raw, total, size)      writes binary messages (a client's or a server's) as fast as TCP takes
 *                                them; flushed() = bytes the kernel took
 *   slowReader(raw, perTick)     reads at most perTick bytes every 10 ms and
 *                                throws them away; read() = bytes read
 *
 * Both run in the test's process, so their own memory stays small: one
 * frame reused for every write, nothing kept of what is read.
 */
import { Buffer } from "node:buffer";
import type net from "node:net";
import { clientFrame, frame, type RawClient } from "./raw.ts";

export interface Flood {
  /** Payload bytes whose write the kernel took (write callbacks run). */
  flushed(): number;
  /** Resolves once `total` bytes were flushed; rejects when the connection ends first. */
  done: Promise<void>;
}

/**
 * Writes `total` bytes as binary messages of `size` bytes, as fast as the
 * socket takes them: a raw client's (masked frames), or a raw server's
 * socket after its 101 (`{ socket, server: true }`, unmasked frames).
 */
export function flood(raw: RawClient | { socket: net.Socket; server: true }, total: number, size: number): Flood {
  const socket = raw.socket;
  const payload = new Uint8Array(size).fill(0x5a);
  const bytes = Buffer.from("server" in raw ? frame(2, payload) : clientFrame(2, payload));
  let flushed = 0;
  const done = new Promise<void>((resolve, reject) => {
    let written = 0;
    const onClose = () => reject(new Error(`the connection closed after ${flushed} of ${total} bytes`));
    socket.once("close", onClose);
    const pump = () => {
      while (written < total) {
        written += size;
        const ok = socket.write(bytes, (error) => {
          if (error) return;
          flushed += size;
          if (flushed >= total) {
            socket.off("close", onClose);
            resolve();
          }
        });
        if (!ok) {
          socket.once("drain", pump);
          return;
        }
      }
    };
    pump();
  });
  return { flushed: () => flushed, done };
}

export interface SlowReader {
  /** Bytes read so far (frames and all). */
  read(): number;
  stop(): void;
}

/** Replaces rawClient's frame log: reads at most `perTick` bytes per 10 ms and discards them. */
export function slowReader(raw: RawClient, perTick: number): SlowReader {
  const socket = raw.socket;
  socket.removeAllListeners("data");
  let read = raw.log.received; // what came with the 101
  let budget = perTick;
  let timer: ReturnType<typeof setTimeout> | undefined;
  socket.on("data", (chunk: Buffer) => {
    read += chunk.length;
    budget -= chunk.length;
    if (budget > 0 || timer !== undefined) return;
    socket.pause();
    timer = setTimeout(() => {
      timer = undefined;
      budget = perTick;
      socket.resume();
    }, 10);
  });
  return {
    read: () => read,
    stop: () => {
      clearTimeout(timer);
      socket.destroy();
    },
  };
}
