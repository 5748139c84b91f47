/**
 * Server memory under a slow reader: each server sends 128 MiB of 512 KiB
 * binary messages to one client that reads 512 KiB every 10 ms (about
 * 50 MiB/s), the way a user of that server would send; the server reports
 * its peak RSS growth until every byte was handed to the network.
 *
 *   npx tsx bench/slow-reader.ts [--runtime node,deno,bun] [--only ours-stream,ws-checked] [--mib 128]
 *
 *   slow-reader.ts --spawn--> node|deno|bun slow-reader-servers.ts <kind>   (JSON lines on stdout)
 *                  --TCP----> the slow reader (a raw socket here: handshake by hand, reads and discards)
 *
 * Kinds (see slow-reader-servers.ts): ours-stream, ours-drain, ours-naive,
 * ws-checked (ws's advice: look at bufferedAmount before sending more),
 * ws-naive, native-checked / native-naive (Deno.serve, Bun.serve).
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import { createInterface } from "node:readline";
import process from "node:process";
import { BIN, TSX, here, option } from "./cli.ts";

const MiB = 1024 * 1024;
const PER_TICK = 512 * 1024;

const total = Number(option("mib") ?? 128) * MiB;
const KINDS: Record<string, string[]> = {
  node: ["ours-stream", "ours-drain", "ours-naive", "ws-checked", "ws-naive"],
  deno: ["ours-stream", "ours-drain", "native-checked", "native-naive"],
  bun: ["ours-stream", "ours-drain", "native-checked"],
};

interface Row { runtime: string; kind: string; peakGrowth: number; ms: number }

/** Handshake by hand, then read at most PER_TICK bytes every 10 ms until `bytes` were read. */
function slowReader(port: number, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    let read = 0;
    let upgraded = false;
    let budget = PER_TICK;
    let waiting = false;
    socket.on("error", reject);
    socket.on("data", (chunk: Buffer) => {
      if (!upgraded) {
        const end = chunk.indexOf("\r\n\r\n");
        if (end < 0) return;
        upgraded = true;
        chunk = chunk.subarray(end + 4);
      }
      read += chunk.length;
      budget -= chunk.length;
      if (read >= bytes) {
        socket.destroy();
        resolve();
        return;
      }
      if (budget > 0 || waiting) return;
      waiting = true;
      socket.pause();
      setTimeout(() => {
        waiting = false;
        budget = PER_TICK;
        socket.resume();
      }, 10);
    });
    socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${Buffer.from("0123456789abcdef").toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  });
}

async function run(runtime: string, kind: string): Promise<Row> {
  const script = here("./slow-reader-servers.ts");
  const env = { ...process.env, SLOW_READER_TOTAL: String(total) };
  const child = runtime === "node"
    ? spawn(process.execPath, ["--import", TSX, script, kind], { stdio: ["ignore", "pipe", "inherit"], env })
    : spawn(BIN + runtime, runtime === "deno" ? ["run", "-A", script, kind] : [script, kind], { stdio: ["ignore", "pipe", "inherit"], env });
  const lines = createInterface({ input: child.stdout! });
  const messages: Record<string, unknown>[] = [];
  const waiters: Array<() => void> = [];
  lines.on("line", (line) => {
    try {
      messages.push(JSON.parse(line) as Record<string, unknown>);
      waiters.splice(0).forEach((w) => w());
    } catch { /* runtime chatter */ }
  });
  const next = async (type: string) => {
    for (;;) {
      const found = messages.find((m) => m.type === type);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  try {
    const { port } = (await next("listening")) as { port: number };
    // 10 bytes of frame header per message.
    const reading = slowReader(port, total + (total / (512 * 1024)) * 10);
    const done = (await next("done")) as { peakGrowth: number; ms: number };
    await reading;
    return { runtime, kind, peakGrowth: done.peakGrowth, ms: done.ms };
  } finally {
    child.kill();
  }
}

const runtimes = option("runtime")?.split(",") ?? ["node", "deno", "bun"];
const only = option("only")?.split(",");
const rows: Row[] = [];
for (const runtime of runtimes) {
  for (const kind of KINDS[runtime] ?? []) {
    if (only && !only.includes(kind)) continue;
    const row = await run(runtime, kind);
    rows.push(row);
    console.log(`${runtime.padEnd(5)} ${kind.padEnd(15)} peak RSS growth ${(row.peakGrowth / MiB).toFixed(1).padStart(7)} MiB   ${(row.ms / 1000).toFixed(1)} s`);
  }
}
console.log(`\n| runtime | server | peak RSS growth | time |\n| --- | --- | --- | --- |`);
for (const row of rows) console.log(`| ${row.runtime} | ${row.kind} | ${(row.peakGrowth / MiB).toFixed(1)} MiB | ${(row.ms / 1000).toFixed(1)} s |`);

mkdirSync(here("./results/"), { recursive: true });
const file = here(`./results/slow-reader-${new Date().toISOString().slice(0, 19).replace(/:/g, "-")}.json`);
writeFileSync(file, JSON.stringify({ total, perTick: PER_TICK, rows }, null, 2) + "\n");
console.log(`\nwritten to ${file}`);
