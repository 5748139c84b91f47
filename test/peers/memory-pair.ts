/**
 * Two ByteSockets joined in memory: what one writes the other reads, in a
 * later microtask. For tests that need many connections fast (no kernel,
 * no ports): the whole driver layer runs over it as over TCP.
 *
 *   a.write(chunks) --queued--> b's handler.onData   (while b reads)
 *   a.end()         --queued--> b's handler.onEnd
 *   a.destroy()     --> onClose on both sides
 */
import type { ByteSocket, ByteSocketHandler } from "../../src/web/transport/byte-socket.ts";

const END = Symbol("end");

class MemorySocket implements ByteSocket {
  peer!: MemorySocket;
  #handler: ByteSocketHandler | null = null;
  #reading = false;
  #inbox: Array<Uint8Array | typeof END> = [];
  #closed = false;
  readonly bufferedAmount = 0;

  attach(handler: ByteSocketHandler): void {
    this.#handler = handler;
    this.#reading = true;
    this.#deliver();
  }

  pause(): void {
    this.#reading = false;
  }

  write(chunks: readonly Uint8Array[]): boolean {
    if (this.#closed) return false;
    for (const chunk of chunks) this.peer.#receive(chunk.slice());
    return true;
  }

  end(): void {
    if (!this.#closed) this.peer.#receive(END);
  }

  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    queueMicrotask(() => this.#handler?.onClose());
    this.peer.destroy();
  }

  flushed(callback: (error?: Error) => void): void {
    queueMicrotask(() => callback(this.#closed ? new Error("closed") : undefined));
  }

  #receive(item: Uint8Array | typeof END): void {
    this.#inbox.push(item);
    queueMicrotask(() => this.#deliver());
  }

  #deliver(): void {
    while (this.#reading && !this.#closed && this.#handler && this.#inbox.length > 0) {
      const item = this.#inbox.shift()!;
      if (item === END) this.#handler.onEnd();
      else this.#handler.onData(item);
    }
  }
}

/** A connected pair: [client side, server side]. */
export function memoryPair(): [ByteSocket, ByteSocket] {
  const a = new MemorySocket();
  const b = new MemorySocket();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
