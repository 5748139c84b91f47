/**
 * Helpers for the core tests: byte literals written like Python's b"...",
 * fixed random sources for masks, and drains that join what a Protocol sends.
 */
import { Protocol, type ProtocolEvent, type ProtocolOptions } from "../../../src/core/websocket/protocol.ts";
import { concatBytes } from "../../../src/core/shared/bytes.ts";
import type { RandomSource } from "../../../src/core/shared/platform.ts";

/**
 * A byte literal: every char of `s` is one byte (its code, 0-255), so
 * `b("\x81\x05Hello")` reads like python-websockets' `b"\x81\x05Hello"`.
 */
export function b(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`b(): char ${c} is not a byte`);
    out[i] = c;
  }
  return out;
}

/** Bytes from hex pairs, spaces allowed: `hex("81 05 48")`. */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

/** `n` bytes counting up from `start` (mod 256). */
export function seq(n: number, start = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (start + i) & 0xff;
  return out;
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A random source that repeats one 4-byte key forever. */
export function fixedKey(key: Uint8Array | number[] = [0, 0, 0, 0]): RandomSource {
  const k = Uint8Array.from(key);
  return (buf) => {
    for (let i = 0; i < buf.length; i++) buf[i] = k[i & 3]!;
    return buf;
  };
}

/** A random source that hands out bytes 00 01 02 ... across calls. */
export function countingRandom(): RandomSource {
  let n = 0;
  return (buf) => {
    for (let i = 0; i < buf.length; i++) buf[i] = n++ & 0xff;
    return buf;
  };
}

/** A client with the all-zero masking key, so masked bytes read as plain text. */
export function client(options: Partial<ProtocolOptions> = {}): Protocol {
  return new Protocol({ role: "client", random: fixedKey(), ...options });
}

export function server(options: Partial<ProtocolOptions> = {}): Protocol {
  return new Protocol({ role: "server", ...options });
}

/** Everything the protocol has to send, joined in one array. */
export function sent(p: Protocol): Uint8Array {
  return concat(...p.dataToSend());
}

/** Every event, drained as a driver does: until none is left (a failure after messages comes on a later call). */
export function events(p: Protocol): ProtocolEvent[] {
  const out: ProtocolEvent[] = [];
  for (let evs = p.eventsReceived(); evs.length > 0; evs = p.eventsReceived()) out.push(...evs);
  return out;
}

/** The error event's code and close code, or undefined when none was emitted. */
export function errorOf(evs: ProtocolEvent[]): { code: string; closeCode: number } | undefined {
  for (const e of evs) if (e.type === "error") return { code: e.error.code, closeCode: e.error.closeCode };
  return undefined;
}

/** Close frame bytes for `code` (+ reason), unmasked (server) or zero-masked (client). */
export function closeFrame(code: number | undefined, reason = "", masked = false): Uint8Array {
  const payload = code === undefined ? new Uint8Array(0) : concat(new Uint8Array([code >> 8, code & 0xff]), utf8(reason));
  const head = new Uint8Array([0x88, (masked ? 0x80 : 0) | payload.length]);
  return masked ? concat(head, new Uint8Array(4), payload) : concat(head, payload);
}

/** Splits `data` at the given offsets (sorted, deduplicated, in range). */
export function splitAt(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < data.length))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(data.slice(from, p));
    from = p;
  }
  out.push(data.slice(from));
  return out;
}
