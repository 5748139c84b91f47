/**
 * The servers bench/handshake.ts opens connections to, one per child
 * process, each run by its own runtime. They are the echo servers of
 * bench/echo-servers.ts (Node) and bench/runtime-echo-servers.ts (Deno,
 * Bun), so the handshake rows are the same code the echo rows measure:
 *
 *   node  ours     node:http "upgrade" + new WebSocket(req, socket, head) (WHATWG face)
 *         ours-listen  listen() on node:net (no node:http; WHATWG face)
 *         ours-ws  omnisocket/ws: WebSocketServer({ noServer }) + handleUpgrade
 *         ws       ws 8: the same code on the real ws
 *         faye     faye-websocket on node:http "upgrade"
 *   deno  listen   omnisocket's listen() (Deno.listen, our engine)
 *   bun   serve    omnisocket on the runtime's server (Deno.serve + upgrade(), Bun.serve + createBunHandler)
 *         native   the runtime alone (Deno.upgradeWebSocket, Bun.serve's websocket)
 *
 * The child speaks JSON lines: it prints {"type":"ready","port":N}; on
 * stdin "cpu" it prints {"type":"cpu","micros":N} (process.cpuUsage(),
 * user + system, so far), on "stop" it exits (through an empty event loop
 * on Node, so a --cpu-prof profile gets written).
 *
 *   node --import tsx bench/handshake-servers.ts node:ours
 *   npx deno run -A bench/handshake-servers.ts deno:listen
 *   npx bun bench/handshake-servers.ts bun:native
 */
import type { AddressInfo } from "node:net";
import process from "node:process";
import { createInterface } from "node:readline";

export type HandshakeServerKind =
  | "node:ours" | "node:ours-listen" | "node:ours-ws" | "node:ws" | "node:faye"
  | "deno:listen" | "deno:serve" | "deno:native"
  | "bun:listen" | "bun:serve" | "bun:native";

function say(message: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(message) + "\n");
}

async function start(kind: HandshakeServerKind): Promise<{ port: number; close(): void }> {
  const [runtime, name] = kind.split(":") as [string, string];
  if (runtime === "node") {
    const { startServer } = await import("./echo-servers.ts");
    const server = await startServer(name as "ours" | "ours-listen" | "ours-ws" | "ws" | "faye");
    return { port: (server.address() as AddressInfo).port, close: () => server.close() };
  }
  const { start: startRuntime } = await import("./runtime-echo-servers.ts");
  return { port: await startRuntime(name as "listen" | "serve" | "native"), close() {} };
}

const kind = process.argv[process.argv.length - 1] as HandshakeServerKind;
// Clients drop their connections right after the 101; that is not an error here.
process.on("uncaughtException", (err: Error & { code?: string }) => {
  if (err.code === "ECONNRESET" || err.code === "EPIPE") return;
  console.error(err);
  process.exit(1);
});
const server = await start(kind);
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line === "cpu") {
    const { user, system } = process.cpuUsage();
    say({ type: "cpu", micros: user + system });
  } else if (line === "stop") {
    if (kind.startsWith("node:")) {
      server.close();
      lines.close();
      process.stdin.destroy();
      setTimeout(() => process.exit(0), 3000).unref();
    } else {
      process.exit(0);
    }
  }
});
say({ type: "ready", port: server.port });
