/**
 * The `npm start` demo: a chat room served by node:http, with omnisocket
 * taking the WebSocket upgrades faye-style and the page using the browser's
 * own WebSocket.
 *
 *   browser --GET /--------> request handler --> index.html
 *   browser --GET /chat----> "upgrade" event --> new WebSocket(req, socket, head)
 *                                                   |
 *   every page <--broadcast-- { message | count } <-+
 *
 * Run it with `npx tsx examples/demo/server.ts` (PORT picks the port, 8080
 * by default, any free port when that one is taken), then open the URL it
 * prints in two tabs. Other code (the browser test) imports `startDemo`.
 *
 * Chat messages go through a PubSub hub (topic "room"). With REDIS_URL set
 * (redis://127.0.0.1:6379), the hub's backplane is Redis: two or three demo
 * processes on different ports share one room (docs/scale-out.md):
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=8080 npm start
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=8081 npm start
 *
 * The "online" count stays per process.
 */
import { readFileSync, realpathSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PubSub, RedisBackplane, WebSocket } from "../../src/runtime/node/index.ts";

const PAGE = readFileSync(fileURLToPath(new URL("./index.html", import.meta.url)));
const MAX_NAME = 24;
const MAX_TEXT = 500;

export interface Demo {
  /** The page to open, e.g. http://127.0.0.1:8080/ */
  url: string;
  port: number;
  server: Server;
  /** Connected chat pages. */
  readonly clients: ReadonlySet<WebSocket>;
  /** Says goodbye to every page, then stops the server. */
  close(): Promise<void>;
}

/** The demo's hub: chat messages reach every page, through Redis when `redisUrl` is given. */
async function createHub(redisUrl: string | undefined): Promise<PubSub> {
  if (!redisUrl) return new PubSub();
  // Loaded only when asked for: the demo alone needs no Redis client.
  const { Redis } = await import("ioredis");
  const backplane = new RedisBackplane({ publisher: new Redis(redisUrl), subscriber: new Redis(redisUrl) });
  return new PubSub({ backplane });
}

/**
 * Starts the demo on `host:port`; with `fallback`, a taken port falls back
 * to a free one; with `redisUrl`, the room is shared through Redis.
 */
export async function startDemo(port = 8080, host = "127.0.0.1", fallback = true, redisUrl?: string): Promise<Demo> {
  const clients = new Set<WebSocket>();
  const hub = await createHub(redisUrl);

  const broadcast = (message: object): void => {
    const text = JSON.stringify(message);
    for (const client of clients) if (client.readyState === WebSocket.OPEN) client.send(text);
  };
  const broadcastCount = (): void => broadcast({ type: "count", clients: clients.size });

  const server = createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
    } else if (req.url === "/" || req.url === "/index.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-length": PAGE.length });
      res.end(req.method === "HEAD" ? undefined : PAGE);
    } else {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found\n");
    }
  });

  // faye-websocket style: the upgrade event hands over the raw socket.
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!WebSocket.isWebSocket(req) || !req.url?.startsWith("/chat")) {
      socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    const ws = new WebSocket(req, socket, head);
    ws.on("open", () => {
      clients.add(ws);
      hub.subscribe(ws, "room");
      ws.send(JSON.stringify({ type: "system", text: "Welcome! Messages you send go to everyone here." }));
      broadcastCount();
    });
    ws.on("message", (event) => {
      const data = (event as MessageEvent).data;
      if (typeof data !== "string") return;
      let parsed: { from?: unknown; text?: unknown };
      try {
        parsed = JSON.parse(data) as typeof parsed;
      } catch {
        return; // not ours: ignore rather than echo garbage to everyone
      }
      const text = typeof parsed.text === "string" ? parsed.text.trim().slice(0, MAX_TEXT) : "";
      if (!text) return;
      const from = (typeof parsed.from === "string" ? parsed.from.trim().slice(0, MAX_NAME) : "") || "guest";
      // Framed once for every page here; through Redis, to every other demo process too.
      hub.publish("room", JSON.stringify({ type: "message", from, text, at: Date.now() }));
    });
    ws.on("close", () => {
      if (clients.delete(ws)) broadcastCount();
    });
  });

  const actualPort = await listen(server, port, host, fallback);
  const url = `http://${host}:${actualPort}/`;
  let closing: Promise<void> | null = null;

  return {
    url,
    port: actualPort,
    server,
    clients,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const client of clients) client.close(1000, "Server shutting down");
        server.close(() => void hub.close().then(() => resolve()));
        server.closeIdleConnections();
        // Pages that never answer the Close do not hold the exit up.
        setTimeout(() => {
          for (const client of clients) client.terminate();
          server.closeAllConnections();
        }, 2000).unref();
      });
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string, fallback: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      if (fallback && err.code === "EADDRINUSE" && port !== 0) {
        console.warn(`Port ${port} is taken; using a free port instead.`);
        server.listen(0, host);
      } else {
        server.off("listening", onListening);
        reject(err);
      }
    };
    const onListening = (): void => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.on("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}

function runDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (runDirectly()) {
  const requested = process.env.PORT ? Number(process.env.PORT) : 8080;
  if (!Number.isInteger(requested) || requested < 0 || requested > 65535) {
    console.error(`PORT must be a port number, got ${JSON.stringify(process.env.PORT)}`);
    process.exit(2);
  }
  const redisUrl = process.env.REDIS_URL || undefined;
  const demo = await startDemo(requested, "127.0.0.1", true, redisUrl);
  console.log(`omnisocket chat demo: open ${demo.url} in two browser tabs (Ctrl+C to stop)`);
  if (redisUrl) console.log(`sharing the room through Redis at ${redisUrl}: start more demos on other ports`);
  const stop = (signal: string): void => {
    console.log(`\n${signal}: closing ${demo.clients.size} connection(s) and stopping`);
    demo.close().then(() => process.exit(0));
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}
