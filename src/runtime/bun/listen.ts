/**
 * A standalone WebSocket server on Bun.listen that runs our own engine end
 * to end, so every option, extension and limit of our WebSocket applies
 * (unlike Bun.serve, where Bun runs the protocol).
 *
 *   const server = listen({ port: 8080, protocols: ["chat"] }, (ws, request) => {
 *     ws.onmessage = (event) => ws.send(event.data);
 *   });
 *
 *   Bun.listen --socket--> BunByteSocket --> serveConnection (src/web)
 *        head parser -> acceptUpgrade -> WebSocket.accept -> onSocket(ws, request)
 */
import {
  prepareListen,
  serveConnection,
  serverUrl,
  type ConnectionListener,
  type ListenAddress,
  type StandaloneServerOptions,
  type WebSocketServer,
} from "../../web/server/standalone.ts";
import { WebSocket } from "../../web/websocket/websocket.ts";
import { bun, type BunSocket } from "./bun-types.ts";
import { BunByteSocket, byteSocketHandlers } from "./socket.ts";

/** Options of Bun's standalone `listen()`: where to listen, TLS, and the server's options. */
export interface BunListenOptions extends StandaloneServerOptions, ListenAddress<string | Uint8Array> {}

/** Starts listening at once; `onSocket` gets each WebSocket as soon as its handshake is answered. */
export function listen(options: BunListenOptions, onSocket: ConnectionListener<WebSocket>): WebSocketServer<WebSocket> {
  const { hostname, port, cert, key, secure, clients, handle, settings } = prepareListen(options, onSocket);
  const listener = bun().listen<BunByteSocket>({
    hostname,
    port,
    ...(secure ? { tls: { cert, key } } : {}),
    allowHalfOpen: true,
    socket: {
      ...byteSocketHandlers,
      open(socket: BunSocket<BunByteSocket>) {
        serveConnection(new BunByteSocket(socket), settings, handle, WebSocket);
      },
    },
  });
  let closed = false;
  const close = (): Promise<void> => {
    if (!closed) {
      closed = true;
      listener.stop(false); // open connections stay
    }
    return Promise.resolve();
  };
  return {
    hostname: listener.hostname,
    port: listener.port,
    url: serverUrl(listener.hostname, listener.port, secure),
    clients,
    close,
    ready: Promise.resolve(),
  };
}
