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
  prepareListen,
  serveConnection,
  serverUrl,
  type ConnectionListener,
  type ListenAddress,
  type StandaloneServerOptions,
  type WebSocketServer,
} from "../../web/server/standalone.ts";
import { WebSocket } from "../../web/websocket/websocket.ts";
import { deno, type DenoListener } from "./deno-types.ts";
import { DenoByteSocket } from "./socket.ts";

/** Options of Deno's standalone `listen()`: where to listen, TLS, and the server's options. */
export interface DenoListenOptions extends StandaloneServerOptions, ListenAddress<string> {}

/** Starts listening at once; `onSocket` gets each WebSocket once it is open-able (readyState CONNECTING, open follows). */
export function listen(options: DenoListenOptions, onSocket: ConnectionListener<WebSocket>): WebSocketServer<WebSocket> {
  const { hostname, port, cert, key, secure, clients, handle, settings } = prepareListen(options, onSocket);
  const listener: DenoListener = secure
    ? deno().listenTls({ hostname, port, cert: cert!, key: key! })
    : deno().listen({ hostname, port });

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
    ready: Promise.resolve(),
  };
}
