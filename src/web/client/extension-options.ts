/**
 * The extensions a connection negotiates, from its two options: `extensions`
 * (any objects implementing the Extension interface, faye style) and
 * `perMessageDeflate` (ws's option, RFC 7692).
 *
 *   client: [...(extensions ?? runtime defaults), permessage-deflate]   unless perMessageDeflate === false
 *   server: [...(extensions ?? []), permessage-deflate]                 only if perMessageDeflate is true or { ... }
 *
 * - Clients offer permessage-deflate unless told not to, as browsers do;
 *   servers accept it only when asked, as ws does.
 * - permessage-deflate goes last: on the way out the other extensions see
 *   the plain message and compression is the last step before the wire; on
 *   the way in it is undone first (RFC 6455 section 9.1: the order of the
 *   offers is the order of preference and of processing).
 * - A permessage-deflate listed in `extensions` (faye style) is used as
 *   given, and `perMessageDeflate` must then be left out: both at once is a
 *   WS_ERR_INVALID_ARGUMENT, never one silently winning.
 * - The compressor comes from the runtime entry (`setPermessageDeflate`);
 *   asking for it on a runtime that registered none is an error, and a
 *   client's default then offers nothing.
 */
import { WebSocketError } from "../../core/shared/errors.ts";
import type { Extension } from "../../core/websocket/extensions/extension.ts";
import { EXTENSION_NAME, type PermessageDeflateOptions } from "../../core/websocket/extensions/permessage-deflate/extension.ts";
import { getDefaultClientExtensions, getPermessageDeflate, type PermessageDeflateFactory } from "../transport/runtime.ts";

/** `false`, `true` (defaults) or ws's options object. */
export type PerMessageDeflateSetting = boolean | PermessageDeflateOptions;

export interface ExtensionOptions {
  extensions?: readonly Extension[];
  perMessageDeflate?: PerMessageDeflateSetting;
}

/** The extensions a client offers, in order of preference. Throws on misuse. */
export function clientExtensions(options: ExtensionOptions): Extension[] {
  const setting = checkSetting(options.perMessageDeflate);
  const own = options.extensions;
  if (own && own.some(isDeflate)) return withOwnDeflate(own, setting);
  const list = (own ?? getDefaultClientExtensions()).slice();
  if (setting === undefined) {
    if (list.some(isDeflate)) return list; // a runtime default offers it already
    const factory = getPermessageDeflate();
    return factory ? [...list, shared(factory)] : list;
  }
  // Runtime defaults are not the caller's choice: the option replaces a
  // default permessage-deflate, and `false` removes it.
  const others = list.filter((e) => !isDeflate(e));
  return setting === false ? others : [...others, deflateFor(setting)];
}

/** The extensions a server accepts. Throws on misuse. */
export function serverExtensions(options: ExtensionOptions): Extension[] {
  const setting = checkSetting(options.perMessageDeflate);
  const own = options.extensions ?? [];
  if (own.some(isDeflate)) return withOwnDeflate(own, setting);
  if (setting === undefined || setting === false) return own.slice();
  return [...own, deflateFor(setting)];
}

function isDeflate(extension: Extension): boolean {
  return extension.name === EXTENSION_NAME;
}

function withOwnDeflate(own: readonly Extension[], setting: PerMessageDeflateSetting | undefined): Extension[] {
  if (setting !== undefined) {
    throw new WebSocketError(
      "WS_ERR_INVALID_ARGUMENT",
      "permessage-deflate is both in `extensions` and set by `perMessageDeflate`; use one of them",
    );
  }
  return own.slice();
}

function checkSetting(setting: unknown): PerMessageDeflateSetting | undefined {
  if (setting === undefined || typeof setting === "boolean") return setting;
  if (typeof setting === "object" && setting !== null && !Array.isArray(setting)) return setting as PermessageDeflateOptions;
  throw new WebSocketError("WS_ERR_INVALID_ARGUMENT", `perMessageDeflate must be a boolean or an options object, got ${String(setting)}`);
}

function requireFactory(): PermessageDeflateFactory {
  const factory = getPermessageDeflate();
  if (!factory) {
    throw new WebSocketError(
      "WS_ERR_INVALID_ARGUMENT",
      "perMessageDeflate: no compressor registered; import omnisocket through its runtime entry",
    );
  }
  return factory;
}

// One extension per options object (a server passes the same object for
// every connection); the zlib streams themselves are per connection.
let defaultExtension: { factory: PermessageDeflateFactory; extension: Extension } | null = null;
const byOptions = new WeakMap<object, { factory: PermessageDeflateFactory; extension: Extension }>();

function shared(factory: PermessageDeflateFactory): Extension {
  if (defaultExtension?.factory !== factory) defaultExtension = { factory, extension: factory() };
  return defaultExtension.extension;
}

function deflateFor(setting: true | PermessageDeflateOptions): Extension {
  const factory = requireFactory();
  if (setting === true) return shared(factory);
  const cached = byOptions.get(setting);
  if (cached?.factory === factory) return cached.extension;
  const extension = factory({ ...setting });
  byOptions.set(setting, { factory, extension });
  return extension;
}
