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

export { WebSocket, type WebSocketOptions, type BinaryType, type AcceptedSocket } from "../../web/websocket.ts";
export { upgrade, isWebSocketRequest, type DenoUpgradeOptions } from "./upgrade.ts";
export { listen, type DenoListenOptions } from "./listen.ts";
export type { WebSocketServer, StandaloneServerOptions, ConnectionListener } from "../../web/standalone-server.ts";
export { HostedWebSocket } from "../../web/hosted-websocket.ts";
export type { ProtocolChooser } from "../../web/server-accept.ts";
export { denoConnector } from "./connect.ts";
export { CloseEvent, ErrorEvent, MessageEvent } from "../../web/events.ts";
export { WebSocketError, ErrorCodes, CloseCode } from "../../core/errors.ts";
export type { Extension, ExtensionParams, ExtensionMessage, ClientSession, ServerSession } from "../../core/extension.ts";
export { permessageDeflate, type NodePermessageDeflateOptions } from "../node/deflate-codec.ts";
export type { PermessageDeflateOptions } from "../../core/permessage-deflate.ts";
export type { PerMessageDeflateSetting } from "../../web/extension-options.ts";
export { EventSource, EventSourceErrorEvent, type EventSourceInit } from "../../web/event-source.ts";
export { EventSourceStream, type EventSourceStreamOptions } from "../../web/event-source-stream.ts";
export { SseParser, SseError, type SseParserEvent, type SseParserOptions } from "../../core/sse-parser.ts";
export { encodeEvent, encodeComment, encodeRetry, formatEvent, type SseMessage } from "../../core/sse-encoder.ts";
