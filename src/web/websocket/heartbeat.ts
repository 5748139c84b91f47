/**
 * Heartbeat: a ping every `interval` ms; when nothing at all (a pong, a
 * message, any frame) arrives within `timeout` ms of a ping, the peer is
 * taken for dead and `dead()` runs (the driver then drops the connection
 * with 1006 and WS_ERR_HEARTBEAT_TIMEOUT).
 *
 *   tick (every interval) --ping()--> peer
 *        '--arms deadline (timeout), unless one is armed already
 *   activity() (any bytes read) --clears the deadline
 *   deadline fires --> dead()
 *
 * So a dead peer is found within interval + timeout. RFC 6455 section
 * 5.5.2: a ping "may serve either as a keepalive or as a means to verify
 * that the remote endpoint is still responsive"; section 5.5.3: the peer
 * answers with a pong "as soon as is practical".
 *
 * faye's `ping` option (seconds, interval only) is a Heartbeat with no
 * timeout: pings, and nothing is ever dropped for want of an answer.
 * While `hold(true)` (we stopped reading the socket ourselves) no deadline
 * runs: silence is then ours, not the peer's.
 */
import { startTimer, type Timer } from "./timers.ts";

/** The `heartbeat` option: milliseconds. */
export interface HeartbeatOptions {
  /** Milliseconds between pings. */
  interval: number;
  /** Milliseconds a ping may go unanswered (no pong, no traffic) before the connection is dropped. */
  timeout: number;
}

/** What the timers run on: a ping interval and, unless absent, a timeout. */
export interface HeartbeatSettings {
  interval: number;
  timeout?: number;
}

function positive(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > 0x7fffffff) {
    throw new TypeError(`${what} must be a positive number of milliseconds (at most 2^31 - 1), got ${String(value)}`);
  }
  return value;
}

/**
 * The settings a socket runs with: `heartbeat` ({ interval, timeout } in ms)
 * wins; else faye's `ping` (seconds, pings only); else none. Throws a
 * TypeError for a malformed `heartbeat`.
 */
export function heartbeatSettings(heartbeat: HeartbeatOptions | undefined, ping: number | undefined): HeartbeatSettings | null {
  if (heartbeat !== undefined) {
    if (typeof heartbeat !== "object" || heartbeat === null) throw new TypeError("heartbeat must be { interval, timeout } in milliseconds");
    return { interval: positive(heartbeat.interval, "heartbeat.interval"), timeout: positive(heartbeat.timeout, "heartbeat.timeout") };
  }
  if (ping !== undefined && ping > 0) return { interval: ping * 1000 };
  return null;
}

export class Heartbeat {
  #tick: Timer | undefined;
  #deadline: Timer | undefined;
  #held = false;
  #stopped = false;

  constructor(
    private readonly settings: HeartbeatSettings,
    /** Sends a ping; false when the connection can no longer send one. */
    private readonly ping: () => boolean,
    /** The peer did not answer in time. */
    private readonly dead: () => void,
  ) {}

  start(): void {
    if (this.#stopped || this.#tick) return;
    this.#armTick();
  }

  /** Bytes arrived from the peer: it is alive. */
  activity(): void {
    if (this.#deadline) {
      this.#deadline.clear();
      this.#deadline = undefined;
    }
  }

  /** While held, silence is not the peer's fault (we are not reading). */
  hold(held: boolean): void {
    this.#held = held;
    if (held) this.activity();
  }

  /** Clears every timer; for good. */
  stop(): void {
    this.#stopped = true;
    this.#tick?.clear();
    this.#tick = undefined;
    this.activity();
  }

  #armTick(): void {
    this.#tick = startTimer(() => this.#beat(), this.settings.interval);
  }

  #beat(): void {
    this.#tick = undefined;
    if (this.#stopped) return;
    if (!this.ping()) return this.stop();
    const timeout = this.settings.timeout;
    if (timeout !== undefined && !this.#held && !this.#deadline) {
      this.#deadline = startTimer(() => {
        this.#deadline = undefined;
        if (this.#stopped) return;
        this.stop();
        this.dead();
      }, timeout);
    }
    this.#armTick();
  }
}

/** A server's `idleTimeout` (seconds, as Deno and Bun): a ping halfway, dropped when still silent at the end. */
export function idleHeartbeat(idleTimeout: number | undefined): HeartbeatOptions | undefined {
  if (idleTimeout === undefined || idleTimeout === 0) return undefined;
  if (typeof idleTimeout !== "number" || !(idleTimeout > 0) || idleTimeout * 1000 > 0x7fffffff) {
    throw new TypeError(`idleTimeout must be a positive number of seconds (0 for none), got ${String(idleTimeout)}`);
  }
  return { interval: idleTimeout * 500, timeout: idleTimeout * 500 };
}
