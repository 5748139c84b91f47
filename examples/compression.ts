// examples/compression.ts: permessage-deflate with the perMessageDeflate option.
import http from "node:http";
import { WebSocket } from "../src/runtime/node/index.ts"; // from "omnisocket" once installed

export function createCompressingServer(): http.Server {
  const server = http.createServer();

  server.on("upgrade", (request, socket, body) => {
    // A server compresses only when asked to, here with ws's option names.
    const ws = new WebSocket(request, socket, body, null, {
      perMessageDeflate: { threshold: 256, serverNoContextTakeover: true },
    });
    ws.onmessage = (event) => {
      // Per message: send this one as is, whatever its size.
      ws.send(event.data, { compress: event.data !== "tiny" });
    };
  });

  return server;
}

export function talk(url: string): Promise<string[]> {
  const log: string[] = [];
  // A client offers permessage-deflate unless told `perMessageDeflate: false`.
  const ws = new WebSocket(url, [], { perMessageDeflate: { clientMaxWindowBits: 12 } });

  ws.onopen = () => {
    log.push(`extensions: ${ws.extensions}`);
    ws.send("compress me ".repeat(1000));
    ws.send("tiny", { compress: false });
  };
  ws.onmessage = (event) => {
    log.push(`message: ${event.data.length} characters`);
    if (log.length === 3) ws.close(1000);
  };
  return new Promise((resolve) => {
    ws.onclose = (event) => resolve([...log, `close: ${event.code}`]);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = createCompressingServer().listen(0, "127.0.0.1", async () => {
    const { port } = server.address() as { port: number };
    console.log((await talk(`ws://127.0.0.1:${port}/`)).join("\n"));
    server.close();
  });
}
