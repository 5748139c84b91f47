/**
 * The echo servers bench/runtime-echo.ts compares on Deno and Bun, one per
 * child process (run by that runtime):
 *
 *   listen   omnisocket's standalone server (Deno.listen / Bun.listen, our engine)
 *   serve    omnisocket on the runtime's server (Deno.serve + upgrade(), Bun.serve + createBunHandler), the WHATWG onmessage face
 *   direct   the same with the direct handler: Bun.serve + createBunHandler({ message(ws, data) }) (Bun only)
 *   native   the runtime alone (Deno.serve + Deno.upgradeWebSocket, Bun.serve's websocket)
 *   node     node:http "upgrade" + omnisocket's faye-style hook (the Node entry)
 *   ws       omnisocket/ws: ws's own echo code on a WebSocketServer in `port` mode (the runtime's ws entry)
 *
 * Each echoes a message as it came (text as text, binary as binary). The
 * child speaks JSON lines: it prints {"type":"ready","port":N}; on stdin
 * "cpu" it prints {"type":"cpu","micros":N} (its CPU time so far), on
 * "stop" it exits.
 *
 *   npx deno run -A bench/runtime-echo-servers.ts <kind>
 *   npx bun bench/runtime-echo-servers.ts <kind>
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import process from "node:process";
import { createInterface } from "node:readline";
import type { Duplex } from "node:stream";

export type RuntimeServerKind = "listen" | "serve" | "direct" | "native" | "node" | "ws";

interface EchoSocket {
  binaryType: string;
  onmessage: ((event: MessageEvent) => void) | null;
  send(data: string | Uint8Array | ArrayBuffer): void;
}

interface DenoGlobal {
  serve(options: { hostname: string; port: number; onListen?: () => void }, handler: (request: Request) => Response): { addr: { port: number } };
  upgradeWebSocket(request: Request): { socket: EchoSocket; response: Response };
}

interface BunNativeSocket {
  send(data: string | Uint8Array): number;
}

interface BunGlobal {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request, server: { upgrade(request: Request): boolean }): Response | undefined;
    websocket: Record<string, unknown>;
  }): { port: number };
}

const g = globalThis as { Deno?: DenoGlobal; Bun?: BunGlobal };
const HOST = "127.0.0.1";

function echo(ws: EchoSocket): void {
  ws.onmessage = (event) => ws.send(event.data as string | Uint8Array);
}

export async function start(kind: RuntimeServerKind): Promise<number> {
  if (kind === "ws") {
    // ws's echo code, with only the module changed (bench/echo.ts's omnisocket/ws row).
    const entry = g.Deno ? "../src/runtime/deno/ws.ts" : "../src/runtime/bun/ws.ts";
    const { WebSocketServer } = (await import(entry)) as typeof import("../src/runtime/node/compat/ws/index.ts");
    const wss = new WebSocketServer({ port: 0, host: HOST, perMessageDeflate: false });
    wss.on("connection", (ws) => {
      ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    return (wss.address() as AddressInfo).port;
  }
  if (kind === "node") {
    const { WebSocket } = await import("../src/runtime/node/index.ts");
    const server = createServer();
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Uint8Array) => {
      echo(new WebSocket(req, socket, head, null, { binaryType: "uint8array" }) as unknown as EchoSocket);
    });
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    return (server.address() as AddressInfo).port;
  }
  if (g.Deno) {
    const deno = g.Deno;
    const entry = await import("../src/runtime/deno/index.ts");
    if (kind === "listen") {
      return entry.listen({ hostname: HOST, port: 0, binaryType: "uint8array" }, (ws) => echo(ws as unknown as EchoSocket)).port;
    }
    const server = deno.serve({ hostname: HOST, port: 0, onListen() {} }, (request) => {
      if (kind === "native") {
        const { socket, response } = deno.upgradeWebSocket(request);
        socket.binaryType = "arraybuffer";
        echo(socket);
        return response;
      }
      const { socket, response } = entry.upgrade(request, { binaryType: "uint8array" });
      echo(socket as unknown as EchoSocket);
      return response;
    });
    return server.addr.port;
  }
  if (g.Bun) {
    const bun = g.Bun;
    const entry = await import("../src/runtime/bun/index.ts");
    if (kind === "listen") {
      return entry.listen({ hostname: HOST, port: 0, binaryType: "uint8array" }, (ws) => echo(ws as unknown as EchoSocket)).port;
    }
    if (kind === "native") {
      return bun.serve({
        hostname: HOST,
        port: 0,
        fetch: (request, server) => (server.upgrade(request) ? undefined : new Response("no", { status: 400 })),
        websocket: {
          maxPayloadLength: 64 * 1024 * 1024,
          message: (ws: BunNativeSocket, message: string | Uint8Array) => void ws.send(message),
        },
      }).port;
    }
    const { upgrade, websocket } = kind === "direct"
      ? entry.createBunHandler({ binaryType: "uint8array", message: (ws, data) => ws.send(data as string | Uint8Array) })
      : entry.createBunHandler({ binaryType: "uint8array", open: (ws) => echo(ws as unknown as EchoSocket) });
    return bun.serve({
      hostname: HOST,
      port: 0,
      fetch: (request, server) => (upgrade(request, server) ? undefined : new Response("no", { status: 400 })),
      websocket: websocket as unknown as Record<string, unknown>,
    }).port;
  }
  throw new Error("run with deno or bun");
}

function say(message: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(message) + "\n");
}

const kind = process.argv[process.argv.length - 1] as RuntimeServerKind;
if (["listen", "serve", "direct", "native", "node", "ws"].includes(kind)) {
  const port = await start(kind);
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line === "cpu") {
      const { user, system } = process.cpuUsage();
      say({ type: "cpu", micros: user + system });
    } else if (line === "stop") {
      process.exit(0);
    }
  });
  say({ type: "ready", port });
}
