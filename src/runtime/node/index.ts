/**
 * omnisocket on Node.
 */
export { WebSocket, type ServerWebSocketOptions } from "./websocket.ts";
export * from "../shared.ts";
export type { WebSocketOptions, BinaryType } from "../../web/websocket/websocket.ts";
export { EventSourceServer, type EventSourceServerOptions } from "./event-source-server.ts";
