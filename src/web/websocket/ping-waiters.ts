/**
 * faye's `ping(data, callback)`: callbacks waiting for the pong that
 * echoes their ping's payload (RFC 6455 section 5.5.3: "A Pong frame sent
 * in response to a Ping frame must have identical Application data").
 */
export class PingWaiters {
  #waiting = new Map<string, (() => void)[]>();

  /** Runs `callback` when a pong with `payload` arrives. */
  add(payload: Uint8Array, callback: () => void): void {
    const key = keyOf(payload);
    const list = this.#waiting.get(key);
    if (list) list.push(callback);
    else this.#waiting.set(key, [callback]);
  }

  /** A pong arrived: runs the callbacks waiting for its payload. */
  pong(payload: Uint8Array): void {
    if (this.#waiting.size === 0) return;
    const key = keyOf(payload);
    const waiting = this.#waiting.get(key);
    if (!waiting) return;
    this.#waiting.delete(key);
    for (const cb of waiting) cb();
  }

  /** The connection closed: no pong will come. */
  clear(): void {
    this.#waiting.clear();
  }
}

function keyOf(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
