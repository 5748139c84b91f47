/**
 * ws 8's option vocabulary, runtime-free: the names each constructor takes,
 * their defaults, and the checks ws makes on them.
 *
 *   user options --checkOptionNames--> TypeError naming an unknown option
 *                --withClientDefaults / withServerDefaults--> full option object
 *
 * ws ignores option names it does not know; here an unknown name is a
 * TypeError, so `perMessageDeflate` given to the wrong object (or misspelt)
 * is never silently dropped (docs/ws.md, "Options").
 */

/** ws's close timeout and payload limit defaults. */
export const WS_CLOSE_TIMEOUT = 30_000;
export const WS_MAX_PAYLOAD = 100 * 1024 * 1024;
/** ws's bound on the frames of one message (0: none). */
export const WS_MAX_FRAGMENTS = 16 * 1024;

/** ws's own client options (its `WebSocket` constructor). */
const CLIENT_OWN = [
  "allowSynchronousEvents", "autoPong", "closeTimeout", "finishRequest", "followRedirects", "generateMask",
  "handshakeTimeout", "maxBufferedChunks", "maxFragments", "maxPayload", "maxPendingAutoPongs", "maxRedirects",
  "origin", "perMessageDeflate", "protocolVersion", "skipUTF8Validation",
] as const;

/**
 * What ws hands on to http.request / net.connect / tls.connect: a client may
 * give any of these, so they are known names too.
 */
const CLIENT_TRANSPORT = [
  // http.request
  "agent", "auth", "createConnection", "defaultPort", "family", "headers", "host", "hostname", "insecureHTTPParser",
  "joinDuplicateHeaders", "localAddress", "localPort", "lookup", "maxHeaderSize", "method", "path", "port", "protocol",
  "setHost", "signal", "socketPath", "timeout", "uniqueHeaders", "hints", "setDefaultHeaders",
  // net.connect
  "keepAlive", "keepAliveInitialDelay", "noDelay", "autoSelectFamily", "autoSelectFamilyAttemptTimeout", "highWaterMark",
  // tls.connect and secure context
  "ALPNProtocols", "ca", "cert", "checkServerIdentity", "ciphers", "crl", "dhparam", "ecdhCurve", "honorCipherOrder",
  "key", "maxVersion", "minDHSize", "minVersion", "passphrase", "pfx", "privateKeyEngine", "privateKeyIdentifier",
  "rejectUnauthorized", "secureContext", "secureOptions", "secureProtocol", "servername", "session", "sessionIdContext",
  "sigalgs", "ticketKeys", "enableTrace", "requestOCSP", "pskCallback", "clientCertEngine", "sessionTimeout",
] as const;

/** ws's WebSocketServer options. */
const SERVER_OWN = [
  "allowSynchronousEvents", "autoPong", "backlog", "clientTracking", "closeTimeout", "handleProtocols", "host",
  "maxBufferedChunks", "maxFragments", "maxPayload", "maxPendingAutoPongs", "noServer", "path", "perMessageDeflate",
  "port", "server", "skipUTF8Validation", "verifyClient", "WebSocket",
] as const;

/** The permessage-deflate option object (ws's PerMessageDeflate). */
const DEFLATE_OWN = [
  "clientMaxWindowBits", "clientNoContextTakeover", "concurrencyLimit", "serverMaxWindowBits", "serverNoContextTakeover",
  "threshold", "zlibDeflateOptions", "zlibInflateOptions",
] as const;

const CLIENT_NAMES = new Set<string>([...CLIENT_OWN, ...CLIENT_TRANSPORT]);
const SERVER_NAMES = new Set<string>(SERVER_OWN);
const DEFLATE_NAMES = new Set<string>(DEFLATE_OWN);

/** Throws a TypeError naming the first option `names` does not know. */
function checkNames(options: object, names: ReadonlySet<string>, where: string): void {
  for (const name of Object.keys(options)) {
    if (!names.has(name)) {
      const hint = where !== "perMessageDeflate" && DEFLATE_NAMES.has(name) ? ` (it belongs inside \`perMessageDeflate: { ${name} }\`)` : "";
      throw new TypeError(`Unknown ${where} option "${name}"${hint}`);
    }
  }
}

function checkDeflate(value: unknown, where: string): void {
  if (value === undefined || typeof value === "boolean") return;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`The ${where} "perMessageDeflate" option must be a boolean or an object`);
  }
  checkNames(value, DEFLATE_NAMES, "perMessageDeflate");
}

export interface WsClientDefaults {
  allowSynchronousEvents: boolean;
  autoPong: boolean;
  closeTimeout: number;
  protocolVersion: number;
  maxPayload: number;
  maxFragments: number;
  skipUTF8Validation: boolean;
  perMessageDeflate: unknown;
  followRedirects: boolean;
  maxRedirects: number;
  handshakeTimeout?: number;
}

/** The client's options with ws's defaults filled in; throws on unknown names. */
export function withClientDefaults<T extends object>(options: T | undefined): WsClientDefaults & T {
  const given = options ?? ({} as T);
  checkNames(given, CLIENT_NAMES, "WebSocket");
  checkDeflate((given as { perMessageDeflate?: unknown }).perMessageDeflate, "WebSocket");
  return {
    allowSynchronousEvents: true,
    autoPong: true,
    closeTimeout: WS_CLOSE_TIMEOUT,
    protocolVersion: 13,
    maxPayload: WS_MAX_PAYLOAD,
    maxFragments: WS_MAX_FRAGMENTS,
    skipUTF8Validation: false,
    perMessageDeflate: true,
    followRedirects: false,
    maxRedirects: 10,
    ...given,
  };
}

export interface WsServerDefaults {
  allowSynchronousEvents: boolean;
  autoPong: boolean;
  maxPayload: number;
  maxFragments: number;
  skipUTF8Validation: boolean;
  perMessageDeflate: unknown;
  clientTracking: boolean;
  closeTimeout: number;
  noServer: boolean;
}

/** The server's options with ws's defaults; throws on unknown names and on ws's own misuse checks. */
export function withServerDefaults<T extends object>(options: T | undefined): WsServerDefaults & T {
  const given = options ?? ({} as T);
  checkNames(given, SERVER_NAMES, "WebSocketServer");
  checkDeflate((given as { perMessageDeflate?: unknown }).perMessageDeflate, "WebSocketServer");
  const merged = {
    allowSynchronousEvents: true,
    autoPong: true,
    maxPayload: WS_MAX_PAYLOAD,
    maxFragments: WS_MAX_FRAGMENTS,
    skipUTF8Validation: false,
    perMessageDeflate: false,
    clientTracking: true,
    closeTimeout: WS_CLOSE_TIMEOUT,
    noServer: false,
    ...given,
  };
  const { port, server, noServer } = merged as { port?: unknown; server?: unknown; noServer?: boolean };
  // ws: exactly one way to receive connections.
  if ((port == null && !server && !noServer) || (port != null && (server || noServer)) || (server && noServer)) {
    throw new TypeError('One and only one of the "port", "server", or "noServer" options must be specified');
  }
  return merged;
}

/** ws's maxPayload: 0 (or less) means no limit. */
export function maxLengthOf(maxPayload: number): number {
  return maxPayload > 0 ? maxPayload : Number.MAX_SAFE_INTEGER;
}

/** The close codes ws lets `close()` send (RFC 6455 section 7.4.1 and 7.4.2). */
export function isValidStatusCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

export const READY_STATES = ["CONNECTING", "OPEN", "CLOSING", "CLOSED"] as const;

/** ws's message for a send, ping or pong on a socket that is not open. */
export function notOpenMessage(readyState: number): string {
  return `WebSocket is not open: readyState ${readyState} (${READY_STATES[readyState]})`;
}

/**
 * The headers a redirect may carry on (ws's rule): to another host, or from
 * wss: down to ws:, Authorization and Cookie are dropped, and Host too when
 * the host changed. `original` is what the first request was made to.
 */
export function redirectHeaders(
  headers: Record<string, string>,
  original: { host: string; secure: boolean },
  next: { host: string; secure: boolean },
): Record<string, string> {
  const sameHost = original.host === next.host;
  if (sameHost && !(original.secure && !next.secure)) return headers;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === "authorization" || lower === "cookie") continue;
    if (!sameHost && lower === "host") continue;
    out[name] = value;
  }
  return out;
}
