/**
 * What the runtime entry plugs into the shared classes: how to open a TCP
 * or TLS connection, and the extensions a client offers when the caller
 * names none (permessage-deflate, as browsers do).
 */
import type { Extension } from "../core/extension.ts";
import type { Connector } from "./transport.ts";

let connector: Connector | null = null;
let defaultExtensions: () => Extension[] = () => [];

export function setConnector(c: Connector): void {
  connector = c;
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
