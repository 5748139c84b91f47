// examples/bun.ts: omnisocket on Bun: Bun.serve, the standalone server, the client.
import { createBunHandler, listen, WebSocket } from "../src/runtime/bun/index.ts"; // from "omnisocket" once installed

/** Bun.serve: Bun runs the protocol; each socket has omnisocket's API. */
export function serveChat(port = 8000) {
  const { upgrade, websocket } = createBunHandler({
    protocols: ["chat"],
    maxLength: 1 << 20, // Bun's maxPayloadLength
    open(ws, request) {
      ws.onmessage = (event) => ws.send(`echo: ${event.data}`);
      ws.ping("hello", () => console.log("pong from", request.headers.get("user-agent")));
    },
  });
  return Bun.serve({
    port,
    hostname: "127.0.0.1",
    fetch(request, server) {
      if (upgrade(request, server)) return; // our socket: open() above gets it
      return new Response("Hello");
    },
    websocket,
  });
}

/** The standalone server: omnisocket's own engine on Bun.listen, so every option applies. */
export function listenChat(port = 8001) {
  return listen({ hostname: "127.0.0.1", port, protocols: ["chat"], maxLength: 1 << 20 }, (ws) => {
    ws.onmessage = (event) => ws.send(`echo: ${event.data}`);
  });
}

/** The client: Bun.connect underneath, the browser's API on top. */
export function talk(url: string): Promise<string[]> {
  const log: string[] = [];
  return new Promise((resolve) => {
    const ws = new WebSocket(url, ["chat"], { headers: { "User-Agent": "omnisocket-example" } });
    ws.onopen = () => ws.send("Hello, world!");
    ws.onmessage = (event) => {
      log.push(`${ws.protocol} ${event.data}`);
      ws.close(1000, "done");
    };
    ws.onclose = (event) => {
      log.push(`close ${event.code} ${event.wasClean}`);
      resolve(log);
    };
  });
}

if (import.meta.main) {
  serveChat();
  const server = listenChat();
  console.log(await talk("ws://127.0.0.1:8000/"), await talk(server.url));
}
