/**
 * Server-sent events from a node:http server, the way faye-websocket's
 * README does it. Runs on Node, Deno and Bun:
 *
 *   npx tsx examples/sse-node.ts     # or: deno run -A examples/sse-node.ts / bun examples/sse-node.ts
 *   curl -N -H "Accept: text/event-stream" http://127.0.0.1:8000/
 */
import http from "node:http";
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { EventSourceServer } from "../src/runtime/node/event-source-server.ts"; // from "omnisocket" once installed (on Node, Deno and Bun)

/** A server that sends "Hello N" every `interval` ms, resuming N from Last-Event-ID. */
export function createServer(interval = 1000): http.Server {
  return http.createServer((request, response) => {
    if (EventSourceServer.isEventSource(request)) {
      const es = new EventSourceServer(request, response, {
        headers: { "Access-Control-Allow-Origin": "*" },
        ping: 15, // seconds between keep-alive comments
        retry: 10, // seconds the client waits before reconnecting
      });
      // A client that reconnects says where it stopped.
      let n = Number(es.lastEventId) || 0;
      const loop = setInterval(() => {
        n++;
        es.send(`Hello ${n}`, { id: String(n) });
        if (n % 5 === 0) es.send("Breaking News!", { event: "notification" });
      }, interval);
      es.on("close", () => clearInterval(loop));
    } else {
      // Normal HTTP request
      response.writeHead(200, { "Content-Type": "text/plain" });
      response.end("Hello");
    }
  });
}

function runDirectly(): boolean {
  try {
    return !!process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (runDirectly()) {
  createServer().listen(8000, "127.0.0.1", () => console.log("event stream on http://127.0.0.1:8000/"));
}
