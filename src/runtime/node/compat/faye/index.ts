/**
 * `omnisocket/faye`: faye-websocket 0.11's API over omnisocket's engine, on
 * Node, Deno and Bun (through their node:http).
 *
 *   const WebSocket = require("omnisocket/faye");   // or: import WebSocket from "omnisocket/faye"
 *   new WebSocket(request, socket, body, protocols, options)   server, in node:http's "upgrade"
 *   WebSocket.isWebSocket(request)
 *   new WebSocket.Client(url, protocols, options)              client
 *   new WebSocket.EventSource(request, response, options)      server-sent events
 *   WebSocket.EventSource.isEventSource(request)
 *
 * Differences from faye-websocket: docs/faye.md.
 */
import { FayeClient, type FayeClientOptions } from "./client.ts";
import { FayeEventSource, type FayeEventSourceOptions } from "./event-source.ts";
import { FayeServerSocket, type FayeServerOptions } from "./websocket.ts";

export type { FayeClientOptions, FayeEventSourceOptions, FayeServerOptions, FayeServerSocket };
export type { FayeSocketOptions } from "../../../../web/compat/faye/driver.ts";
export type { HeartbeatOptions } from "../../../../web/websocket/heartbeat.ts";
export type {
  ClientSession, Extension, ExtensionContext, ExtensionMessage, ExtensionParams, ExtensionParamValue, ExtensionSession, ServerSession,
} from "../../../../core/websocket/extensions/extension.ts";
export type { ProxyOptions } from "../../../../web/client/proxy-options.ts";
export type { FayeData, FayeListener } from "./api.ts";
export { FayeSocket, FayeEvent } from "./api.ts";
export type { FayeEventStream } from "./event-stream.ts";

/** faye's module: the server socket class, carrying the client and EventSource classes. */
export class WebSocket extends FayeServerSocket {
  /** The module itself, as `require("faye-websocket").WebSocket`. */
  static readonly WebSocket: typeof WebSocket = WebSocket;
  /** The client: `new WebSocket.Client(url, protocols, options)`. */
  static readonly Client: typeof FayeClient = FayeClient;
  /** Server-sent events: `new WebSocket.EventSource(request, response, options)`. */
  static readonly EventSource: typeof FayeEventSource = FayeEventSource;
}

export { FayeClient as Client, FayeEventSource as EventSource };
export default WebSocket;
