/**
 * What the runtime entry plugs into the shared classes: how to open a TCP
 * or TLS connection, the extensions a client offers when the caller names
 * none, and how to build permessage-deflate (the `perMessageDeflate`
 * option: on by default for clients, as in browsers; see
 * ../client/extension-options.ts).
 */
import type { Extension } from "../../core/websocket/extensions/extension.ts";
import type { PermessageDeflateOptions } from "../../core/websocket/extensions/permessage-deflate/extension.ts";
import type { Connector } from "./byte-socket.ts";
import type { ProtocolChooser } from "../server/accept.ts";
import type { AcceptedSocket, ServerWebSocketOptions, UpgradeRequest } from "../websocket/options.ts";

/** Builds the permessage-deflate extension on the runtime's compressor. */
export type PermessageDeflateFactory = (options?: PermessageDeflateOptions) => Extension;

let connector: Connector | null = null;
let defaultExtensions: () => Extension[] = () => [];
let deflateFactory: PermessageDeflateFactory | null = null;

export function setConnector(c: Connector): void {
  connector = c;
}

/** True once a runtime entry has registered its connector. */
export function hasConnector(): boolean {
  return connector !== null;
}

export function getConnector(): Connector {
  if (!connector) throw new Error("omnisocket: no runtime connector registered; import omnisocket through its runtime entry");
  return connector;
}

export function setDefaultClientExtensions(factory: () => Extension[]): void {
  defaultExtensions = factory;
}

export function getDefaultClientExtensions(): Extension[] {
  return defaultExtensions();
}

/**
 * Registers the runtime's permessage-deflate (node:zlib on Node, Deno and
 * Bun: `setPermessageDeflate(permessageDeflate)`). Without one, the
 * `perMessageDeflate` option is off for clients and refused for servers.
 */
export function setPermessageDeflate(factory: PermessageDeflateFactory): void {
  deflateFactory = factory;
}

export function getPermessageDeflate(): PermessageDeflateFactory | null {
  return deflateFactory;
}

/**
 * Answers a node:http upgrade for faye's server form `new WebSocket(req,
 * socket, head, protocols, options)`. node:http exists on Node, Deno and
 * Bun, so every runtime entry registers it (src/runtime/node/http-upgrade.ts).
 */
export type NodeUpgrade = (
  request: UpgradeRequest,
  socket: object,
  head: Uint8Array | undefined,
  protocols: ProtocolChooser | string | null | undefined,
  options: ServerWebSocketOptions,
) => AcceptedSocket;

let nodeUpgrade: NodeUpgrade | null = null;

export function setNodeUpgrade(upgrade: NodeUpgrade): void {
  nodeUpgrade = upgrade;
}

export function getNodeUpgrade(): NodeUpgrade | null {
  return nodeUpgrade;
}
