/**
 * The WebSocket class on Node: the shared class (src/web/websocket/websocket.ts),
 * which also takes faye-websocket's server constructor `new WebSocket(req,
 * socket, head, protocols, options)` and has `WebSocket.isWebSocket(req)`
 * once node:http's upgrade is registered (./http-upgrade.ts).
 */
import "./setup.ts";

export { WebSocket, type ServerWebSocketOptions } from "../../web/websocket/websocket.ts";
