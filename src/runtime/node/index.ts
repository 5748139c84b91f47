/**
 * omnisocket on Node.
 *
 *   new WebSocket(url, protocols, options)   client over node:net / node:tls
 *   new WebSocket(req, socket, head)         node:http's upgrade event (faye style)
 *   listen(options, onSocket)                standalone server on node:net, our engine throughout
 */
import "./setup.ts";

export { listen, type NodeListenOptions } from "./listen.ts";
export type { WebSocketServer, StandaloneServerOptions, ConnectionListener, ListenAddress } from "../../web/server/standalone.ts";
export * from "../shared.ts";
