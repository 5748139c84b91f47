// examples/deno.ts: omnisocket on Deno: Deno.serve, the standalone server, the client.
import { isWebSocketRequest, listen, upgrade, WebSocket } from "../src/runtime/deno/index.ts"; // from "jsr:@omnisocket/omnisocket" once installed

/** Deno.serve: Deno runs the protocol; the socket has omnisocket's API. */
export function serveChat(port = 8000): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ port, hostname: "127.0.0.1", onListen() {} }, (request) => {
    if (!isWebSocketRequest(request)) return new Response("Hello");
    const { socket, response } = upgrade(request, { protocols: ["chat"] });
    socket.onmessage = (event) => socket.send(`echo: ${event.data}`);
    socket.on("close", (event) => console.log("closed", (event as CloseEvent).code));
    return response;
  });
}

/** The standalone server: omnisocket's own engine on Deno.listen, so every option applies. */
export function listenChat(port = 8001) {
  return listen({ hostname: "127.0.0.1", port, protocols: ["chat"], maxLength: 1 << 20 }, (ws, request) => {
    ws.onmessage = (event) => ws.send(`echo: ${event.data}`);
    ws.onopen = () => ws.ping("hello", () => console.log("pong from", request.headers.get("user-agent")));
  });
}

/** The client: Deno.connect underneath, the browser's API on top. */
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
