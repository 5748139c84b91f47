/**
 * A Bun socket (Bun.connect / Bun.listen) as the ByteSocket port.
 *
 *   Bun handlers (data/drain/end/close) --socket.data--> BunByteSocket --> handler
 *   write(chunks) --joined--> socket.write() takes what the kernel takes;
 *        the rest waits here and goes out on "drain"
 *   end()     --> once nothing waits here: socket.shutdown()  (FIN; reading goes on)
 *   destroy() --> socket.end() now, dropping what still waits here (closes)
 *
 * The handlers are one shared object (no closures per connection); each
 * Bun socket's `data` points at its BunByteSocket. end() is a half-close:
 * Bun's own end() closes the whole socket, and a socket closed while the
 * peer is still sending is reset, which can lose the Close frame just sent
 * (a 1009 for a message past maxLength); so the peer's bytes are read until
 * it ends too, or until destroy() after the close timeout.
 */
import { concatBytes } from "../../core/shared/bytes.ts";
import type { ByteSocket, ByteSocketHandler } from "../../web/transport/byte-socket.ts";
import type { BunSocket, BunSocketHandler } from "./bun-types.ts";
import { FlushWaiters, unwrittenError } from "../../web/transport/flush-waiters.ts";

export const HIGH_WATER_MARK = 64 * 1024;

export class BunByteSocket implements ByteSocket {
  readonly socket: BunSocket<BunByteSocket>;
  #handler: ByteSocketHandler | null = null;
  #paused = true;
  #stash: Uint8Array[] = [];
  #eof = false;
  #eofDelivered = false;
  /** What Bun did not take yet, oldest first. */
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #needDrain = false;
  #ending = false;
  #ended = false;
  #released = false;
  #closed = false;
  #closeReportedTo: ByteSocketHandler | null = null;
  #error: Error | undefined;

  constructor(socket: BunSocket<BunByteSocket>) {
    this.socket = socket;
    socket.data = this;
    socket.setNoDelay?.(true);
    socket.pause(); // until a handler attaches
  }

  get bufferedAmount(): number {
    return this.#queuedBytes;
  }

  /** Waiting for the queue to empty (ByteSocket.flushed). */
  #flushWaiters = new FlushWaiters();

  flushed(callback: (error?: Error) => void): void {
    this.#flushWaiters.add(callback, this.#queue.length === 0, this.#closed);
  }

  attach(handler: ByteSocketHandler): void {
    this.#handler = handler;
    if (this.#closed) {
      this.#reportClose();
      return;
    }
    this.#paused = false;
    // What arrived while paused goes first, in order; a handler may pause again.
    while (this.#stash.length > 0 && !this.#paused && !this.#closed) handler.onData(this.#stash.shift()!);
    if (this.#paused || this.#closed) return;
    if (this.#eof) this.#deliverEof();
    else this.socket.resume();
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    if (!this.#closed) this.socket.pause();
  }

  write(chunks: readonly Uint8Array[]): boolean {
    if (this.#closed || this.#ending) return false;
    if (this.#queue.length > 0) {
      for (const c of chunks) this.#enqueue(c);
    } else {
      // One write for header and payload together.
      const bytes = chunks.length === 1 ? chunks[0]! : concatBytes(chunks);
      if (bytes.length === 0) return true;
      const n = this.socket.write(bytes);
      if (n >= bytes.length) return true;
      if (n < 0) return false; // closed: the close handler follows
      this.#enqueue(n === 0 ? bytes : bytes.subarray(n));
    }
    if (this.#queuedBytes < HIGH_WATER_MARK) return true;
    this.#needDrain = true;
    return false;
  }

  end(): void {
    if (this.#closed || this.#ending) return;
    this.#ending = true;
    if (this.#queue.length === 0) this.#endNow();
  }

  /** Hands the Bun socket over (e.g. to upgradeTLS) while idle; this object ignores it from now on. */
  release(): BunSocket<BunByteSocket> {
    if (this.#queue.length > 0 || this.#stash.length > 0) {
      throw new Error("omnisocket: a Bun socket can be handed over only when idle");
    }
    this.#closed = true;
    this.#handler = null;
    return this.socket;
  }

  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Writes still queued are dropped: their waiters hear so.
    if (this.#queue.length > 0) this.#flushWaiters.release(unwrittenError());
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#release();
    // Like a node socket, "close" comes after destroy(), asynchronously.
    queueMicrotask(() => this.#reportClose());
  }

  // ------------------------------------------------- from the Bun handlers --

  received(chunk: Uint8Array): void {
    if (this.#closed) return;
    // Bun hands each callback a buffer of its own, which the engine may keep.
    if (this.#paused) this.#stash.push(chunk);
    else this.#handler?.onData(chunk);
  }

  drained(): void {
    const queue = this.#queue;
    while (queue.length > 0 && !this.#closed) {
      const head = queue[0]!;
      const n = this.socket.write(head);
      if (n < 0) return;
      this.#queuedBytes -= Math.min(n, head.length);
      if (n < head.length) {
        queue[0] = head.subarray(n);
        return; // the next drain continues
      }
      queue.shift();
    }
    this.#flushWaiters.release();
    if (this.#closed) return;
    if (this.#ending) {
      this.#endNow();
      return;
    }
    if (this.#needDrain) {
      this.#needDrain = false;
      this.#handler?.onDrain();
    }
  }

  peerEnded(): void {
    this.#eof = true;
    if (!this.#paused) this.#deliverEof();
  }

  failed(error: Error): void {
    this.#error ??= error;
  }

  closed(error?: Error): void {
    if (error) this.#error ??= error;
    // After our half-close Bun reports the peer's FIN as close alone: the
    // peer ended cleanly, so say so first, as the other runtimes do.
    if (!error && this.#ended && !this.#released && !this.#eof && !this.#closed) this.peerEnded();
    const first = !this.#closed;
    const unsent = this.#queue.length > 0;
    this.#closed = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#flushWaiters.release(unsent ? unwrittenError() : undefined);
    // Bun may call this from inside socket.end(); report it afterwards.
    if (first) queueMicrotask(() => this.#reportClose());
  }

  // ------------------------------------------------------------ internals --

  #enqueue(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#queue.push(chunk);
    this.#queuedBytes += chunk.length;
  }

  /** FIN after everything queued; the read side stays open (RFC 9293 section 3.6: a half-close). */
  #endNow(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (!this.socket.shutdown) return this.#release();
    try {
      this.socket.shutdown();
    } catch {
      // already closed
    }
  }

  /** Closes the socket (both ways). */
  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#ended = true;
    try {
      this.socket.end();
    } catch {
      // already closed
    }
  }

  #deliverEof(): void {
    if (this.#eofDelivered) return;
    this.#eofDelivered = true;
    this.#handler?.onEnd();
  }

  #reportClose(): void {
    const handler = this.#handler;
    if (!handler || handler === this.#closeReportedTo) return;
    this.#closeReportedTo = handler;
    handler.onClose(this.#error);
  }
}

/** The Bun handlers for sockets whose `data` is a BunByteSocket (open is the caller's). */
export const byteSocketHandlers: Required<Pick<BunSocketHandler<BunByteSocket>, "data" | "drain" | "end" | "close" | "error">> = {
  data(socket, chunk) {
    // A plain Uint8Array view (Bun passes a Buffer): web types past the shim.
    socket.data?.received(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  },
  drain(socket) {
    socket.data?.drained();
  },
  end(socket) {
    socket.data?.peerEnded();
  },
  close(socket, error) {
    socket.data?.closed(error);
  },
  error(socket, error) {
    socket.data?.failed(error);
  },
};
