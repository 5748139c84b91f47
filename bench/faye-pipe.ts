/**
 * ws.pipe(ws) with 100 MiB: the server's live memory and the time taken,
 * omnisocket/faye beside the real faye-websocket, with the same slow-reading
 * client (ours) against both. Each server is a child process of its own
 * (test/compat/faye/support/pipe-server.mjs, run with --expose-gc) in a
 * project that installs the package as built from this checkout.
 *
 *   npx tsx bench/faye-pipe.ts [--mib 100] [--rounds 2]
 *
 * Prints a table and writes bench/results/faye-pipe-<time>.json.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeConsumer, ROOT } from "../test/compat/faye/support/consumer.ts";
import { pumpThrough } from "../test/compat/faye/support/pipe-client.ts";

const MiB = 1024 * 1024;
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const mib = arg("mib", 100);
const rounds = arg("rounds", 2);

interface Row { server: string; ms: number; liveMiB: number; rssMiB: number }

async function once(dir: string, moduleName: string): Promise<Row> {
  const child = spawn(process.execPath, ["--expose-gc", "pipe-server.mjs", moduleName], { cwd: dir });
  const lines: unknown[] = [];
  let buffered = "";
  let wake: () => void = () => {};
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk;
    let n: number;
    while ((n = buffered.indexOf("\n")) >= 0) {
      lines.push(JSON.parse(buffered.slice(0, n)));
      buffered = buffered.slice(n + 1);
      wake();
    }
  });
  const next = async (count: number) => { while (lines.length < count) await new Promise<void>((r) => { wake = r; }); };
  await next(1);
  const port = (lines[0] as { port: number }).port;
  const result = await pumpThrough(`ws://127.0.0.1:${port}/`, mib * MiB);
  await next(2);
  const report = lines[1] as unknown as { base: { heap: number; rss: number }; peak: { heap: number; rss: number } };
  child.kill();
  return {
    server: moduleName,
    ms: result.ms,
    liveMiB: (report.peak.heap - report.base.heap) / MiB,
    rssMiB: (report.peak.rss - report.base.rss) / MiB,
  };
}

const consumer = makeConsumer();
try {
  copyFileSync(join(ROOT, "test/compat/faye/support/pipe-server.mjs"), join(consumer.dir, "pipe-server.mjs"));
  const best = new Map<string, Row>();
  for (let round = 0; round < rounds; round++) {
    for (const name of ["omnisocket/faye", "faye-websocket"]) {
      const row = await once(consumer.dir, name);
      const prev = best.get(name);
      if (!prev || row.ms < prev.ms) best.set(name, row);
    }
  }
  const ours = best.get("omnisocket/faye")!;
  const faye = best.get("faye-websocket")!;
  console.log(`ws.pipe(ws), ${mib} MiB each way, slow-reading client; best of ${rounds} by time`);
  console.log("server            time      live memory peak   RSS growth");
  for (const row of [ours, faye]) {
    console.log(`${row.server.padEnd(16)} ${String(row.ms).padStart(6)} ms ${row.liveMiB.toFixed(1).padStart(12)} MiB ${row.rssMiB.toFixed(1).padStart(10)} MiB`);
  }
  console.log(`ours / faye: ${(faye.ms / ours.ms).toFixed(2)}x the speed, ${(ours.liveMiB / faye.liveMiB).toFixed(2)}x the live memory`);
  mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
  const file = join(ROOT, "bench", "results", `faye-pipe-${new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19)}.json`);
  writeFileSync(file, JSON.stringify({ mib, rounds, node: process.version, rows: [ours, faye] }, null, 2) + "\n");
  console.log(`wrote ${file}`);
} finally {
  consumer.remove();
}
