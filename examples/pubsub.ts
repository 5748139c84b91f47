// examples/pubsub.ts: a chat room with topics; Redis carries it to other processes when REDIS_URL is set.
import http from "node:http";
import { Redis } from "ioredis";
import { PubSub, RedisBackplane, WebSocket } from "../src/runtime/node/index.ts"; // from "omnisocket" once installed

export function createChatServer(redisUrl?: string): { server: http.Server; hub: PubSub } {
  // One hub per process. With Redis, publishes reach the hubs of every other process too.
  const hub = new PubSub({
    backplane: redisUrl
      ? new RedisBackplane({ publisher: new Redis(redisUrl), subscriber: new Redis(redisUrl) })
      : undefined,
  });
  const server = http.createServer();

  server.on("upgrade", (request, socket, body) => {
    const ws = new WebSocket(request, socket, body, null, { binaryType: "arraybuffer" });
    hub.subscribe(ws, "room");
    ws.onmessage = (event) => {
      // Framed once, the same bytes for every subscriber; the sender is left out.
      hub.publish("room", event.data, { except: ws });
    };
  });

  server.on("close", () => void hub.close());
  return { server, hub };
}
