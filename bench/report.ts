/**
 * The benchmarks' text tables: number formatting, aligned columns, and the
 * round-trip table the echo benchmarks share.
 */
import type { LatencyResult } from "./load-client.ts";

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Columns aligned: the first to the left, the others to the right. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

interface LatencyRow {
  server: string;
  messagesPerSecond: number;
  serverCpuMicrosPerMessage: number;
  latency?: LatencyResult;
}

/** Round trips: percentiles in µs, and each row's p50 and p99 against `reference` (named `label` in the header). */
export function latencyTable(rows: LatencyRow[], reference: LatencyRow | undefined, label: string): string {
  return table(
    ["server", "p50 µs", "p90 µs", "p99 µs", "max µs", "round trips/s", "server CPU µs/msg", `this/${label} p50`, `this/${label} p99`],
    rows.map((r) => {
      const l = r.latency!;
      return [
        r.server,
        fmt(l.p50, 1),
        fmt(l.p90, 1),
        fmt(l.p99, 1),
        fmt(l.max),
        fmt(r.messagesPerSecond),
        fmt(r.serverCpuMicrosPerMessage, 2),
        reference ? fmt(l.p50 / reference.latency!.p50, 2) : "-",
        reference ? fmt(l.p99 / reference.latency!.p99, 2) : "-",
      ];
    }),
  );
}
