/**
 * omnisocket/ws: ws 8's API on omnisocket's engine, on Node, Deno and Bun.
 *
 *   import WebSocket, { WebSocketServer, createWebSocketStream } from "omnisocket/ws";
 *   const WebSocket = require("omnisocket/ws");   // the class, with .Server, .WebSocketServer, ...
 *
 * The default export is the WebSocket class carrying ws's statics
 * (`WebSocket.Server`, `WebSocket.WebSocketServer`, `WebSocket.WebSocket`,
 * `WebSocket.createWebSocketStream`), as `require("ws")` returns it.
 * docs/ws.md lists every API and option with its status per runtime.
 */
import "../../setup.ts";
import { createWebSocketStream } from "./stream.ts";
import { WebSocketServer } from "./server.ts";
import { WebSocket } from "./websocket.ts";

export type { RawData, BinaryType, SendOptions, ClientOptions } from "./websocket.ts";
export type { PerMessageDeflateOptions, ClientRequestLike } from "./client.ts";
export type { ServerOptions, VerifyClientInfo, VerifyClientCallbackSync, VerifyClientCallbackAsync } from "./server.ts";
export { CloseEvent, ErrorEvent, Event, MessageEvent } from "./event-target.ts";

for (const [name, value] of [
  ["Server", WebSocketServer],
  ["WebSocketServer", WebSocketServer],
  ["WebSocket", WebSocket],
  ["createWebSocketStream", createWebSocketStream],
] as const) {
  Object.defineProperty(WebSocket, name, { value, enumerable: true, writable: true, configurable: true });
}

export { WebSocket, WebSocketServer, WebSocketServer as Server, createWebSocketStream };
export default WebSocket;
