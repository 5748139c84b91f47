/**
 * The one timer port of the driver layer: every timer a connection owns
 * (heartbeat, handshake, close timeouts) is set and cleared through it, so
 * no timer can hide, and a test can count the ones still armed.
 *
 *   Connection / Heartbeat / handshakes --set/clear--> timers --> setTimeout (or a fake)
 *
 * src/core never holds a timer (it is sans-I/O); this file is where they
 * live instead. `activeTimers()` answers how many are armed right now: a
 * connection that is gone must leave none behind.
 */

/** What a timer source supplies: the global setTimeout/clearTimeout, or a fake in tests. */
export interface TimerPort {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const globalTimers: TimerPort = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

let port: TimerPort = globalTimers;
const armed = new Set<Timer>();

/** One armed timer; `clear()` is safe to call any number of times. */
export class Timer {
  #handle: unknown;
  #port: TimerPort;

  constructor(callback: () => void, ms: number) {
    this.#port = port;
    armed.add(this);
    this.#handle = this.#port.set(() => {
      armed.delete(this);
      callback();
    }, ms);
  }

  clear(): void {
    if (!armed.delete(this)) return;
    this.#port.clear(this.#handle);
  }
}

/** Arms `callback` after `ms` milliseconds. */
export function startTimer(callback: () => void, ms: number): Timer {
  return new Timer(callback, ms);
}

/** How many timers of the driver layer are armed now (0 once every connection is gone). */
export function activeTimers(): number {
  return armed.size;
}

/** Tests: use `next` for the timers armed from now on; returns the port used before. */
export function setTimerPort(next: TimerPort | null): TimerPort {
  const previous = port;
  port = next ?? globalTimers;
  return previous;
}
