/**
 * Runs client.js, the browser-only client, on a server runtime with
 * omnisocket's WebSocket passed in, and prints its transcript as JSON:
 *
 *   npx tsx examples/browser-identical/run.ts ws://127.0.0.1:PORT
 *   deno run -A examples/browser-identical/run.ts ws://127.0.0.1:PORT
 *   bun examples/browser-identical/run.ts ws://127.0.0.1:PORT
 *
 * The server must echo messages and select the subprotocol "chat"
 * (test/browser/identical-transcript.test.ts starts one and compares the
 * output with headless Chromium's).
 */
import { runClient } from "./client.js";

const g = globalThis as { Deno?: { args: string[] }; Bun?: unknown; process?: { argv: string[] } };
const url = g.Deno ? g.Deno.args[0] : g.process?.argv[2];
if (!url) throw new Error("usage: run.ts ws://host:port");

// Each runtime's own entry, as package.json's export conditions pick it.
const { WebSocket } = g.Deno
  ? await import("../../src/runtime/deno/index.ts")
  : g.Bun
    ? await import("../../src/runtime/bun/index.ts")
    : await import("../../src/runtime/node/index.ts");

console.log(JSON.stringify(await runClient(url, WebSocket)));
