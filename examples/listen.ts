// examples/listen.ts: a WebSocket server without node:http, the same call as on Deno and Bun.
import { listen, type WebSocketServer } from "../src/runtime/node/index.ts"; // from "omnisocket" once installed

export async function startEchoServer(port = 0): Promise<WebSocketServer> {
  const server = listen({ hostname: "127.0.0.1", port }, (ws, request) => {
    console.log("connected", new URL(request.url).pathname);
    ws.onmessage = (event) => ws.send(event.data);
  });
  await server.ready; // Node binds a named host a moment later; Deno and Bun at once
  console.log("listening on", server.url);
  return server;
}
