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
  checkServerOptions,
  serveConnection,
  serverUrl,
  trackClients,
  type ConnectionListener,
  type StandaloneServerOptions,
  type WebSocketServer,
} from "../../web/server/standalone.ts";
import { WebSocket } from "../../web/websocket/websocket.ts";
import { bun, type BunSocket } from "./bun-types.ts";
import { BunByteSocket, byteSocketHandlers } from "./socket.ts";

/** Options of Bun's standalone `listen()`: where to listen, TLS, and the server's options. */
export interface BunListenOptions extends StandaloneServerOptions {
  /** The address to listen on. Default "0.0.0.0". */
  hostname?: string;
  /** Default 0: any free port (read it from `server.port`). */
  port?: number;
  /** PEM certificate chain and private key: serve wss://. */
  cert?: string | Uint8Array;
  /** PEM private key for `cert`; give both or neither. */
  key?: string | Uint8Array;
}

/** Starts listening at once; `onSocket` gets each WebSocket as soon as its handshake is answered. */
export function listen(options: BunListenOptions, onSocket: ConnectionListener<WebSocket>): WebSocketServer<WebSocket> {
  const { hostname = "0.0.0.0", port = 0, cert, key, ...serverOptions } = options;
  const secure = cert !== undefined || key !== undefined;
  if (secure && (cert === undefined || key === undefined)) throw new TypeError("listen() needs both cert and key for TLS");
  checkServerOptions(serverOptions);
  const clients = new Set<WebSocket>();
  const handle = trackClients(clients, onSocket);
  const settings = { ...serverOptions, secure };
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
  };
}
