// examples/heartbeat.ts: heartbeats and timeouts on a node:http server and a client.
import http from "node:http";
import { WebSocket } from "../src/runtime/node/index.ts"; // from "omnisocket" once installed

// Ping every 10 s; a peer that sends nothing back (no pong, no message) within 5 s of a ping is dropped.
const HEARTBEAT = { interval: 10_000, timeout: 5_000 };

export function createServer(heartbeat = HEARTBEAT, onDropped = (code: string) => console.log("dropped:", code)): http.Server {
  const server = http.createServer();
  server.on("upgrade", (request, socket, body) => {
    if (!WebSocket.isWebSocket(request)) return socket.destroy();
    const ws = new WebSocket(request, socket, body, null, { heartbeat });
    ws.on("message", (event) => ws.send((event as MessageEvent).data));
    ws.on("error", (event) => {
      // error, then close 1006 (wasClean false): the error's code says why.
      onDropped((event as ErrorEvent).error?.code); // "WS_ERR_HEARTBEAT_TIMEOUT"
    });
  });
  return server;
}

export function connect(url: string, heartbeat = HEARTBEAT): WebSocket {
  // No 101 within 10 s (a proxy's CONNECT answer included): error WS_ERR_HANDSHAKE_TIMEOUT, close 1006.
  return new WebSocket(url, [], { heartbeat, handshakeTimeout: 10_000 });
}
