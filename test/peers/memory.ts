/**
 * Memory measurements for limit tests (memory, never time, is what they assert).
 * node:process works on Node, Deno and Bun; maxRSS is KiB on all three.
 */
import process from "node:process";

/** The process's peak RSS so far, in bytes (a high-water mark). */
export const maxRss = (): number => process.resourceUsage().maxRSS * 1024;

/**
 * Peak RSS growth over `base` until `done` settles: RSS sampled between
 * event-loop turns, plus the high-water mark when it rose meanwhile, which
 * also catches a peak inside synchronous work (Deno inflates on the main
 * thread, for one).
 */
export async function peakGrowth(base: number, done: Promise<unknown>): Promise<number> {
  const markBefore = maxRss();
  let peak = base;
  let finished = false;
  void done.finally(() => { finished = true; });
  while (!finished) {
    peak = Math.max(peak, process.memoryUsage().rss);
    await new Promise((r) => setTimeout(r, 2));
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const markAfter = maxRss();
  if (markAfter > markBefore) peak = Math.max(peak, markAfter);
  return peak - base;
}

/**
 * The RSS to measure growth from, after a full collection where the runtime
 * offers one (Bun.gc; globalThis.gc under --expose-gc), so garbage that
 * earlier work left behind is not freed into the measurement's headroom.
 * Not for work that is itself mostly garbage (a stream of 200 MiB read and
 * dropped): a base taken after a collection sits below where the runtime's
 * heap settles while that garbage waits, and the growth counts the
 * difference (Bun: 114 MiB where 65 is usual).
 */
export function baseRss(): number {
  const g = globalThis as { gc?: () => void; Bun?: { gc(full: boolean): void } };
  if (g.Bun) g.Bun.gc(true);
  else g.gc?.();
  return process.memoryUsage().rss;
}
