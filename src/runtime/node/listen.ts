/**
 * A standalone WebSocket server on node:net (or node:tls) that runs our own
 * engine end to end, the same `listen()` the Deno and Bun entries have:
 * no node:http in between, so a connection costs our head parser and
 * handshake only.
 *
 *   const server = listen({ hostname: "127.0.0.1", port: 0 }, (ws, request) => {
 *     ws.onmessage = (event) => ws.send(event.data);
 *   });
 *   await server.ready;          // node:net binds a named host asynchronously
 *   console.log(server.url);
 *
 *   net.Server --socket--> NodeByteSocket --> serveConnection (src/web)
 *        head parser -> acceptUpgrade -> WebSocket.accept -> onSocket(ws, request)
 */
import { createServer as createNetServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { WebSocketError } from "../../core/shared/errors.ts";
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
import { NodeByteSocket } from "./socket.ts";

/** Options of Node's standalone `listen()`: where to listen, TLS, and the server's options. */
export interface NodeListenOptions extends StandaloneServerOptions, ListenAddress<string | Uint8Array> {}

const pem = (text: string | Uint8Array): string | Buffer =>
  typeof text === "string" ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength);

/**
 * Starts listening; `onSocket` gets each WebSocket as soon as its handshake
 * is answered. node:net binds a named host after a DNS step, so `port` and
 * `url` of a port-0 server are known once `ready` resolves; `ready` rejects
 * with the bind error (an address in use, say).
 */
export function listen(options: NodeListenOptions, onSocket: ConnectionListener<WebSocket>): WebSocketServer<WebSocket> {
  const { hostname, port, cert, key, secure, clients, handle, settings } = prepareListen(options, onSocket);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`listen(): port must be an integer from 0 to 65535, got ${String(port)}`);
  // Node's util.inspect shows a lazily built request as the Request it is (lazy-request.ts).
  const connectionSettings = { ...settings, lazyRequest: true };
  const onConnection = (socket: Socket) => {
    serveConnection(new NodeByteSocket(socket), connectionSettings, handle, WebSocket);
  };
  const server: Server = secure
    ? createTlsServer({ cert: pem(cert!), key: pem(key!), allowHalfOpen: true }, onConnection)
    : createNetServer({ allowHalfOpen: true }, onConnection);

  const ready = new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.once("listening", () => {
      server.off("error", reject);
      // Past the bind, an accept that fails (out of file descriptors, a
      // client gone first) must not end the server; node:net retries.
      server.on("error", () => {});
      resolve();
    });
  });
  server.listen(port, hostname);

  const address = (): { address: string; port: number } | null => {
    const bound = server.address();
    return bound && typeof bound === "object" ? bound : null;
  };
  const boundPort = (): number => {
    const bound = address();
    if (bound) return bound.port;
    if (port !== 0) return port;
    throw new WebSocketError("WS_ERR_INVALID_STATE", "listen(): the port is not known until `await server.ready`");
  };
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    // Stops accepting at once; open connections stay (close them yourself).
    closing ??= ready.then(
      () => { server.close(); },
      () => {},
    );
    return closing;
  };
  return {
    get hostname() { return address()?.address ?? hostname; },
    get port() { return boundPort(); },
    get url() { return serverUrl(address()?.address ?? hostname, boundPort(), secure); },
    clients,
    close,
    ready,
  };
}
