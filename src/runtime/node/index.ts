/**
 * omnisocket on Node.
 */
export { WebSocket, type ServerWebSocketOptions } from "./websocket.ts";
export { CloseEvent, ErrorEvent, MessageEvent } from "../../web/events.ts";
export type { WebSocketOptions, BinaryType } from "../../web/websocket.ts";
export { WebSocketError, ErrorCodes, CloseCode } from "../../core/errors.ts";
export type { Extension, ExtensionParams, ExtensionMessage, ClientSession, ServerSession } from "../../core/extension.ts";
export { permessageDeflate, type NodePermessageDeflateOptions } from "./deflate-codec.ts";
export type { PermessageDeflateOptions } from "../../core/permessage-deflate.ts";
export type { PerMessageDeflateSetting } from "../../web/extension-options.ts";
export { EventSource, EventSourceErrorEvent, type EventSourceInit } from "../../web/event-source.ts";
export { EventSourceStream, type EventSourceStreamOptions } from "../../web/event-source-stream.ts";
export { SseParser, SseError, type SseParserEvent, type SseParserOptions } from "../../core/sse-parser.ts";
export { encodeEvent, encodeComment, encodeRetry, formatEvent, type SseMessage } from "../../core/sse-encoder.ts";
export { EventSourceServer, type EventSourceServerOptions } from "./event-source-server.ts";
