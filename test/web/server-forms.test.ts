/**
 * Every server form of ours on the running runtime (test/peers/our-server.ts:
 * the node:http hook everywhere; listen() and Deno.serve's upgrade() on
 * Deno; listen(), Bun.serve's upgrade() and createBunHandler on Bun),
 * each against the runtime's own WebSocket client and against ours, held to
 * the same scenarios (test/peers/runtime-scenarios.ts): text and binary
 * echo, 1 MiB, subprotocol, ping with its callback, close from either side.
 */
import { runtime } from "../harness.ts";
import { WebSocket } from "../entry.ts";
import { nativeWebSocket, serverForms } from "../peers/our-server.ts";
import { serverFormTests, type Connect } from "../peers/runtime-scenarios.ts";

const native: Connect = (url, protocols) => new nativeWebSocket(url, protocols) as unknown as ReturnType<Connect>;
const ours: Connect = (url, protocols) => new WebSocket(url, protocols);
const nativeName = runtime === "node" ? "undici's WebSocket (Node's own)" : `${runtime === "deno" ? "Deno" : "Bun"}'s WebSocket`;

for (const form of serverForms()) {
  serverFormTests(`${nativeName} -> ${form.name}`, form.start, native);
  serverFormTests(`our client -> ${form.name}`, form.start, ours);
}
