// examples/echo-server.ts: faye-websocket's echo server, with only the import changed.
import http from "node:http";
import { WebSocket } from "../src/runtime/node/index.ts"; // from "omnisocket" once installed

export function createEchoServer(): http.Server {
  const server = http.createServer();

  server.on("upgrade", (request, socket, body) => {
    if (WebSocket.isWebSocket(request)) {
      let ws: WebSocket | null = new WebSocket(request, socket, body);

      ws.on("message", (event) => {
        ws!.send((event as MessageEvent).data);
      });

      ws.on("close", (event) => {
        const { code, reason } = event as CloseEvent;
        console.log("close", code, reason);
        ws = null;
      });
    }
  });

  return server;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  createEchoServer().listen(8000, "127.0.0.1", () => console.log("echo server on ws://127.0.0.1:8000/"));
}
