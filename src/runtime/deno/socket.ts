/**
 * A Deno connection (Deno.connect / connectTls / listen) as the ByteSocket
 * port.
 *
 *   conn.read() loop --view--> handler.onData      (stops while paused)
 *   write(chunks) --> queue --joined--> conn.write() until every byte is out
 *                                          (Deno may write part of a buffer)
 *   end() --> after the queue drains: conn.closeWrite()   (TCP FIN)
 *   destroy() --> conn.close()
 *
 * Deno has no event for "the kernel took it": `bufferedAmount` counts what
 * is queued here plus the write in flight; write() returns false past
 * HIGH_WATER_MARK, and onDrain follows once the queue is empty.
 */
import type { ByteSocket, ByteSocketHandler } from "../../web/transport/byte-socket.ts";
import type { DenoConn } from "./deno-types.ts";
import { FlushWaiters, unwrittenError } from "../../web/transport/flush-waiters.ts";

/** Read buffer sizes: small while reads are small, doubling while they fill it. */
const MIN_READ = 2 * 1024;
const MAX_READ = 1024 * 1024;
/** A read buffer with less room left than this is replaced (no reads into a sliver). */
const MIN_ROOM = 512;
export const HIGH_WATER_MARK = 64 * 1024;
/** Queued chunks up to this size are joined into one write; larger ones go on their own (no copy). */
const JOIN_LIMIT = 64 * 1024;

/** The next write: queue[0], or the run of small chunks at the head of the queue joined into one. */
function nextBatch(queue: Uint8Array[]): { bytes: Uint8Array; taken: number } {
  const first = queue[0]!;
  let total = first.length;
  let count = 1;
  while (count < queue.length && total + queue[count]!.length <= JOIN_LIMIT) total += queue[count++]!.length;
  if (count === 1) return { bytes: first, taken: 1 };
  const bytes = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < count; i++) {
    bytes.set(queue[i]!, at);
    at += queue[i]!.length;
  }
  return { bytes, taken: count };
}

/** Deno's errors for a connection this side already closed. */
function isClosedByUs(err: unknown): boolean {
  const name = (err as Error | undefined)?.name;
  return name === "BadResource" || name === "Interrupted";
}

export class DenoByteSocket implements ByteSocket {
  readonly conn: DenoConn;
  #handler: ByteSocketHandler | null = null;
  #paused = true;
  #reading = false;
  /** Bytes read while paused, delivered on the next attach. */
  #stash: Uint8Array[] = [];
  #eof = false;
  #eofDelivered = false;
  #readBuffer = new Uint8Array(MIN_READ);
  /** Bytes of #readBuffer already handed out: the next read goes after them. */
  #readAt = 0;

  #queue: Uint8Array[] = [];
  /** Queued plus in flight. */
  #buffered = 0;
  #writing = false;
  #needDrain = false;
  #ending = false;
  #writeClosed = false;

  #closed = false;
  /** The handler that last heard "close" (each attached handler hears it once). */
  #closeReportedTo: ByteSocketHandler | null = null;
  #error: Error | undefined;

  constructor(conn: DenoConn) {
    this.conn = conn;
    try {
      conn.setNoDelay?.(true);
    } catch {
      // TLS connections have no setNoDelay on some versions
    }
  }

  get bufferedAmount(): number {
    return this.#buffered;
  }

  /** Waiting for the queue to empty (ByteSocket.flushed). */
  #flushWaiters = new FlushWaiters();

  flushed(callback: (error?: Error) => void): void {
    this.#flushWaiters.add(callback, !this.#writing && this.#queue.length === 0, this.#closed);
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
    else if (!this.#reading) void this.#readLoop();
  }

  pause(): void {
    this.#paused = true;
  }

  write(chunks: readonly Uint8Array[]): boolean {
    if (this.#closed || this.#ending) return false;
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      if (c.length === 0) continue;
      this.#queue.push(c);
      this.#buffered += c.length;
    }
    if (!this.#writing && this.#queue.length > 0) void this.#writeLoop();
    if (this.#buffered < HIGH_WATER_MARK) return true;
    this.#needDrain = true;
    return false;
  }

  end(): void {
    if (this.#closed || this.#ending) return;
    this.#ending = true;
    if (!this.#writing) void this.#closeWrite();
  }

  /**
   * Hands the connection over (e.g. to Deno.startTls) and makes this object
   * dead. Only while paused with no read in flight (a handler that pauses
   * inside onData leaves none) and nothing left to write (a write in flight
   * that finishes later sees the socket closed and stops).
   */
  release(): DenoConn {
    if (this.#reading || this.#queue.length > 0 || this.#stash.length > 0) {
      throw new Error("omnisocket: a Deno connection can be handed over only when idle");
    }
    this.#closed = true;
    this.#handler = null;
    return this.conn;
  }

  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Writes still queued or in flight are dropped: their waiters hear so.
    if (this.#queue.length > 0 || this.#writing) this.#flushWaiters.release(unwrittenError());
    this.#queue = [];
    try {
      this.conn.close();
    } catch {
      // already closed by the runtime
    }
    // Like a node socket, "close" comes after destroy(), asynchronously.
    queueMicrotask(() => this.#reportClose());
  }

  // ------------------------------------------------------------ internals --

  async #readLoop(): Promise<void> {
    this.#reading = true;
    try {
      while (!this.#paused && !this.#closed) {
        const buffer = this.#readBuffer;
        const n = await this.conn.read(this.#readAt === 0 ? buffer : buffer.subarray(this.#readAt));
        if (this.#closed) return;
        if (n === null) {
          this.#eof = true;
          break;
        }
        if (n === 0) continue;
        const chunk = this.#take(n);
        if (this.#paused) {
          this.#stash.push(chunk);
          return;
        }
        this.#handler!.onData(chunk);
      }
    } catch (err) {
      this.#fail(err);
      return;
    } finally {
      this.#reading = false;
    }
    if (this.#eof && !this.#paused && !this.#closed) this.#deliverEof();
  }

  /**
   * The `n` bytes just read, as a chunk the engine may keep (and unmask in
   * place): a view of the read buffer, never copied. The next read goes
   * into the buffer's room after it, so nothing handed out is ever
   * overwritten; a buffer with little room left is replaced by a new one
   * (the old one lives as long as a chunk of it is kept). Buffers grow
   * while reads fill a whole one and shrink while reads are small, so an
   * idle connection holds little memory.
   */
  #take(n: number): Uint8Array {
    const buffer = this.#readBuffer;
    const start = this.#readAt;
    const chunk = buffer.subarray(start, start + n);
    let size = buffer.length;
    if (start + n === size && size < MAX_READ) size *= 2; // the read filled all the room it had
    else if (n < size / 4 && size > MIN_READ) size /= 2;
    const at = start + n;
    if (size !== buffer.length || buffer.length - at < MIN_ROOM) {
      this.#readBuffer = new Uint8Array(size);
      this.#readAt = 0;
    } else {
      this.#readAt = at;
    }
    return chunk;
  }

  #deliverEof(): void {
    if (this.#eofDelivered) return;
    this.#eofDelivered = true;
    this.#handler?.onEnd();
    // Both directions are done: nothing more can happen on this connection.
    if (this.#writeClosed) this.destroy();
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        // Small frames (headers and payloads) go out together in one write.
        const { bytes: batch, taken } = nextBatch(this.#queue);
        this.#queue.splice(0, taken);
        let offset = 0;
        while (offset < batch.length) {
          // Deno may take part of the buffer; the rest is written next.
          const n = await this.conn.write(offset === 0 ? batch : batch.subarray(offset));
          offset += n;
          this.#buffered -= n;
          if (this.#closed) return;
        }
      }
    } catch (err) {
      this.#fail(err);
      return;
    } finally {
      this.#writing = false;
      this.#flushWaiters.release();
    }
    if (this.#closed) return;
    if (this.#ending) {
      await this.#closeWrite();
      return;
    }
    if (this.#needDrain) {
      this.#needDrain = false;
      this.#handler?.onDrain();
    }
  }

  async #closeWrite(): Promise<void> {
    if (this.#writeClosed || this.#closed) return;
    this.#writeClosed = true;
    try {
      await this.conn.closeWrite();
    } catch {
      // the peer may be gone already; reading tells
    }
    if (this.#eofDelivered) this.destroy();
    else if (!this.#reading && !this.#paused && !this.#closed) void this.#readLoop();
  }

  #fail(err: unknown): void {
    if (this.#closed) return;
    if (!isClosedByUs(err)) this.#error = err instanceof Error ? err : new Error(String(err));
    this.destroy();
  }

  #reportClose(): void {
    const handler = this.#handler;
    if (!handler || handler === this.#closeReportedTo) return;
    this.#closeReportedTo = handler;
    handler.onClose(this.#error);
  }
}
