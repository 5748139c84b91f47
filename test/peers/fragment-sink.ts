/**
 * A process that holds one connection and nothing else, for memory tests
 * whose numbers a shared test process would blur (garbage and allocator
 * pages left by earlier tests): runnable on Node (tsx), Deno and Bun.
 *
 *   <runtime> test/peers/fragment-sink.ts [maxFragments]
 *     listen() on 127.0.0.1, port 0; prints "READY <port>"
 *     on the first connection: a full collection, then the RSS as the base
 *     on its first message: "MESSAGE <byte length> <peak RSS growth in bytes>"
 */
import process from "node:process";
import { baseRss, peakGrowth } from "./memory.ts";

const runtime = (globalThis as { Deno?: unknown }).Deno ? "deno" : (globalThis as { Bun?: unknown }).Bun ? "bun" : "node";
const entry = (await import(`../../src/runtime/${runtime}/index.ts`)) as typeof import("../../src/runtime/node/index.ts");

const maxFragments = Number(process.argv.at(-1)) || 0;
const server = entry.listen({ hostname: "127.0.0.1", port: 0, maxFragments }, (ws) => {
  ws.binaryType = "arraybuffer";
  const base = baseRss();
  const message = new Promise<ArrayBuffer>((resolve) => {
    ws.addEventListener("message", (event) => resolve((event as MessageEvent).data as ArrayBuffer), { once: true });
  });
  void peakGrowth(base, message).then(async (growth) => {
    const data = await message;
    console.log(`MESSAGE ${data.byteLength} ${growth}`);
    ws.close();
  });
});
await server.ready;
console.log(`READY ${server.port}`);
