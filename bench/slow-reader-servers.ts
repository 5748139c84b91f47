/**
 * The servers of bench/slow-reader.ts, one per child process, on Node, Deno
 * or Bun: each sends TOTAL bytes of 512 KiB binary messages to the one
 * client that connects (a slow reader), the way a user of that server would,
 * and reports its own peak RSS growth. JSON lines on stdout:
 *
 *   {"type":"listening","port":N}      then, once every byte was handed over:
 *   {"type":"done","peakGrowth":B,"ms":T}
 *
 *   kind            how it sends
 *   ours-stream     WebSocketStream.from(ws): await writer.ready, write()        (node:http hook on Node, listen() on Deno/Bun)
 *   ours-drain      send() while bufferedAmount <= 1 MiB, else await "drain"
 *   ours-naive      send() everything at once, no checks (the problem)
 *   ws-checked      ws: send() while bufferedAmount <= 1 MiB, else look again in 5 ms (ws's advice)
 *   ws-naive        ws: send() everything at once
 *   native-checked  Deno.serve: bufferedAmount polled as ws-checked; Bun.serve: send() until it answers -1, then "drain"
 *   native-naive    Deno.serve: send() everything at once (Bun would drop messages past its limit: not run)
 */
import http from "node:http";
import { createRequire } from "node:module";
import process from "node:process";

const MiB = 1024 * 1024;
const SIZE = 512 * 1024;
const TOTAL = Number(process.env.SLOW_READER_TOTAL ?? 128 * MiB);
const MESSAGES = TOTAL / SIZE;
const kind = process.argv[process.argv.length - 1]!;
const g = globalThis as unknown as { Deno?: unknown; Bun?: unknown };
const runtime = g.Deno ? "deno" : g.Bun ? "bun" : "node";
/** A fresh message each time, as an application produces them (one buffer reused would cost nothing to queue). */
const message = (i: number) => new Uint8Array(SIZE).fill(i & 0xff);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function say(message: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(message) + "\n");
}

// Peak RSS growth from the first connection until the last byte was handed over.
let base = 0;
let peak = 0;
let sampler: ReturnType<typeof setInterval> | undefined;
let started = 0;
function startMeasuring(): void {
  base = process.memoryUsage().rss;
  peak = base;
  started = Date.now();
  sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
}
let finished = false;
function finish(): void {
  if (finished) return;
  finished = true;
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(sampler);
  say({ type: "done", peakGrowth: peak - base, ms: Date.now() - started });
}

type Entry = typeof import("../src/runtime/node/index.ts");
const entryPath = `../src/runtime/${runtime}/index.ts`;
const entry = (await import(entryPath)) as Entry & { listen?: (o: object, f: (ws: InstanceType<Entry["WebSocket"]>) => void) => { port: number } };
const { WebSocket, WebSocketStream } = entry;
type Ours = InstanceType<typeof WebSocket>;

async function sendOurs(ws: Ours): Promise<void> {
  if (ws.readyState === WebSocket.CONNECTING) await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
  startMeasuring();
  if (kind === "ours-stream") {
    const { writable } = await WebSocketStream.from(ws).opened;
    const writer = writable.getWriter();
    for (let i = 0; i < MESSAGES; i++) {
      await writer.ready;
      writer.write(message(i)).catch(() => {});
    }
    await writer.ready;
    await writer.write(new Uint8Array(0)); // resolves once everything before it reached the network
  } else if (kind === "ours-drain") {
    for (let i = 0; i < MESSAGES; i++) {
      ws.send(message(i));
      if (ws.bufferedAmount > MiB) await new Promise((resolve) => ws.addEventListener("drain", resolve, { once: true }));
    }
    while (ws.bufferedAmount > 0) await new Promise((resolve) => ws.addEventListener("drain", resolve, { once: true }));
  } else {
    for (let i = 0; i < MESSAGES; i++) ws.send(message(i));
    while (ws.bufferedAmount > 0) await sleep(5);
  }
  finish();
}

function ourServer(): void {
  if (runtime !== "node" && entry.listen) {
    const server = entry.listen({ hostname: "127.0.0.1", port: 0 }, (ws) => void sendOurs(ws));
    say({ type: "listening", port: server.port });
    return;
  }
  const server = http.createServer();
  server.on("upgrade", (req, socket, head) => void sendOurs(new WebSocket(req, socket, head)));
  server.listen(0, "127.0.0.1", () => say({ type: "listening", port: (server.address() as { port: number }).port }));
}

function wsServer(): void {
  const require = createRequire(import.meta.url);
  const ws = require("ws") as typeof import("ws");
  const wss = new ws.WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false }, () => {
    say({ type: "listening", port: (wss.address() as { port: number }).port });
  });
  wss.on("connection", async (socket) => {
    startMeasuring();
    for (let i = 0; i < MESSAGES; i++) {
      socket.send(message(i));
      if (kind === "ws-checked") while (socket.bufferedAmount > MiB) await sleep(5);
    }
    while (socket.bufferedAmount > 0) await sleep(5);
    finish();
  });
}

function denoServer(): void {
  const Deno = g.Deno as {
    serve(o: object, h: (r: Request) => Response): { addr: { port: number } };
    upgradeWebSocket(r: Request): { socket: globalThis.WebSocket; response: Response };
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = async () => {
      startMeasuring();
      for (let i = 0; i < MESSAGES; i++) {
        socket.send(message(i));
        if (kind === "native-checked") while (socket.bufferedAmount > MiB) await sleep(5);
      }
      while (socket.bufferedAmount > 0) await sleep(5);
      finish();
    };
    return response;
  });
  say({ type: "listening", port: server.addr.port });
}

function bunServer(): void {
  interface BunWs { send(d: Uint8Array): number; getBufferedAmount(): number; data: { sent: number } }
  const Bun = g.Bun as { serve(o: object): { port: number } };
  const pump = (ws: BunWs) => {
    while (ws.data.sent < MESSAGES) {
      const result = ws.send(message(ws.data.sent));
      if (result === 0) return; // dropped: not counted, sent again on drain
      ws.data.sent++;
      if (result === -1) return; // queued in Bun: wait for drain
    }
    const settle = () => (ws.getBufferedAmount() > 0 ? setTimeout(settle, 5) : finish());
    settle();
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request: Request, srv: { upgrade(r: Request, o: object): boolean }) {
      if (srv.upgrade(request, { data: { sent: 0 } })) return undefined;
      return new Response("no", { status: 400 });
    },
    websocket: {
      open(ws: BunWs) { startMeasuring(); pump(ws); },
      drain(ws: BunWs) { pump(ws); },
      message() {},
    },
  });
  say({ type: "listening", port: server.port });
}

if (kind.startsWith("ours-")) ourServer();
else if (kind.startsWith("ws-")) wsServer();
else if (runtime === "deno") denoServer();
else if (runtime === "bun") bunServer();
else throw new Error(`no native server on ${runtime}`);
