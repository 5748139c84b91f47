/**
 * Publishes of one task, written together: the hub queues, this file writes
 * in a microtask.
 *
 *   publish(A) --> Burst { frames: [A] }, a place reserved on each subscriber
 *   publish(B) --> same topic, same subscribers, nothing sent anywhere since
 *                  (outputEpoch unchanged): frames [A, B], no walk over the subscribers
 *   microtask  --> frames joined once (adjacent slab frames are one view already),
 *                  every place filled with the same bytes, one flush() per socket
 *
 * Sockets that took a message through sendShared (compression, a Blob
 * send waiting) are flushed here too, once each, whatever the number of
 * publishes.
 */
import type { Subscriber } from "./hub.ts";
import type { PublishTarget } from "./target.ts";

/** The shared frames of one or more publishes to one topic in one task, and the places kept for them. */
export class Burst {
  /** Whole frames, in publish order (read only). */
  readonly frames: Uint8Array[] = [];
  /** Payload bytes of those frames (what bufferedAmount counts). */
  bytes = 0;
  readonly targets: PublishTarget[] = [];
  readonly slots: object[] = [];
  /** Written: nothing joins it any more. */
  done = false;
  /** outputEpoch() after this burst's last publish. */
  epoch = 0;

  constructor(
    readonly topic: string,
    /** The topic's subscriber snapshot when it started (a change makes a new one). */
    readonly subscribers: readonly Subscriber[],
  ) {}

  add(chunks: readonly Uint8Array[], payloadLength: number): void {
    for (let i = 0; i < chunks.length; i++) this.frames.push(chunks[i]!);
    this.bytes += payloadLength;
  }
}

/** A burst joins at most this many bytes into one copy; past it, the chunks go out as they are. */
const JOIN_LIMIT = 256 * 1024;

/** The frames as few chunks as possible: adjacent views merged, small remainders copied into one. */
export function joinFrames(frames: readonly Uint8Array[]): Uint8Array[] {
  const merged: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < frames.length; i++) {
    const chunk = frames[i]!;
    total += chunk.length;
    const last = merged[merged.length - 1];
    if (last !== undefined && last.buffer === chunk.buffer && last.byteOffset + last.length === chunk.byteOffset) {
      merged[merged.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.length + chunk.length);
    } else merged.push(chunk);
  }
  if (merged.length === 1 || total > JOIN_LIMIT) return merged;
  const joined = new Uint8Array(total);
  let at = 0;
  for (const chunk of merged) {
    joined.set(chunk, at);
    at += chunk.length;
  }
  return [joined];
}

let bursts: Burst[] = [];
let unflushed: PublishTarget[] = [];

function schedule(): void {
  if (bursts.length === 0 && unflushed.length === 0) queueMicrotask(flushAll);
}

/** Writes `burst` at the end of this task. */
export function queueBurst(burst: Burst): void {
  schedule();
  bursts.push(burst);
}

/** Flushes `target` at the end of this task (once, however often it is queued). */
export function queueFlush(target: PublishTarget): void {
  if (target.flushQueued) return;
  schedule();
  target.flushQueued = true;
  unflushed.push(target);
}

function flushAll(): void {
  const filling = bursts;
  const targets = unflushed;
  bursts = [];
  unflushed = [];
  for (let b = 0; b < filling.length; b++) {
    const burst = filling[b]!;
    burst.done = true;
    const chunks = joinFrames(burst.frames);
    for (let i = 0; i < burst.targets.length; i++) {
      try {
        burst.targets[i]!.settleShared!(burst.slots[i]!, chunks, burst.bytes);
      } catch {
        // Gone under us: the others still get their bytes.
      }
    }
  }
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i]!;
    target.flushQueued = false;
    try {
      target.flush();
    } catch {
      // This socket closed under us; the others still get their bytes.
    }
  }
}
