/**
 * Memory for small outgoing frames: a bump allocator over 64 KiB slabs.
 *
 *   slab: [frame][frame][frame][ free ........................ ]
 *                                ^ used
 *
 * A fresh typed array of its own costs an ArrayBuffer allocation (and
 * tracking by the GC) per frame; a view into a shared slab does not. Space
 * is never reused: a slab that runs out is dropped (the GC frees it once
 * every frame cut from it has been written) and a new one is started, so a
 * frame still waiting in a socket's queue is never overwritten. Frames cut
 * one after another lie next to each other, which lets the sender join
 * them into one write.
 */

const SLAB_SIZE = 64 * 1024;

/** Frames larger than this get a buffer of their own. */
export const SLAB_FRAME_LIMIT = 8 * 1024;

let slab = new Uint8Array(SLAB_SIZE);
let used = 0;

/**
 * Makes room for up to `n` <= SLAB_FRAME_LIMIT bytes and returns the slab
 * and the offset they start at; hand the bytes out with `cut(start, length)`.
 */
export function reserve(n: number): Uint8Array {
  if (used + n > slab.length) {
    slab = new Uint8Array(SLAB_SIZE);
    used = 0;
  }
  return slab;
}

/** Where the next frame starts in the current slab. */
export function nextOffset(): number {
  return used;
}

/** Hands out `length` bytes from the current offset (after `reserve`). */
export function cut(length: number): Uint8Array {
  const view = slab.subarray(used, used + length);
  used += length;
  return view;
}

/** `n` zeroed bytes: from the slab when small, else a buffer of their own. */
export function allocate(n: number): Uint8Array {
  if (n > SLAB_FRAME_LIMIT) return new Uint8Array(n);
  reserve(n);
  return cut(n);
}
