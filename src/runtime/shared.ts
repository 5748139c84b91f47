/**
 * What every runtime entry exports besides its own sockets and servers:
 * the WebSocket class (with faye's node:http server form, registered by
 * ./node/http-upgrade.ts on every runtime, since node:http exists on all
 * three), the node:http SSE server, the events, the error vocabulary (ProxyError: a refused CONNECT), the extension interface,
 * permessage-deflate (node:zlib, which all three runtimes ship), and
 * server-sent events (client, fetch-style server, sans-I/O parser and
 * encoder). test/web/entries.test.ts checks each entry against this list.
 */
export {
  CloseEvent, ErrorEvent, MessageEvent, type CloseEventInit, type ErrorEventInit, type WebSocketEventMap, type PingEvent,
} from "../web/events/events.ts";
export type { DualEventTarget } from "../web/events/dual-event-target.ts";
export {
  WebSocket,
  type WebSocketOptions,
  type ServerWebSocketOptions,
  type BinaryType,
  type AcceptedSocket,
  type UpgradeRequest,
  type WebSocketListener,
} from "../web/websocket/websocket.ts";
export type { SendOptions } from "../web/websocket/driver.ts";
export {
  WebSocketStream,
  type WebSocketStreamOptions,
  type WebSocketStreamQueues,
  type WebSocketOpenInfo,
  type WebSocketCloseInfo,
} from "../web/websocket-stream/websocket-stream.ts";
export { EventSourceServer, type EventSourceServerOptions } from "./node/event-source-server.ts";
export { WebSocketError, ErrorCodes, CloseCode, type ErrorCode } from "../core/shared/errors.ts";
export type {
  ActiveExtension, ClientSession, Extension, ExtensionContext, ExtensionMessage, ExtensionOffer, ExtensionParams, ExtensionParamValue, ExtensionSession,
  ServerSession, SharedTransform,
} from "../core/websocket/extensions/extension.ts";
export type { NegotiationOptions } from "../core/websocket/extensions/permessage-deflate/params.ts";
export type { HttpLimits } from "../core/http/head-parser.ts";
export type { LegacyDraft, LegacyKeys } from "../core/websocket/legacy/handshake.ts";
export type {
  ByteSocket, ByteSocketHandler, ConnectOptions, Connector, ProxyOptions, ProxySetting, StartTlsOptions,
} from "../web/transport/byte-socket.ts";
export { ProxyError } from "../core/http/connect.ts";
export { permessageDeflate, type NodePermessageDeflateOptions } from "./node/zlib-codec.ts";
export type { PermessageDeflateOptions } from "../core/websocket/extensions/permessage-deflate/extension.ts";
export type { PerMessageDeflateSetting } from "../web/client/extension-options.ts";
export {
  EventSource, EventSourceErrorEvent, type EventSourceInit, type EventSourceEventMap, type EventSourceFetch, type EventSourceFetchResponse,
} from "../web/event-source/client.ts";
export type { EventSourceSession, EventSourceSessionOptions, EventSourceSendOptions } from "../web/event-source/session.ts";
export { EventSourceStream, type EventSourceStreamOptions } from "../web/event-source/stream.ts";
export { SseParser, SseError, type SseErrorCode, type SseParserEvent, type SseParserOptions } from "../core/sse/parser.ts";
export { encodeEvent, encodeComment, encodeRetry, formatEvent, type SseMessage } from "../core/sse/encoder.ts";
export type { HeartbeatOptions } from "../web/websocket/heartbeat.ts";
export { PubSub, type PubSubOptions, type PublishOptions, type PubSubStats, type Subscriber } from "../web/pubsub/hub.ts";
export type { Backplane, BackplaneMessage } from "../web/pubsub/backplane.ts";
export { BroadcastChannelBackplane } from "../web/pubsub/broadcast-channel.ts";
export { RedisBackplane, type RedisBackplaneOptions, type RedisClientLike } from "./node/redis-backplane.ts";
export { ClusterBackplane, relayClusterPubSub, type ClusterLike } from "./node/cluster-backplane.ts";
