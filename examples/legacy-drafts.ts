// examples/legacy-drafts.ts: an echo server that also answers old clients (hixie-75, hixie-76, hybi-08).
import http from "node:http";
import { WebSocket } from "../src/runtime/node/index.ts"; // from "omnisocket" once installed

export function createLegacyEchoServer(): http.Server {
  const server = http.createServer();

  server.on("upgrade", (request, socket, body) => {
    if (!WebSocket.isWebSocket(request)) return void socket.destroy();
    // allowDrafts: hixie-75/76 and hybi-08 requests are answered instead of refused with 426.
    const ws = new WebSocket(request, socket, body, null, { allowDrafts: true, maxLength: 1 << 20 });

    ws.on("message", (event) => {
      // ws.version: "hybi-13", "hybi-8", "hixie-76" or "hixie-75".
      ws.send(`${ws.version}: ${(event as MessageEvent).data}`);
    });
  });

  return server;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  createLegacyEchoServer().listen(8000, "127.0.0.1", () => console.log("echo server for old clients on ws://127.0.0.1:8000/"));
}
