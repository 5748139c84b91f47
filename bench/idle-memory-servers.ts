/**
 * The servers bench/idle-memory.ts holds idle connections on, one per child
 * process, each the way a user of that server would write it (a message
 * listener that echoes, nothing else):
 *
 *   Node (node --expose-gc --import tsx bench/idle-memory-servers.ts <kind>)
 *     ours          node:http "upgrade" + omnisocket's new WebSocket(req, socket, head) (WHATWG face)
 *     ours-ws       omnisocket/ws: a noServer WebSocketServer, ws's own code with the module changed
 *     ws            ws 8 WebSocketServer (noServer + handleUpgrade), perMessageDeflate off
 *     faye          faye-websocket on node:http "upgrade"
 *     ours-deflate  ours with perMessageDeflate { threshold: 0 }
 *     ws-deflate    ws with perMessageDeflate { threshold: 0 }
 *   Deno (deno run -A --v8-flags=--expose-gc ...) and Bun (bun ...)
 *     listen        omnisocket's listen() (Deno.listen / Bun.listen, our engine)
 *     serve         Deno.serve + omnisocket's upgrade() / Bun.serve + createBunHandler
 *     native        Deno.serve + Deno.upgradeWebSocket / Bun.serve's own websocket handler
 *
 * JSON lines on stdio: the child prints {"type":"ready","port":N}; on stdin
 * "open" it prints {"type":"open","open":N} (connections open now), on
 * "mem" it collects garbage (fully, several passes) and prints
 * {"type":"mem",rss,heapUsed,external,arrayBuffers}, on "snapshot <file>"
 * (Node) it writes a V8 heap snapshot there, on "stop" it exits.
 */
import { createServer, type IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import process from "node:process";
import { createInterface } from "node:readline";
import type { Duplex } from "node:stream";

export const NODE_KINDS = ["ours", "ours-listen", "ours-ws", "ws", "faye", "ours-deflate", "ws-deflate"] as const;
export const RUNTIME_KINDS = ["listen", "serve", "native"] as const;
export type IdleServerKind = (typeof NODE_KINDS)[number] | (typeof RUNTIME_KINDS)[number];

interface EchoSocket {
  binaryType: string;
  onmessage: ((event: MessageEvent) => void) | null;
  onopen: ((event: Event) => void) | null;
  onclose: ((event: Event) => void) | null;
  send(data: string | Uint8Array | ArrayBuffer): void;
}

interface DenoGlobal {
  serve(options: { hostname: string; port: number; onListen?: () => void }, handler: (request: Request) => Response): { addr: { port: number } };
  upgradeWebSocket(request: Request, options?: { idleTimeout?: number }): { socket: EchoSocket; response: Response };
}

interface BunGlobal {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request, server: { upgrade(request: Request): boolean }): Response | undefined;
    websocket: Record<string, unknown>;
  }): { port: number };
  gc(force: boolean): void;
}

const g = globalThis as { Deno?: DenoGlobal; Bun?: BunGlobal; gc?: () => void };
const HOST = "127.0.0.1";
const require = createRequire(import.meta.url);

let open = 0;

/** Counts the socket while it is open and echoes what it receives. */
function hold(ws: EchoSocket, openNow: boolean): void {
  if (openNow) open++;
  else ws.onopen = () => open++;
  ws.onclose = () => open--;
  ws.onmessage = (event) => ws.send(event.data as string | Uint8Array);
}

interface Emitter {
  on(type: string, listener: (...args: never[]) => void): void;
  send(data: unknown, options?: unknown): void;
}

/** ws's echo code (the ws row and, with the module changed, the ours-ws row). */
function wsStyle(WebSocketServer: new (options: object) => Emitter & { handleUpgrade: Function; emit: Function }, deflate: boolean) {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: deflate ? { threshold: 0 } : false });
  wss.on("connection", (ws: Emitter) => {
    open++;
    ws.on("close", () => open--);
    ws.on("message", (data: unknown, isBinary: boolean) => ws.send(data, { binary: isBinary }));
  });
  const server = createServer();
  server.on("upgrade", (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws: unknown) => wss.emit("connection", ws, req));
  });
  return server;
}

async function nodeServer(kind: IdleServerKind): Promise<ReturnType<typeof createServer>> {
  if (kind === "ws" || kind === "ws-deflate") {
    const { WebSocketServer } = await import("ws");
    return wsStyle(WebSocketServer as never, kind === "ws-deflate");
  }
  if (kind === "ours-ws") {
    const { WebSocketServer } = await import("../src/runtime/node/compat/ws/index.ts");
    return wsStyle(WebSocketServer as never, false);
  }
  if (kind === "faye") {
    const Faye = require("faye-websocket") as {
      new (req: IncomingMessage, socket: Duplex, head: Buffer): { on(t: string, l: (e: { data: string | Buffer }) => void): void; send(d: string | Buffer): boolean };
    };
    const server = createServer();
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const ws = new Faye(req, socket, head);
      ws.on("open", () => open++);
      ws.on("close", () => open--);
      ws.on("message", (event) => ws.send(event.data));
    });
    return server;
  }
  const { WebSocket } = await import("../src/runtime/node/index.ts");
  const options = kind === "ours-deflate" ? { binaryType: "uint8array" as const, perMessageDeflate: { threshold: 0 } } : { binaryType: "uint8array" as const };
  const server = createServer();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!WebSocket.isWebSocket(req)) return socket.destroy();
    hold(new WebSocket(req, socket, head, null, options) as unknown as EchoSocket, false);
  });
  return server;
}

async function start(kind: IdleServerKind): Promise<number> {
  if (g.Deno) {
    const deno = g.Deno;
    const entry = await import("../src/runtime/deno/index.ts");
    if (kind === "listen") {
      return entry.listen({ hostname: HOST, port: 0, binaryType: "uint8array" }, (ws) => hold(ws as unknown as EchoSocket, false)).port;
    }
    const server = deno.serve({ hostname: HOST, port: 0, onListen() {} }, (request) => {
      if (kind === "native") {
        // idleTimeout 0: Deno's default (120 s) pings and drops peers that do not answer, as ours does not by default.
        const { socket, response } = deno.upgradeWebSocket(request, { idleTimeout: 0 });
        socket.binaryType = "arraybuffer";
        hold(socket, false);
        return response;
      }
      const { socket, response } = entry.upgrade(request, { binaryType: "uint8array" });
      hold(socket as unknown as EchoSocket, false);
      return response;
    });
    return server.addr.port;
  }
  if (g.Bun) {
    const bun = g.Bun;
    const entry = await import("../src/runtime/bun/index.ts");
    if (kind === "listen") {
      return entry.listen({ hostname: HOST, port: 0, binaryType: "uint8array" }, (ws) => hold(ws as unknown as EchoSocket, false)).port;
    }
    if (kind === "native") {
      return bun.serve({
        hostname: HOST,
        port: 0,
        fetch: (request, server) => (server.upgrade(request) ? undefined : new Response("no", { status: 400 })),
        websocket: {
          idleTimeout: 0, // Bun's default (120 s) drops silent peers; ours does not by default
          open: () => void open++,
          close: () => void open--,
          message: (ws: { send(data: string | Uint8Array): number }, message: string | Uint8Array) => void ws.send(message),
        },
      }).port;
    }
    const { upgrade, websocket } = entry.createBunHandler({ binaryType: "uint8array", open: (ws) => hold(ws as unknown as EchoSocket, true) });
    return bun.serve({
      hostname: HOST,
      port: 0,
      fetch: (request, server) => (upgrade(request, server) ? undefined : new Response("no", { status: 400 })),
      websocket: websocket as unknown as Record<string, unknown>,
    }).port;
  }
  if (kind === "ours-listen") {
    const { listen } = await import("../src/runtime/node/index.ts");
    const server = listen({ hostname: HOST, port: 0, binaryType: "uint8array" }, (ws) => hold(ws as unknown as EchoSocket, false));
    await server.ready;
    return server.port;
  }
  const server = await nodeServer(kind);
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return (server.address() as AddressInfo).port;
}

/** A full collection, several passes (weak references and finalizers free more on the next one). */
async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    if (g.Bun) g.Bun.gc(true);
    else if (g.gc) g.gc();
    else throw new Error("no gc(): run node with --expose-gc, deno with --v8-flags=--expose-gc");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function say(message: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(message) + "\n");
}

const kind = process.argv[process.argv.length - 1] as IdleServerKind;
if ((NODE_KINDS as readonly string[]).includes(kind) || (RUNTIME_KINDS as readonly string[]).includes(kind)) {
  const port = await start(kind);
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line === "open") say({ type: "open", open });
    else if (line === "mem") {
      void collect().then(() => {
        const m = process.memoryUsage();
        say({ type: "mem", rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers ?? 0 });
      });
    } else if (line.startsWith("snapshot ")) {
      // A V8 heap snapshot (Node only), to see what each connection holds.
      void collect().then(async () => {
        const { writeHeapSnapshot } = await import("node:v8");
        say({ type: "snapshot", path: writeHeapSnapshot(line.slice(9)) });
      });
    } else if (line === "stop") process.exit(0);
  });
  say({ type: "ready", port });
}
