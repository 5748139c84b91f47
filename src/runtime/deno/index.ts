/**
 * omnisocket on Deno.
 *
 *   new WebSocket(url, protocols, options)   client over Deno.connect / connectTls
 *   upgrade(request, options)                Deno.serve: { socket, response }, Deno runs the protocol
 *   listen(options, onSocket)                standalone server on Deno.listen, our engine throughout
 *
 * node:http's upgrade event works too, through the Node entry
 * (src/runtime/node/index.ts): `new WebSocket(req, socket, head)`.
 */
import "./setup.ts";

export { WebSocket, type WebSocketOptions, type BinaryType, type AcceptedSocket } from "../../web/websocket/websocket.ts";
export { upgrade, isWebSocketRequest, type DenoUpgradeOptions } from "./upgrade.ts";
export { listen, type DenoListenOptions } from "./listen.ts";
export type { WebSocketServer, StandaloneServerOptions, ConnectionListener } from "../../web/server/standalone.ts";
export { HostedWebSocket } from "../../web/websocket/hosted-websocket.ts";
export type { ProtocolChooser } from "../../web/server/accept.ts";
export { denoConnector } from "./connect.ts";
export * from "../shared.ts";
