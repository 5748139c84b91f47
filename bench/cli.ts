/**
 * What every benchmark script takes from its command line and its place:
 *
 *   option("rounds")            the value after --rounds, or undefined
 *   option("rounds", "3")       ... or the fallback
 *   here("./x.ts")              a path next to the benchmarks
 *   ROOT, BIN, RESULTS, TSX     the repository, node_modules/.bin/, bench/results/, tsx's loader
 */
import { fileURLToPath } from "node:url";

export function option(name: string): string | undefined;
export function option(name: string, fallback: string): string;
export function option(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** A path relative to bench/. */
export const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export const ROOT = here("../");
export const BIN = here("../node_modules/.bin/");
export const RESULTS = here("./results/");
/** tsx's loader, for `node --import` in server children. */
export const TSX = import.meta.resolve("tsx");
