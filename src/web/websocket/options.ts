/**
 * What the WebSocket constructor takes beyond the browser's `(url,
 * protocols)`, and how its arguments are told apart:
 *
 *   new WebSocket(url)                                   browser
 *   new WebSocket(url, protocols)                        browser
 *   new WebSocket(url, protocols, options)               ours (faye's third argument)
 *   new WebSocket(url, options)                          ws's form: options second
 *
 * An option no form knows is a TypeError that says where it goes, never
 * silently dropped; ws's names we understand (`maxPayload`, TLS options at
 * the top level) are taken as ours.
 */
import { hasToken } from "../../core/http/tokens.ts";
import type { ActiveExtension, Extension } from "../../core/websocket/extensions/extension.ts";
import type { LegacyDraft, LegacyKeys } from "../../core/websocket/legacy/handshake.ts";
import type { PerMessageDeflateSetting } from "../client/extension-options.ts";
import type { ProtocolChooser } from "../server/accept.ts";
import type { ByteSocket, ProxySetting } from "../transport/byte-socket.ts";
import type { BinaryType } from "./binary.ts";
import type { HeartbeatOptions } from "./heartbeat.ts";

/**
 * Options of the client (`new WebSocket(url, protocols, options)`, or ws's
 * `new WebSocket(url, options)`) and of server sockets; those marked
 * "Client" apply to clients only. The client refuses an unknown name with a
 * TypeError (ws's `maxPayload` and top-level TLS options are taken as ours).
 */
export interface WebSocketOptions {
  /** Extra request headers (client) or response headers (server). */
  headers?: Record<string, string>;
  /** Largest message accepted, in bytes (default 2^26 - 1). Larger ones close with 1009. */
  maxLength?: number;
  /**
   * Most frames one message may take (default 2^17; 0 for no limit). More
   * close with 1008 (`WS_ERR_TOO_MANY_FRAGMENTS`); memory is bounded by
   * `maxLength` whatever the count, as fragments are joined as they come.
   */
  maxFragments?: number;
  /** Seconds between keep-alive pings, with no timeout (faye's `ping`); 0 or absent for none. `heartbeat` wins over it. */
  ping?: number;
  /**
   * Ping every `interval` ms; when nothing (no pong, no other frame) comes
   * back within `timeout` ms of a ping, drop the connection: close 1006,
   * error WS_ERR_HEARTBEAT_TIMEOUT. See docs/flow-control.md.
   */
  heartbeat?: HeartbeatOptions;
  /**
   * Client: milliseconds from dialing to the server's 101 (a proxy's CONNECT
   * answer included) before the attempt fails with WS_ERR_HANDSHAKE_TIMEOUT;
   * default 30000, 0 for none.
   */
  handshakeTimeout?: number;
  /** Extensions to offer (client) or accept (server). */
  extensions?: Extension[];
  /**
   * permessage-deflate (RFC 7692) with ws's options: `false`, `true` or
   * `{ threshold, serverMaxWindowBits, ... }`. Clients offer it unless
   * `false`; servers accept it only when set. See ../client/extension-options.ts.
   */
  perMessageDeflate?: PerMessageDeflateSetting;
  /** Milliseconds to wait for the peer to finish a close before dropping TCP (default 30000). */
  closeTimeout?: number;
  /** Initial binaryType. */
  binaryType?: BinaryType;
  /**
   * Send flow control: a send() that leaves bufferedAmount above this many
   * bytes arms the "drain" event, which fires once bufferedAmount falls back
   * to it or below (default 16384). See docs/flow-control.md.
   */
  lowWaterMark?: number;
  /**
   * Send cap: a send() that takes bufferedAmount past this many bytes drops
   * the connection (a peer that does not read) instead of buffering without
   * bound; close code 1008, error `WS_ERR_BACKPRESSURE_LIMIT`. Default
   * Infinity (off). Not for Deno.serve / Bun.serve sockets (the runtime
   * buffers; see docs/flow-control.md).
   */
  backpressureLimit?: number;
  /** Client: TLS options (ca, servername, rejectUnauthorized, cert, key ...). */
  tls?: Record<string, unknown>;
  /** Client: extra options for the runtime's TCP connect. */
  net?: Record<string, unknown>;
  /** Client: trusted CA certificate(s), a shorthand for `tls.ca`. */
  ca?: unknown;
  /**
   * Client: an HTTP proxy to tunnel through with CONNECT (RFC 9110 section
   * 9.3.6): `{ origin: "http://[user:pass@]host:port" (or https:), headers, tls }`,
   * or "env" for HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY. See docs/proxies.md.
   */
  proxy?: ProxySetting;
  /** Client: Origin header value. */
  origin?: string;
  /** Random source for keys and masks (tests). */
  random?: (buffer: Uint8Array) => Uint8Array;
  /** Client: 13 (RFC 6455, the default), or 8 for hybi-08 servers (ws's `protocolVersion`). */
  protocolVersion?: 13 | 8;
}

/** Options of the node:http server form `new WebSocket(req, socket, head, protocols, options)`. */
export interface ServerWebSocketOptions extends WebSocketOptions {
  /** Subprotocol choice when the `protocols` argument is absent. */
  protocols?: ProtocolChooser;
  /** faye: also answer hixie-75/76 and hybi-08 clients (off by default; docs/legacy-drafts.md). */
  allowDrafts?: boolean;
  /**
   * Seconds of silence a server socket tolerates, as Deno's and Bun's
   * idleTimeout: the same as `heartbeat: { interval: idleTimeout * 500,
   * timeout: idleTimeout * 500 }` (a ping halfway, dropped when still
   * silent at the end). `heartbeat` wins over it.
   */
  idleTimeout?: number;
}

/** The parts of a node:http `IncomingMessage` the server form reads (structural: src/web stays runtime-free). */
export interface UpgradeRequest {
  /** The request method; only GET asks for a WebSocket (RFC 6455 section 4.2.1). */
  readonly method?: string;
  /** Request headers by lower-cased name, as node:http gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The request target (path and query), as node:http gives it. */
  readonly url?: string;
}

/** True for a node:http-style request object (faye's server form), not a URL. */
export function isUpgradeRequest(value: unknown): value is UpgradeRequest {
  return typeof value === "object" && value !== null && "headers" in value && "method" in value && !(value instanceof URL);
}

/** faye's `isWebSocket(request)`: a GET with `Upgrade: websocket` and `Connection: upgrade` (RFC 6455 section 4.2.1). */
export function asksForWebSocket(request: UpgradeRequest): boolean {
  if (request.method !== "GET") return false;
  const { upgrade, connection } = request.headers;
  return typeof upgrade === "string" && hasToken(upgrade, "websocket") && hasToken(String(connection ?? ""), "upgrade");
}

/** What a runtime's server hook hands over once it has answered the handshake. */
export interface AcceptedSocket {
  /** The connection, paused, with the 101 response written to it. */
  socket: ByteSocket;
  /** Request URL as the client asked for it (ws:// or wss://). */
  url: string;
  /** The subprotocol the server chose, "" for none. */
  protocol: string;
  /** The response's Sec-WebSocket-Extensions value, "" for none (WebSocket.extensions). */
  extensionsHeader: string;
  /** The negotiated extensions, in the order they process outgoing data. */
  extensions: ActiveExtension[];
  /** Bytes that arrived after the request head. */
  head?: Uint8Array;
  /** Request headers, lower-cased names. */
  headers: Record<string, string>;
  /** Set when the handshake was refused (already answered with an HTTP error). */
  error?: Error;
  /** The protocol version spoken (faye's `version`): "hybi-13" when absent, "hybi-8", "hixie-75", "hixie-76". */
  version?: string;
  /** A hixie-75/76 connection (accepted with `allowDrafts`): the engine to run instead of RFC 6455. */
  legacy?: { draft: LegacyDraft; keys?: LegacyKeys };
}

/** What a runtime adapter knows of a socket its runtime runs (Deno.serve, Bun.serve). */
export interface HostedInit {
  /** ws:// or wss:// URL of the request. */
  url: string;
  protocol: string;
  extensions: string;
  /** Request headers, lower-cased names. */
  headers: Record<string, string>;
  /** The runtime API behind it, for error messages ("Deno.upgradeWebSocket"). */
  hostName: string;
  /** False when the runtime gives no access to ping and pong frames. */
  pings: boolean;
  /** Run our heartbeat on this socket (only where `pings`: the runtime sends pings and reports pongs). */
  heartbeat?: HeartbeatOptions;
  binaryType?: BinaryType;
  /**
   * A direct message handler (the integrations' `message` option): each
   * message goes to `message(socket, data)`, `data` as binaryType makes it,
   * instead of a MessageEvent through the event target. Everything else
   * (pause, readyState, the other events) is unchanged.
   */
  message?(socket: unknown, data: unknown): void;
}

/** Every WebSocketOptions name: a new option that is not listed here is a compile error, not a TypeError at run time. */
const OPTION_NAMES = {
  headers: true, maxLength: true, maxFragments: true, ping: true, extensions: true, perMessageDeflate: true, closeTimeout: true, binaryType: true,
  tls: true, net: true, ca: true, proxy: true, origin: true, random: true, protocolVersion: true, heartbeat: true, handshakeTimeout: true,
  lowWaterMark: true, backpressureLimit: true,
} as const satisfies Record<keyof WebSocketOptions, true>;
const CLIENT_OPTIONS: ReadonlySet<string> = new Set(Object.keys(OPTION_NAMES));

/** ws's TLS options, which ws takes at the top level: they go into `tls`. */
const WS_TLS_OPTIONS: ReadonlySet<string> = new Set(["rejectUnauthorized", "cert", "key", "pfx", "passphrase", "servername", "checkServerIdentity", "ciphers", "minVersion", "maxVersion"]);

/** Where other libraries' option names go here. */
const MOVED: Readonly<Record<string, string>> = {
  maxPayload: "maxLength (bytes)",
  protocols: "the second argument (protocols) or the third (options) of the client form",
  protocol: "the second argument (protocols)",
};

function plainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function";
}

/** Checks client options: known names pass, ws's names we understand are mapped, others are a TypeError. */
export function clientOptions(input: Record<string, unknown>): WebSocketOptions {
  let out: Record<string, unknown> | null = null;
  let tls: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || CLIENT_OPTIONS.has(key)) continue;
    out ??= { ...input };
    delete out[key];
    if (key === "maxPayload") {
      if (input.maxLength === undefined) out.maxLength = value;
    } else if (WS_TLS_OPTIONS.has(key)) {
      tls ??= { ...(input.tls as Record<string, unknown> | undefined) };
      if (!(key in tls)) tls[key] = value;
    } else {
      const where = MOVED[key];
      throw new TypeError(
        `Unknown WebSocket option "${key}"${where ? `: use ${where}` : ""}. ` +
          `The client options are: ${[...CLIENT_OPTIONS].join(", ")} (ws's maxPayload and TLS options are taken too).`,
      );
    }
  }
  if (!out) return input as WebSocketOptions;
  if (tls) out.tls = tls;
  return out as WebSocketOptions;
}

/**
 * The client constructor's arguments after the URL: `(protocols?, options?)`
 * or ws's `(options)`. Throws a TypeError for an unknown option, or for
 * options given both second and third.
 */
export function splitConstructorArguments(rest: readonly unknown[]): { protocols: unknown; options: WebSocketOptions } {
  const [second, third] = rest;
  if (plainObject(second)) {
    if (third !== undefined) throw new TypeError("WebSocket options were given twice: as the second argument (ws style) and as the third.");
    return { protocols: undefined, options: clientOptions(second) };
  }
  if (third !== undefined && !plainObject(third)) throw new TypeError("The third argument of new WebSocket() must be an options object.");
  return {
    protocols: second,
    options: third === undefined ? {} : clientOptions(third),
  };
}
