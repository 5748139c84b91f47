/**
 * A standalone WebSocket server on Deno.listen (or Deno.listenTls) that
 * runs our own engine end to end, so every option, extension and limit of
 * our WebSocket applies (unlike Deno.serve, where Deno runs the protocol).
 *
 *   const server = listen({ port: 8080, protocols: ["chat"] }, (ws, request) => {
 *     ws.onmessage = (event) => ws.send(event.data);
 *   });
 *
 *   Deno.listen --conn--> DenoByteSocket --> serveConnection (src/web)
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
import { deno, type DenoListener } from "./deno-types.ts";
import { DenoByteSocket } from "./socket.ts";

/** Options of Deno's standalone `listen()`: where to listen, TLS, and the server's options. */
export interface DenoListenOptions extends StandaloneServerOptions {
  /** The address to listen on. Default "0.0.0.0". */
  hostname?: string;
  /** Default 0: any free port (read it from `server.port`). */
  port?: number;
  /** PEM certificate chain and private key: serve wss:// with Deno.listenTls. */
  cert?: string;
  /** PEM private key for `cert`; give both or neither. */
  key?: string;
}

/** Starts listening at once; `onSocket` gets each WebSocket once it is open-able (readyState CONNECTING, open follows). */
export function listen(options: DenoListenOptions, onSocket: ConnectionListener<WebSocket>): WebSocketServer<WebSocket> {
  const { hostname = "0.0.0.0", port = 0, cert, key, ...serverOptions } = options;
  const secure = cert !== undefined || key !== undefined;
  if (secure && (cert === undefined || key === undefined)) throw new TypeError("listen() needs both cert and key for TLS");
  checkServerOptions(serverOptions);
  const listener: DenoListener = secure
    ? deno().listenTls({ hostname, port, cert: cert!, key: key! })
    : deno().listen({ hostname, port });
  const clients = new Set<WebSocket>();
  const handle = trackClients(clients, onSocket);
  const settings = { ...serverOptions, secure };

  let closing: Promise<void> | null = null;
  const accepting = (async () => {
    while (!closing) {
      let conn;
      try {
        conn = await listener.accept();
      } catch (err) {
        // Closed: stop. Anything else (out of file descriptors, a client
        // gone before accept) must not end the server: retry shortly.
        if (closing || (err as Error)?.name === "BadResource") return;
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      serveConnection(new DenoByteSocket(conn), settings, handle, WebSocket);
    }
  })();

  const close = (): Promise<void> => {
    closing ??= (async () => {
      try {
        listener.close();
      } catch {
        // already closed
      }
      await accepting;
    })();
    return closing;
  };
  const addr = listener.addr;
  return {
    hostname: addr.hostname,
    port: addr.port,
    url: serverUrl(addr.hostname, addr.port, secure),
    clients,
    close,
  };
}
