/**
 * One fan-out server for bench/fanout.ts, in a process of its own so its
 * CPU time is its own:
 *
 *   <runtime> bench/fanout-server.ts ours | ws | bun-native | ours-bun [deflate]
 *     ours        node:http + our upgrade hook + PubSub (frame once)
 *     ws          the real ws WebSocketServer and its README broadcast loop
 *     bun-native  Bun.serve with Bun's own ws.subscribe / server.publish (run with bun)
 *     ours-bun    Bun.serve through createBunHandler + PubSub (Bun's native topics underneath)
 *
 *   /sub       subscribed to "room"
 *   deflate    permessage-deflate with server_no_context_takeover, threshold 0 (every
 *              message compressed): ours compresses once per publish, ws per client
 *
 *   /control   "go:<n>:<burst>" -> publish <burst> n-byte text messages to "room", in one task
 *              "cpu"    -> "cpu:<user>:<system>" (microseconds since the last "cpu")
 * prints "READY <port>".
 */
const argv = (globalThis as { process?: { argv: string[] } }).process!.argv;
const deflate = argv.at(-1) === "deflate";
const kind = deflate ? argv.at(-2)! : argv.at(-1)!;
/** The server side of permessage-deflate in ws's option names (ours takes them too). */
const perMessageDeflate = deflate ? { threshold: 0, serverNoContextTakeover: true } : false;
let last = process.cpuUsage();
const cpu = (): string => {
  const now = process.cpuUsage(last);
  last = process.cpuUsage();
  return `cpu:${now.user}:${now.system}`;
};
/** A text message of `n` bytes that compresses like chat text does (about 3:1), not like a run of one letter. */
const payload = (n: number, i = 0) => {
  let text = `${i}:`;
  while (text.length < n) text += `message ${text.length} of the room, `;
  return text.slice(0, n);
};
/** "go:<n>:<burst>" -> the messages of one round. */
const round = (message: string): string[] => {
  const [, size, burst] = message.split(":");
  return Array.from({ length: Number(burst ?? 1) }, (_, i) => payload(Number(size), i));
};

if (kind === "bun-native" || kind === "ours-bun") {
  const Bun = (globalThis as unknown as { Bun: { serve(o: object): { port: number; publish(t: string, d: string): number } } }).Bun;
  if (kind === "bun-native") {
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req: Request, srv: { upgrade(r: Request, o: object): boolean }) {
        return srv.upgrade(req, { data: new URL(req.url).pathname }) ? undefined : new Response("no", { status: 400 });
      },
      websocket: {
        perMessageDeflate: deflate,
        open(ws: { data: string; subscribe(t: string): void }) {
          if (ws.data === "/sub") ws.subscribe("room");
        },
        message(ws: { send(d: string): void }, message: string) {
          if (message.startsWith("go:")) for (const text of round(message)) server.publish("room", text);
          else if (message === "cpu") ws.send(cpu());
        },
      },
    });
    console.log(`READY ${server.port}`);
  } else {
    const { createBunHandler, PubSub } = await import("../src/runtime/bun/index.ts");
    const hub = new PubSub();
    const handler = createBunHandler({
      open(ws, request) {
        if (new URL(request.url).pathname === "/sub") return void hub.subscribe(ws, "room");
        ws.onmessage = (event) => {
          const message = String(event.data);
          if (message.startsWith("go:")) for (const text of round(message)) hub.publish("room", text);
          else if (message === "cpu") ws.send(cpu());
        };
      },
    });
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req: Request, srv: never) => (handler.upgrade(req, srv) ? undefined : new Response("no", { status: 400 })),
      websocket: { ...handler.websocket, perMessageDeflate: deflate },
    });
    console.log(`READY ${server.port}`);
  }
} else {
  const http = await import("node:http");
  const server = http.createServer();
  if (kind === "ws") {
    const { WebSocketServer, WebSocket } = await import("ws");
    const wss = new WebSocketServer({ server, perMessageDeflate });
    wss.on("connection", (ws, req) => {
      if (req.url === "/sub") return;
      ws.on("message", (data) => {
        const message = String(data);
        if (message.startsWith("go:")) {
          for (const text of round(message)) {
            // ws's README: broadcast to every open client but the sender.
            wss.clients.forEach((client) => {
              if (client !== ws && client.readyState === WebSocket.OPEN) client.send(text);
            });
          }
        } else if (message === "cpu") ws.send(cpu());
      });
    });
  } else {
    const { PubSub, WebSocket } = await import("../src/runtime/node/index.ts");
    const hub = new PubSub();
    server.on("upgrade", (req, socket, head) => {
      const ws = new WebSocket(req, socket, head, null, { perMessageDeflate });
      if (req.url === "/sub") return void hub.subscribe(ws, "room");
      ws.onmessage = (event) => {
        const message = String(event.data);
        if (message.startsWith("go:")) for (const text of round(message)) hub.publish("room", text);
        else if (message === "cpu") ws.send(cpu());
      };
    });
  }
  server.listen(0, "127.0.0.1", () => console.log(`READY ${(server.address() as { port: number }).port}`));
}

// A profiled run ends on SIGINT: exit cleanly so the profile is written.
process.once("SIGINT", () => process.exit(0));
