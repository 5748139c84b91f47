/**
 * omnisocket on Bun.
 *
 *   new WebSocket(url, protocols, options)    client over Bun.connect
 *   createBunHandler(options)                 Bun.serve: { upgrade(req, server), websocket }, Bun runs the protocol
 *   upgrade, websocket                        the same with default options
 *   listen(options, onSocket)                 standalone server on Bun.listen, our engine throughout
 *
 * node:http's upgrade event works from this entry too (faye style:
 * `WebSocket.isWebSocket(req)`, `new WebSocket(req, socket, head,
 * protocols, options)`), and so does node:http's SSE server (EventSourceServer).
 */
import "./setup.ts";
import "../node/http-upgrade.ts";

export {
  createBunHandler,
  upgrade,
  websocket,
  isWebSocketRequest,
  type BunHandler,
  type BunHandlerOptions,
  type BunUpgradeOptions,
} from "./serve.ts";
export { listen, type BunListenOptions } from "./listen.ts";
export type { WebSocketServer, StandaloneServerOptions, ConnectionListener, ListenAddress } from "../../web/server/standalone.ts";
export { HostedWebSocket } from "../../web/websocket/hosted-websocket.ts";
export type { ProtocolChooser } from "../../web/server/accept.ts";
export type { BunServer, BunServerWebSocket, BunWebSocketHandler } from "./bun-types.ts";
export { bunConnector } from "./connect.ts";
export * from "../shared.ts";
