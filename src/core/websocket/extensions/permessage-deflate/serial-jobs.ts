/**
 * Runs the jobs of one compression context one at a time, in the order they
 * came, each inside a slot of the shared JobLimiter.
 *
 *   run(work, arg) --> backlog --slot from JobLimiter--> work(arg) --> next
 *                        (FIFO)                          sync or async
 *
 * A zlib stream holds one LZ77 window: two messages must never be in it at
 * once, and the second must go in after the first. When nothing waits and a
 * slot is free, a job that finishes synchronously is answered synchronously,
 * so a synchronous codec never pays for a promise. `close()` rejects what is
 * queued and the job in flight, and frees the slot even if the codec never
 * settles.
 */
import { WebSocketError } from "../../../shared/errors.ts";
import type { JobLimiter } from "./job-limiter.ts";
import { isThenable } from "../../../shared/thenable.ts";

interface Job {
  work: (this: unknown, arg: never) => unknown;
  arg: unknown;
  self: unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class SerialJobs {
  /** A job holds (or waits for) the slot. */
  private busy = false;
  private closed = false;
  private readonly backlog: Job[] = [];
  /** The asynchronous job in flight. */
  private current: Job | null = null;

  constructor(private readonly limiter: JobLimiter) {}

  /** Runs `work(arg)` (with `self` as `this`) after every job queued before it. */
  run<A, T, S = undefined>(work: (this: S, arg: A) => T | PromiseLike<T>, arg: A, self?: S): T | Promise<T> {
    if (this.closed) throw closedError();
    if (!this.busy && this.backlog.length === 0 && this.limiter.tryAcquire()) {
      this.busy = true;
      let result: T | PromiseLike<T>;
      try {
        result = work.call(self as S, arg);
      } catch (err) {
        this.done();
        throw err;
      }
      if (!isThenable(result)) {
        this.done();
        return result;
      }
      const pending = result;
      return new Promise<T>((resolve, reject) => {
        this.follow(pending, { work: work as Job["work"], arg, self, resolve: resolve as (v: unknown) => void, reject });
      });
    }
    return new Promise<T>((resolve, reject) => {
      this.backlog.push({ work: work as Job["work"], arg, self, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  /** Rejects queued jobs and the one in flight; later `run` calls throw. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const error = closedError();
    for (const job of this.backlog.splice(0)) job.reject(error);
    const job = this.current;
    if (job) {
      this.current = null;
      job.reject(error);
      this.busy = false;
      this.limiter.release();
    }
  }

  private pump(): void {
    if (this.busy || this.closed || this.backlog.length === 0) return;
    this.busy = true;
    this.limiter.wait(this.start);
  }

  /** Holds the slot: runs queued jobs while they finish synchronously. */
  private readonly start = (): void => {
    for (;;) {
      const job = this.backlog.shift();
      if (this.closed || !job) {
        this.busy = false;
        this.limiter.release();
        return;
      }
      let result: unknown;
      try {
        result = job.work.call(job.self, job.arg as never);
      } catch (err) {
        job.reject(err);
        continue;
      }
      if (isThenable(result)) return this.follow(result, job);
      job.resolve(result);
    }
  };

  private follow(result: PromiseLike<unknown>, job: Job): void {
    this.current = job;
    result.then(
      (value) => this.settle(job, value, false),
      (error) => this.settle(job, error, true),
    );
  }

  private settle(job: Job, value: unknown, failed: boolean): void {
    if (this.current !== job) return; // closed meanwhile: already rejected
    this.current = null;
    if (failed) job.reject(value);
    else job.resolve(value);
    this.done();
  }

  private done(): void {
    this.busy = false;
    this.limiter.release();
    this.pump();
  }
}

function closedError(): WebSocketError {
  return new WebSocketError("WS_ERR_INVALID_STATE", "permessage-deflate: the session is closed");
}
