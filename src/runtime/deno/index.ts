/**
 * omnisocket on Deno.
 *
 *   new WebSocket(url, protocols, options)   client over Deno.connect / connectTls
 *   upgrade(request, options)                Deno.serve: { socket, response }, Deno runs the protocol
 *   listen(options, onSocket)                standalone server on Deno.listen, our engine throughout
 *
 * node:http's upgrade event works from this entry too (faye style:
 * `WebSocket.isWebSocket(req)`, `new WebSocket(req, socket, head,
 * protocols, options)`), and so does node:http's SSE server (EventSourceServer).
 */
import "./setup.ts";
import "../node/http-upgrade.ts";

export { upgrade, isWebSocketRequest, type DenoUpgradeOptions } from "./upgrade.ts";
export { listen, type DenoListenOptions } from "./listen.ts";
export type { WebSocketServer, StandaloneServerOptions, ConnectionListener, ListenAddress } from "../../web/server/standalone.ts";
export { HostedWebSocket } from "../../web/websocket/hosted-websocket.ts";
export type { ProtocolChooser } from "../../web/server/accept.ts";
export { denoConnector } from "./connect.ts";
export * from "../shared.ts";
