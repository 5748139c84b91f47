/**
 * The WebSocket class on Node: the shared class, plus faye-websocket's
 * server constructor `new WebSocket(req, socket, head, protocols, options)`
 * and `WebSocket.isWebSocket(req)`.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { ACCEPT, WebSocket as BaseWebSocket, type AcceptedSocket, type WebSocketOptions } from "../../web/websocket/websocket.ts";
import type { ProtocolChooser } from "../../web/server/accept.ts";
import { acceptNodeUpgrade, isWebSocketRequest } from "./upgrade.ts";
import "./setup.ts";

export interface ServerWebSocketOptions extends WebSocketOptions {
  /** Subprotocol choice when the `protocols` argument is a function. */
  protocols?: ProtocolChooser;
  /** faye: also answer hixie-75/76 and hybi-08 clients (off by default; docs/legacy-drafts.md). */
  allowDrafts?: boolean;
}

function isRequest(value: unknown): value is IncomingMessage {
  return typeof value === "object" && value !== null && "headers" in value && "method" in value && !(value instanceof URL);
}

/** faye's server arguments -> the base class's `(ACCEPT, accepted, options)`. */
function acceptArgs(args: unknown[]): [typeof ACCEPT, AcceptedSocket, ServerWebSocketOptions] {
  const [req, socket, head, protocols, options = {}] = args as [IncomingMessage, Duplex, Uint8Array | undefined, ProtocolChooser | string | null | undefined, ServerWebSocketOptions | undefined];
  const chooser = typeof protocols === "string" ? [protocols] : protocols ?? options.protocols;
  const accepted = acceptNodeUpgrade(req, socket, head, {
    protocols: chooser ?? undefined,
    extensions: options.extensions,
    perMessageDeflate: options.perMessageDeflate,
    maxLength: options.maxLength,
    headers: options.headers,
    allowDrafts: options.allowDrafts,
  });
  return [ACCEPT, accepted, options];
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
    // One top-level super() call: JSR's public-API emitter (deno publish)
    // drops a constructor body whose super() sits inside a branch.
    const [first, second, options] = isRequest(args[0]) ? acceptArgs(args) : args;
    super(first as string | URL, second as string | string[] | undefined, options as WebSocketOptions | undefined);
  }
}
