/**
 * Bounds how many compression jobs run at once, across connections.
 *
 *   context A --run()--\                      /--> codec job (slot 1)
 *   context B --run()---> JobLimiter (limit n) ---> codec job (slot 2)
 *   context C --run()--/   FIFO of waiters     \--> ... at most n
 *
 * zlib work is asynchronous and each job holds input, output and a native
 * stream; a flood of compressed messages over many connections must not
 * start all of them at once. A job asks for a slot and gets it now
 * (`tryAcquire`) or later (`wait`), and gives it back with `release`.
 * Waiters are served first come, first served. No timers, no promises.
 */
import { WebSocketError } from "../../../shared/errors.ts";

export class JobLimiter {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  private draining = false;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new WebSocketError("WS_ERR_INVALID_ARGUMENT", `concurrency limit must be a positive integer, got ${limit}`);
    }
  }

  /** Jobs holding a slot now. */
  get running(): number {
    return this.active;
  }

  /** Jobs waiting for a slot. */
  get pending(): number {
    return this.waiters.length;
  }

  /** Takes a slot if one is free and nobody waits ahead; true when taken. */
  tryAcquire(): boolean {
    if (this.active >= this.limit || this.waiters.length > 0) return false;
    this.active++;
    return true;
  }

  /** Calls `start` once a slot is taken for it (maybe at once). */
  wait(start: () => void): void {
    if (this.tryAcquire()) return start();
    this.waiters.push(start);
  }

  /** Gives a slot back; the oldest waiters get the free slots. */
  release(): void {
    if (this.active > 0) this.active--;
    // A loop, not recursion: a waiter whose job ends synchronously releases
    // inside `start`, and that nested call only frees its slot.
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.waiters.length > 0 && this.active < this.limit) {
        this.active++;
        this.waiters.shift()!();
      }
    } finally {
      this.draining = false;
    }
  }
}

const shared = new Map<number, JobLimiter>();

/**
 * The process-wide limiter for `limit`: every extension built with the same
 * limit shares it, so creating one extension per connection still bounds
 * the total (as ws does with its module-level limiter).
 */
export function sharedLimiter(limit: number): JobLimiter {
  let limiter = shared.get(limit);
  if (!limiter) {
    limiter = new JobLimiter(limit);
    shared.set(limit, limiter);
  }
  return limiter;
}
