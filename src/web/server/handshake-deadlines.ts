/**
 * The handshake timeouts of one standalone server with a single timer:
 * every connection waiting for its request head gets the same timeout, so
 * arrival order is deadline order, and the waiting connections form a queue
 * whose head expires first.
 *
 *   add(c)     c.deadline = now + timeout, c to the tail   (arms the timer if none)
 *   remove(c)  unlinked in O(1)                           (the last one disarms it)
 *   timer      expires every connection past its deadline from the head,
 *              then re-arms for the new head's deadline
 *
 * A connection that finishes its head leaves the timer alone (it may fire
 * for a deadline no longer waited on, and re-arms); a timer per connection
 * cost a set and a clear on every handshake.
 */
import { startTimer, type Timer } from "../websocket/timers.ts";

/** A connection waiting for its request head: its own fields hold the queue's links. */
export interface HandshakeWaiter {
  deadline: number;
  newer: HandshakeWaiter | null;
  older: HandshakeWaiter | null;
  /** The deadline passed: drop the connection (it is out of the queue already). */
  expire(): void;
}

export class HandshakeDeadlines {
  #oldest: HandshakeWaiter | null = null;
  #newest: HandshakeWaiter | null = null;
  #timer: Timer | null = null;
  readonly #sweep = () => this.#expire();

  constructor(readonly timeout: number) {}

  add(waiter: HandshakeWaiter): void {
    waiter.deadline = performance.now() + this.timeout;
    waiter.newer = null;
    waiter.older = this.#newest;
    if (this.#newest) this.#newest.newer = waiter;
    else this.#oldest = waiter;
    this.#newest = waiter;
    this.#timer ??= startTimer(this.#sweep, this.timeout);
  }

  /** Takes `waiter` out of the queue (safe to call again, or for one that expired). */
  remove(waiter: HandshakeWaiter): void {
    if (waiter.older) waiter.older.newer = waiter.newer;
    else if (this.#oldest === waiter) this.#oldest = waiter.newer;
    else return; // not queued
    if (waiter.newer) waiter.newer.older = waiter.older;
    else this.#newest = waiter.older;
    waiter.newer = waiter.older = null;
    if (this.#oldest === null) {
      this.#timer?.clear();
      this.#timer = null;
    }
  }

  #expire(): void {
    this.#timer = null;
    const now = performance.now();
    let waiter = this.#oldest;
    while (waiter !== null && waiter.deadline <= now) {
      this.remove(waiter);
      waiter.expire();
      waiter = this.#oldest;
    }
    if (waiter !== null) this.#timer ??= startTimer(this.#sweep, Math.max(1, Math.ceil(waiter.deadline - now)));
  }
}
