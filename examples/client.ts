// examples/client.ts: the browser's WebSocket API, on Node, Deno or Bun.
import { WebSocket } from "../src/runtime/node/index.ts"; // from "omnisocket" once installed

export function talk(url: string): Promise<string[]> {
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [], {
      headers: { "User-Agent": "omnisocket-example" }, // options browsers lack
      ping: 20, // seconds between keep-alive pings
    });
    ws.binaryType = "arraybuffer";

    ws.onopen = () => {
      log.push(`open ${ws.url}`);
      ws.send("Hello, world!");
      ws.send(new Uint8Array([1, 2, 3]));
    };

    ws.onmessage = (event) => {
      const data = event.data instanceof ArrayBuffer ? `${event.data.byteLength} bytes` : event.data;
      log.push(`message ${data}`);
      if (log.length === 3) ws.close(1000, "done");
    };

    ws.onerror = (event) => reject((event as ErrorEvent).error);
    ws.onclose = (event) => {
      log.push(`close ${event.code} ${event.reason} ${event.wasClean}`);
      resolve(log);
    };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  talk(process.argv[2] ?? "ws://127.0.0.1:8000/").then((log) => console.log(log.join("\n")));
}
