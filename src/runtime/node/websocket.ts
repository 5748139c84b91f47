/**
 * The WebSocket class on Node: the shared class, plus faye-websocket's
 * server constructor `new WebSocket(req, socket, head, protocols, options)`
 * and `WebSocket.isWebSocket(req)`.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { ACCEPT, WebSocket as BaseWebSocket, type WebSocketOptions } from "../../web/websocket.ts";
import type { ProtocolChooser } from "../../web/server-accept.ts";
import { acceptNodeUpgrade, isWebSocketRequest } from "./upgrade.ts";
import "./setup.ts";

export interface ServerWebSocketOptions extends WebSocketOptions {
  /** Subprotocol choice when the `protocols` argument is a function. */
  protocols?: ProtocolChooser;
}

function isRequest(value: unknown): value is IncomingMessage {
  return typeof value === "object" && value !== null && "headers" in value && "method" in value && !(value instanceof URL);
}

export class WebSocket extends BaseWebSocket {
  /** True for a request asking to be upgraded to a WebSocket. */
  static isWebSocket(req: IncomingMessage): boolean {
    return isWebSocketRequest(req);
  }

  /** Client: `new WebSocket(url, protocols?, options?)`. */
  constructor(url: string | URL, protocols?: string | string[], options?: WebSocketOptions);
  /** Server (faye): `new WebSocket(req, socket, head, protocols?, options?)` inside node:http's upgrade event. */
  constructor(req: IncomingMessage, socket: Duplex, head: Uint8Array, protocols?: ProtocolChooser | string | null, options?: ServerWebSocketOptions);
  constructor(...args: unknown[]) {
    if (isRequest(args[0])) {
      const [req, socket, head, protocols, options = {}] = args as [IncomingMessage, Duplex, Uint8Array | undefined, ProtocolChooser | string | null | undefined, ServerWebSocketOptions | undefined];
      const chooser = typeof protocols === "string" ? [protocols] : protocols ?? options.protocols;
      const accepted = acceptNodeUpgrade(req, socket, head, {
        protocols: chooser ?? undefined,
        extensions: options.extensions,
        maxLength: options.maxLength,
        headers: options.headers,
      });
      super(ACCEPT, accepted, options);
    } else {
      super(args[0] as string | URL, args[1] as string | string[] | undefined, args[2] as WebSocketOptions | undefined);
    }
  }
}
