/**
 * One server process of the scale-out tests (test/web/pubsub-redis.test.ts,
 * test/web/pubsub-cluster.test.ts),
 * runnable on Node (tsx), Deno and Bun, written as docs/scale-out.md tells
 * users to: a PubSub hub whose backplane is Redis, through two ioredis
 * connections the application creates.
 *
 *   <runtime> test/peers/pubsub-server.ts redis://127.0.0.1:PORT
 *     prints "READY <port>" once it listens on 127.0.0.1
 *   <runtime> test/peers/pubsub-server.ts cluster
 *     a node:cluster primary with four workers, each a hub with the
 *     ClusterBackplane; prints "READY <port>,<port>,<port>,<port>" (the
 *     same port four times on Node, where workers share it)
 *
 *   ws://127.0.0.1:<port>/subscribe   subscribed to "room" on arrival
 *   ws://127.0.0.1:<port>/control     "pub:<text>"  -> hub.publish("room", text)
 *                                     "status"      -> "status:<connected>:<dropped>"
 *                                     "pid"         -> "pid:<process id>" (which worker)
 *
 * The server form is the runtime's own: node:http with the upgrade hook on
 * Node, listen() on Deno and Bun.
 */
import { Redis } from "ioredis";

const runtime = (globalThis as { Deno?: unknown }).Deno ? "deno" : (globalThis as { Bun?: unknown }).Bun ? "bun" : "node";
const entry = (await import(`../../src/runtime/${runtime}/index.ts`)) as typeof import("../../src/runtime/node/index.ts") &
  Partial<typeof import("../../src/runtime/deno/index.ts")>;
const { PubSub, RedisBackplane } = entry;

const url = (globalThis as { process?: { argv: string[] } }).process?.argv.at(-1) ?? "";
const clusterMode = url === "cluster";
const cluster = clusterMode ? (await import("node:cluster")).default : null;
if (cluster?.isPrimary) {
  entry.relayClusterPubSub(cluster);
  const ports: number[] = [];
  for (let i = 0; i < 4; i++) {
    cluster.fork().on("message", (message: { ready?: number }) => {
      if (message.ready === undefined) return;
      ports.push(message.ready);
      if (ports.length === 4) console.log(`READY ${ports.join(",")}`);
    });
  }
  // The primary serves nothing itself.
  await new Promise(() => {});
}
// Reconnect every 100 ms while Redis is down (ioredis resubscribes by itself too; the backplane does it anyway).
const options = { retryStrategy: () => 100, maxRetriesPerRequest: 1 };
const backplane = clusterMode
  ? new entry.ClusterBackplane()
  : new RedisBackplane({ publisher: new Redis(url, options), subscriber: new Redis(url, options) });
const hub = new PubSub({ backplane });

type Socket = InstanceType<typeof entry.WebSocket>;

function accepted(ws: Socket, path: string): void {
  if (path === "/subscribe") {
    hub.subscribe(ws, "room");
    return;
  }
  ws.addEventListener("message", (event) => {
    const text = String((event as MessageEvent).data);
    if (text.startsWith("pub:")) hub.publish("room", text.slice(4));
    else if (text === "status") ws.send(`status:${backplane.connected}:${backplane.dropped}`);
    else if (text === "pid") ws.send(`pid:${process.pid}`);
  });
}

let port: number;
const listen = (entry as { listen?: typeof import("../../src/runtime/deno/index.ts").listen }).listen;
// Node has listen() too now; the hook stays Node's form here, so both kinds of server share the Redis.
if (listen && runtime !== "node") {
  const server = listen({ hostname: "127.0.0.1", port: 0 }, (ws, request) => accepted(ws as Socket, new URL(request.url).pathname));
  await server.ready; // Node binds a named host after a DNS step
  port = server.port;
} else {
  const http = await import("node:http");
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (req, socket, head) => accepted(new entry.WebSocket(req, socket, head), req.url ?? "/"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  port = (server.address() as { port: number }).port;
}
if (clusterMode) process.send!({ ready: port });
else console.log(`READY ${port}`);
