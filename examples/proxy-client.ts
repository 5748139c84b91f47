// examples/proxy-client.ts: a WebSocket through an HTTP proxy (CONNECT), on Node, Deno or Bun.
import { WebSocket } from "../src/runtime/node/index.ts"; // from "omnisocket" once installed

/** Sends one message through the proxy at `proxyUrl` and resolves with the echo. */
export function echoThroughProxy(url: string, proxyUrl: string, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [], {
      proxy: {
        origin: proxyUrl, // "http://user:pass@proxy.example:3128", or https:// for TLS to the proxy
        headers: { "User-Agent": "omnisocket-example" }, // sent with CONNECT
        tls: { ca }, // trust for an https: proxy
      },
      ca, // trust for a wss:// server (TLS inside the tunnel)
    });
    ws.onopen = () => ws.send("through the proxy");
    ws.onmessage = (event) => {
      resolve(String(event.data));
      ws.close(1000);
    };
    ws.onerror = (event) => {
      // A refused CONNECT: the proxy's status and headers, and a stable code.
      const { error } = event as ErrorEvent;
      reject(Object.assign(error, { proxyStatus: ws.statusCode, proxyHeaders: ws.headers }));
    };
  });
}
