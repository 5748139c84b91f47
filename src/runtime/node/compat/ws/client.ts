/**
 * The client side of ws's WebSocket: its URL and option rules, then the
 * opening handshake through openClient (src/web/client/connect.ts), the
 * same one the WHATWG class uses.
 *
 *   new WebSocket(url, protocols, options)
 *     -> checks (SyntaxError / TypeError / RangeError, thrown at once, as ws)
 *     -> openClient(url, ...) --101--> ws[kOpen]: emit upgrade(res), open
 *            |  3xx + followRedirects -> emit redirect(url, req), headers trimmed, again
 *            |  other status -> unexpected-response(req, res) if listened, else error
 *            |  handshakeTimeout -> error "Opening handshake has timed out"
 *            +--failure--> ws[kFail]: error, close 1006
 *
 * ws does its handshake with node:http; here it runs on the runtime's own
 * sockets (native on Deno and Bun), so `agent` and `createConnection` are
 * used only for the socket they make, and `finishRequest` gets a small
 * request object whose `end()` sends the handshake (docs/ws.md).
 */
import { Buffer } from "node:buffer";
import type { IncomingMessage } from "node:http";
import * as net from "node:net";
import * as tls from "node:tls";
import { redirectHeaders, withClientDefaults, maxLengthOf } from "../../../../web/compat/ws/options.ts";
import { HandshakeError, openClient, type ClientResult } from "../../../../web/client/connect.ts";
import { startTimer, type Timer } from "../../../../web/websocket/timers.ts";
import { clientExtensions } from "../../../../web/client/extension-options.ts";
import type { Connector } from "../../../../web/transport/byte-socket.ts";
import type { WebSocketUrl } from "../../../../web/websocket/url.ts";
import type { WebSocketOptions } from "../../../../web/websocket/websocket.ts";
import { nodeConnector } from "../../connect.ts";
import { NodeByteSocket } from "../../socket.ts";
import { socketSettings, type SocketSettings, type WebSocket } from "./websocket.ts";
import { kFail, kOpen, kUrl } from "./websocket.ts";
import { isToken } from "../../../../core/http/tokens.ts";

/** ws's client options (`@types/ws` ClientOptions), plus what it hands to node:http, net and tls. */
export interface ClientOptions extends tls.SecureContextOptions {
  /** A name ws hands to node:http; not used here (the URL's scheme decides). */
  protocol?: string | undefined;
  /** Follow 3xx responses to the handshake (default false). */
  followRedirects?: boolean | undefined;
  /** Fills each 4-byte frame mask (default: random bytes). */
  generateMask?(mask: Buffer): void;
  /** Milliseconds the opening handshake may take; past it, error "Opening handshake has timed out". */
  handshakeTimeout?: number | undefined;
  /** Most redirects followed (default 10); one more is the error "Maximum redirects exceeded". */
  maxRedirects?: number | undefined;
  /** permessage-deflate: offered by default (`true`); `false` turns it off; an object sets its parameters. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions | undefined;
  /** Local address to connect from (a net option). */
  localAddress?: string | undefined;
  /** 13 (RFC 6455, the default) or 8 (hybi-08); anything else is a RangeError. */
  protocolVersion?: number | undefined;
  /** Extra handshake request headers. */
  headers?: { [key: string]: string } | undefined;
  /** The Origin header (Sec-WebSocket-Origin with protocolVersion 8). */
  origin?: string | undefined;
  /** An http(s).Agent: its createConnection makes the socket; other agents (proxy agents) are not used. */
  agent?: unknown;
  /** A name ws hands to node:http; not used here (the URL's host decides, as in ws). */
  host?: string | undefined;
  /** IP family to resolve the host to, 4 or 6 (a net option). */
  family?: number | undefined;
  /** TLS: checks the server's certificate against `servername`; return an Error to refuse it. */
  checkServerIdentity?(servername: string, cert: unknown): boolean | Error | undefined;
  /** TLS: `false` accepts a certificate that does not verify. Default true. */
  rejectUnauthorized?: boolean | undefined;
  /** TLS: the SNI name (default: the URL's host, unless an IP address). */
  servername?: string | undefined;
  /** `true` (default) emits a chunk's events at once; `false` gives each event a turn of its own, as ws does. */
  allowSynchronousEvents?: boolean | undefined;
  /** Answer pings with pongs (default true). */
  autoPong?: boolean | undefined;
  /** Milliseconds to wait for the peer's Close frame before dropping the connection (default 30000). */
  closeTimeout?: number | undefined;
  /** Largest message accepted, in bytes (default 100 MiB; 0 for no limit); larger ones close with 1009. */
  maxPayload?: number | undefined;
  /** Accepted; the engine's own bound on buffered chunks applies. */
  maxBufferedChunks?: number | undefined;
  /** Most frames one message may take (default 16384; 0 for no limit); more close with 1008. */
  maxFragments?: number | undefined;
  /** `true` hands text on without checking it is UTF-8 (default false). */
  skipUTF8Validation?: boolean | undefined;
  /** Makes the socket the connection runs on (ws's createConnection). */
  createConnection?: ((options: object, callback?: () => void) => net.Socket) | undefined;
  /**
   * Gets the handshake request (a ClientRequestLike: `setHeader`,
   * `getHeader`, `removeHeader`, `headers`, `end()`), typed loosely so a
   * callback written for ws's `http.ClientRequest` type-checks too.
   */
  finishRequest?: ((request: any, websocket: WebSocket) => void) | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** `user:password` for Basic authentication (default: the URL's credentials). */
  auth?: string | undefined;
  /** A custom DNS lookup (a net option, on Node). */
  lookup?: unknown;
  /** Any other option ws hands to node:http, node:net or node:tls. */
  [option: string]: unknown;
}

/** ws's permessage-deflate options (RFC 7692). */
export interface PerMessageDeflateOptions {
  /** The server's compressor starts each message with an empty window. */
  serverNoContextTakeover?: boolean | undefined;
  /** The client's compressor starts each message with an empty window. */
  clientNoContextTakeover?: boolean | undefined;
  /** The server's LZ77 window, 8..15 bits. */
  serverMaxWindowBits?: number | undefined;
  /** The client's LZ77 window, 8..15 bits. */
  clientMaxWindowBits?: number | undefined;
  /** Passed to node:zlib's deflate (level, memLevel, ...). */
  zlibDeflateOptions?: object | undefined;
  /** Passed to node:zlib's inflate. */
  zlibInflateOptions?: object | undefined;
  /** Messages smaller than this many bytes go uncompressed (default 1024). */
  threshold?: number | undefined;
  /** Most compression jobs at once (default 10). */
  concurrencyLimit?: number | undefined;
}

/** What `redirect` and `unexpected-response` listeners get for ws's ClientRequest. */
export interface ClientRequestLike {
  /** Always GET. */
  readonly method: "GET";
  /** The request target: path and query. */
  readonly path: string;
  /** The server's host name ("localhost" for ws+unix:). */
  readonly host: string;
  /** Request headers of the next attempt; a `redirect` listener may change them. */
  headers: Record<string, string>;
  /** A request header, by case-insensitive name. */
  getHeader(name: string): string | undefined;
  /** Sets a request header of the next attempt. */
  setHeader(name: string, value: string): void;
  /** Removes a request header of the next attempt. */
  removeHeader(name: string): void;
  /** Ends the attempt (ws: `req.destroy()` / `req.abort()` in an `unexpected-response` listener). */
  destroy(): void;
  /** The same as destroy(). */
  abort(): void;
  /** Sends the handshake request (ws's `finishRequest` calls it when done with the headers). */
  end(): void;
}

/** TLS option names passed to the runtime's secure connect. */
const TLS_KEYS = new Set([
  "ALPNProtocols", "ca", "cert", "checkServerIdentity", "ciphers", "crl", "dhparam", "ecdhCurve", "honorCipherOrder", "key",
  "maxVersion", "minDHSize", "minVersion", "passphrase", "pfx", "privateKeyEngine", "privateKeyIdentifier",
  "rejectUnauthorized", "secureContext", "secureOptions", "secureProtocol", "servername", "session", "sessionIdContext",
  "sigalgs", "ticketKeys", "enableTrace", "requestOCSP", "pskCallback", "clientCertEngine", "sessionTimeout",
]);
/** TCP option names passed to the runtime's connect. */
const NET_KEYS = new Set(["localAddress", "localPort", "family", "lookup", "hints", "keepAlive", "keepAliveInitialDelay", "noDelay", "autoSelectFamily", "autoSelectFamilyAttemptTimeout"]);

interface Target {
  href: string;
  secure: boolean;
  ipc: boolean;
  /** host:port, or the socket path for ws+unix:. */
  hostKey: string;
  url: WebSocketUrl;
  socketPath?: string;
}

/** ws's URL rules: http(s) become ws(s); ws+unix:/socket:/path names a Unix socket. */
function parseTarget(address: string | URL): Target {
  let parsed: URL;
  if (address instanceof URL) parsed = new URL(address.href);
  else {
    try {
      parsed = new URL(address);
    } catch {
      throw new SyntaxError(`Invalid URL: ${address}`);
    }
  }
  if (parsed.protocol === "http:") parsed.protocol = "ws:";
  else if (parsed.protocol === "https:") parsed.protocol = "wss:";
  const secure = parsed.protocol === "wss:";
  const ipc = parsed.protocol === "ws+unix:";
  if (parsed.protocol !== "ws:" && !secure && !ipc) {
    throw new SyntaxError('The URL\'s protocol must be one of "ws:", "wss:", "http:", "https:", or "ws+unix:"');
  }
  if (ipc && !parsed.pathname) throw new SyntaxError("The URL's pathname is empty");
  if (parsed.hash) throw new SyntaxError("The URL contains a fragment identifier");
  if (ipc) {
    // ws+unix:/path/to/socket:/request/path
    const full = parsed.pathname + parsed.search;
    const colon = full.indexOf(":");
    const socketPath = colon === -1 ? full : full.slice(0, colon);
    const resource = colon === -1 ? "/" : full.slice(colon + 1) || "/";
    const href = `ws://localhost${resource.startsWith("/") ? resource : "/" + resource}`;
    return {
      href: parsed.href,
      secure: false,
      ipc,
      hostKey: socketPath,
      socketPath,
      url: { href, origin: "ws://localhost", secure: false, host: "localhost", port: 80, resource, hostHeader: "localhost" },
    };
  }
  const port = parsed.port ? Number(parsed.port) : secure ? 443 : 80;
  let host = parsed.hostname;
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return {
    href: parsed.href,
    secure,
    ipc,
    hostKey: parsed.host,
    url: {
      href: parsed.href,
      origin: parsed.origin,
      secure,
      host,
      port,
      resource: (parsed.pathname || "/") + parsed.search,
      hostHeader: parsed.host,
    },
  };
}

function checkProtocols(protocols: readonly string[]): void {
  const seen = new Set<string>();
  for (const p of protocols) {
    if (typeof p !== "string" || !isToken(p) || seen.has(p)) {
      throw new SyntaxError("An invalid or duplicated subprotocol was specified");
    }
    seen.add(p);
  }
}

/** A connector over ws's `createConnection` (or an agent's), wrapped as our ByteSocket. */
function socketConnector(create: (options: object) => net.Socket): Connector {
  return {
    startTls: nodeConnector.startTls,
    env: nodeConnector.env,
    connect(o) {
      return new Promise((resolve, reject) => {
        const socket = create({ host: o.host, port: o.port, servername: net.isIP(o.host) ? undefined : o.host, ...o.net, ...o.tls });
        const ready = socket instanceof tls.TLSSocket ? "secureConnect" : "connect";
        const done = (err?: Error) => {
          socket.removeListener("error", done);
          socket.removeListener(ready, onReady);
          if (err) {
            socket.destroy();
            reject(err);
          } else {
            resolve(new NodeByteSocket(socket));
          }
        };
        const onReady = () => done();
        if (!socket.connecting && !socket.pending) return done();
        socket.once(ready, onReady);
        socket.once("error", done);
      });
    },
  };
}

/** A minimal IncomingMessage for `upgrade` and `unexpected-response` (status and headers; no body). */
function responseOf(statusCode: number, headers: Record<string, string>): IncomingMessage {
  return { statusCode, statusMessage: "", headers, httpVersion: "1.1", rawHeaders: Object.entries(headers).flat() } as unknown as IncomingMessage;
}

export interface StartedClient {
  url: string;
  settings: SocketSettings;
  /** Fails the handshake with ws's message (close() or terminate() while CONNECTING). */
  abort: (reason: string) => void;
}

/** Starts the client's handshake for `ws`; throws at once on misuse, as ws does. */
export function connectClient(ws: WebSocket, address: string | URL, protocols: string[], given: ClientOptions | undefined): StartedClient {
  const options = withClientDefaults(given);
  if (options.protocolVersion !== 8 && options.protocolVersion !== 13) {
    throw new RangeError(`Unsupported protocol version: ${String(options.protocolVersion)} (supported versions: 8, 13)`);
  }
  checkProtocols(protocols);
  let target = parseTarget(address);
  const original = { host: target.hostKey, secure: target.secure, ipc: target.ipc };
  // ws lower-cases the header names of a client that follows redirects.
  let headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[options.followRedirects ? name.toLowerCase() : name] = String(value);
  const tlsOptions: Record<string, unknown> = {};
  const netOptions: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (TLS_KEYS.has(name)) tlsOptions[name] = value;
    else if (NET_KEYS.has(name)) netOptions[name] = value;
  }
  const create = typeof options.createConnection === "function"
    ? options.createConnection
    : typeof (options.agent as { createConnection?: unknown })?.createConnection === "function"
      ? (o: object) => (options.agent as { createConnection(o: object): net.Socket }).createConnection(o)
      : undefined;
  const custom = create ? socketConnector(create as (o: object) => net.Socket) : undefined;
  // ws+unix: node:net's Unix socket connect, which Deno and Bun ship too.
  const ipc = socketConnector((o) => {
    const { host: _h, port: _p, servername: _s, ...rest } = o as Record<string, unknown>;
    return net.connect(rest as unknown as net.IpcNetConnectOpts);
  });
  const generateMask = options.generateMask;
  const random = generateMask
    ? (bytes: Uint8Array) => {
      const mask = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i + 4 <= mask.length; i += 4) generateMask(mask.subarray(i, i + 4));
      return bytes;
    }
    : undefined;
  const extensions = clientExtensions({ perMessageDeflate: options.perMessageDeflate as never });
  const settings = socketSettings(options);

  let redirects = 0;
  let controller = new AbortController();
  let abortReason = "";
  let timer: Timer | undefined;
  let finished = false;
  let inFlight = false;
  const abort = (reason: string) => {
    if (finished) return;
    abortReason = reason;
    if (inFlight) controller.abort();
    else fail(new Error(reason));
  };

  const fail = (error: Error | null) => {
    if (finished) return;
    finished = true;
    timer?.clear();
    ws[kFail](error);
  };

  const attempt = () => {
    controller = new AbortController();
    timer?.clear();
    if (options.handshakeTimeout) timer = startTimer(() => abort("Opening handshake has timed out"), options.handshakeTimeout);
    const requestHeaders = { ...headers };
    const auth = options.auth ?? (!target.ipc ? userinfo(target.href) : undefined);
    if (auth && !Object.keys(requestHeaders).some((n) => n.toLowerCase() === "authorization")) {
      requestHeaders.authorization = "Basic " + Buffer.from(auth).toString("base64");
    }
    // ws: finishRequest(req, ws) may change the headers, then calls req.end().
    const finish = options.finishRequest;
    if (finish) {
      const request = requestLike(target, requestHeaders, () => abort("WebSocket was closed before the connection was established"));
      let sent = false;
      request.end = () => {
        if (sent || finished) return;
        sent = true;
        send(request.headers);
      };
      finish(request, ws);
      return;
    }
    send(requestHeaders);
  };

  const send = (requestHeaders: Record<string, string>) => {
    const url = target.url;
    const ourOptions: WebSocketOptions = {
      // ws's handshakeTimeout (none by default) spans redirects and finishRequest: it is timed above.
      handshakeTimeout: 0,
      headers: requestHeaders,
      origin: options.origin,
      perMessageDeflate: options.perMessageDeflate as never,
      maxLength: maxLengthOf(options.maxPayload),
      protocolVersion: options.protocolVersion as 8 | 13,
      tls: Object.keys(tlsOptions).length > 0 ? tlsOptions : undefined,
      net: target.socketPath !== undefined ? { ...netOptions, path: target.socketPath } : Object.keys(netOptions).length > 0 ? netOptions : undefined,
    };
    inFlight = true;
    openClient(url, protocols, ourOptions, controller.signal, extensions, false, {
      connector: target.ipc && !custom ? ipc : custom,
    }).then((result: ClientResult) => {
      inFlight = false;
      if (finished) {
        result.socket.destroy();
        return;
      }
      finished = true;
      timer?.clear();
      ws[kOpen](result, responseOf(result.statusCode, result.headers), random);
    }, (err: unknown) => {
      inFlight = false;
      if (finished) return;
      if (abortReason) return fail(new Error(abortReason));
      const error = err as HandshakeError;
      const status = error instanceof HandshakeError ? error.statusCode : undefined;
      if (status === undefined && error instanceof HandshakeError) return fail(hangUp(error));
      if (status === undefined || status === 101) return fail(error as Error);
      const responseHeaders = error.headers ?? {};
      const location = responseHeaders.location;
      if (location && options.followRedirects && status >= 300 && status < 400) {
        if (++redirects > options.maxRedirects) return fail(new Error("Maximum redirects exceeded"));
        let next: Target;
        try {
          next = parseTarget(new URL(location, target.href.replace(/^ws/, "http")));
        } catch (e) {
          return fail(e instanceof SyntaxError ? e : new SyntaxError(`Invalid URL: ${location}`));
        }
        const request = requestLike(next, { ...headers }, () => abort("Redirect was aborted"));
        ws[kUrl] = next.href;
        if (ws.listenerCount("redirect") > 0) {
          ws.emit("redirect", next.href, request);
          headers = request.headers;
        } else {
          // ws: credentials do not follow to another host or from wss: to ws:.
          const from = original.ipc ? { host: "\0ipc:" + original.host, secure: false } : original;
          const to = next.ipc ? { host: "\0ipc:" + next.hostKey, secure: false } : { host: next.hostKey, secure: next.secure };
          headers = redirectHeaders(headers, from, to);
        }
        target = next;
        if (abortReason) return fail(new Error(abortReason));
        return attempt();
      }
      const request = requestLike(target, requestHeaders, () => fail(null));
      if (ws.listenerCount("unexpected-response") > 0) {
        timer?.clear();
        ws.emit("unexpected-response", request, responseOf(status, responseHeaders));
        return;
      }
      fail(new Error(`Unexpected server response: ${status}`));
    });
  };
  attempt();
  return { url: target.href, settings, abort };
}

/** ws (node:http) reports a connection dropped before any response as "socket hang up", ECONNRESET. */
function hangUp(error: HandshakeError): Error {
  if (!/closed before the handshake response/.test(error.message)) return error;
  return Object.assign(new Error("socket hang up"), { code: "ECONNRESET", cause: error });
}

function userinfo(href: string): string | undefined {
  const url = new URL(href);
  if (!url.username && !url.password) return undefined;
  return `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
}

function requestLike(target: Target, headers: Record<string, string>, destroy: () => void): ClientRequestLike {
  const find = (name: string) => Object.keys(headers).find((n) => n.toLowerCase() === name.toLowerCase());
  return {
    method: "GET",
    path: target.url.resource,
    host: target.ipc ? "localhost" : target.url.host,
    headers,
    getHeader: (name) => {
      const key = find(name);
      return key === undefined ? undefined : headers[key];
    },
    setHeader: (name, value) => {
      const key = find(name);
      if (key !== undefined) delete headers[key];
      headers[name] = value;
    },
    removeHeader: (name) => {
      const key = find(name);
      if (key !== undefined) delete headers[key];
    },
    destroy,
    abort: destroy,
    end: () => undefined,
  };
}
