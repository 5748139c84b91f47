/**
 * The callbacks of ByteSocket.flushed() for sockets that queue their own
 * writes (Deno's, Bun's): each runs once, with no argument when the queue
 * has gone out, or with an error when the socket closed first.
 */

/** The error a waiter gets when the socket closes with bytes still queued. */
export function unwrittenError(): Error {
  return new Error("The socket was closed before the data was written");
}

/** Callbacks waiting for a socket's write queue to empty. */
export class FlushWaiters {
  #waiting: Array<(error?: Error) => void> = [];

  /** Runs `callback` soon if the queue is empty (`idle`) or the socket is gone (`closed`), else when release() comes. */
  add(callback: (error?: Error) => void, idle: boolean, closed: boolean): void {
    if (idle) queueMicrotask(() => callback());
    else if (closed) queueMicrotask(() => callback(unwrittenError()));
    else this.#waiting.push(callback);
  }

  /** Runs every waiting callback once, with `error` when the bytes did not go out. */
  release(error?: Error): void {
    const waiting = this.#waiting;
    if (waiting.length === 0) return;
    this.#waiting = [];
    for (const callback of waiting) callback(error);
  }
}
