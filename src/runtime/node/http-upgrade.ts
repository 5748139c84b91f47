/**
 * Registers faye's server form `new WebSocket(req, socket, head, protocols,
 * options)` with the shared class. node:http's upgrade event exists on
 * Node, Deno and Bun, so every runtime entry loads this module.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { setNodeUpgrade } from "../../web/transport/runtime.ts";
import { acceptNodeUpgrade } from "./upgrade.ts";

setNodeUpgrade((request, socket, head, protocols, options) => {
  const chooser = typeof protocols === "string" ? [protocols] : protocols ?? options.protocols;
  return acceptNodeUpgrade(request as IncomingMessage, socket as Duplex, head, {
    protocols: chooser ?? undefined,
    extensions: options.extensions,
    perMessageDeflate: options.perMessageDeflate,
    maxLength: options.maxLength,
    headers: options.headers,
    allowDrafts: options.allowDrafts,
  });
});
