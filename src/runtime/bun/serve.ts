/**
 * Bun.serve integration: our WebSocket API on each of Bun's server sockets.
 *
 *   const { upgrade, websocket } = createBunHandler({
 *     protocols: ["chat"],
 *     open(ws, request) { ws.onmessage = (event) => ws.send(event.data); },
 *   });
 *   Bun.serve({
 *     fetch(req, server) {
 *       if (upgrade(req, server)) return;      // our socket, or null
 *       return new Response("hello");
 *     },
 *     websocket,
 *   });
 *
 *   upgrade(req, server) --server.upgrade(req, { headers, data: record })--> Bun
 *   Bun --open/message/ping/pong/drain/close(ws)--> websocket --ws.data--> HostedWebSocket
 *
 * The app gets each socket three ways, pick one: the value `upgrade()`
 * returns (CONNECTING; add listeners, "open" follows), an `open(ws,
 * request)` in the options of one upgrade() call, or an `open` in the
 * options of createBunHandler() for every socket. `open` runs once the
 * socket is open (right after its "open" event), so it may send at once.
 * The module also exports a ready `upgrade` and `websocket` with defaults.
 *
 * Bun runs the protocol. Honoured: `protocols` (chosen here; none chosen
 * means no Sec-WebSocket-Protocol, not Bun's default of the client's
 * first), `headers`, `binaryType`, `open` per upgrade; per server (Bun
 * applies these to all sockets of a `websocket` object, so only
 * createBunHandler takes them): `maxLength` as Bun's `maxPayloadLength`
 * (larger messages close with 1009; Bun reports 1006 on the server side)
 * and `ping` as Bun's `idleTimeout` + `sendPings` (absent: no pings, no
 * idle timeout). Refused with a TypeError: `extensions` and
 * `closeTimeout`. ping()/pong() work, with callbacks on the pong.
 *
 * Backpressure: Bun's send() answers n (bytes sent), -1 (queued in Bun) or
 * 0 (dropped, past the backpressureLimit, set here to Bun's 16 MiB default;
 * an empty message Bun sent also answers 0, told apart by that limit).
 * Dropped messages wait here, in order, and go out on "drain";
 * `bufferedAmount` = Bun's getBufferedAmount() + what waits here, so
 * nothing is lost and the WHATWG bufferedAmount keeps growing.
 */
import { hasToken, splitList } from "../../core/http/tokens.ts";
import { selectProtocol, isReservedResponseHeader } from "../../core/websocket/handshake/server.ts";
import { DEFAULT_MAX_LENGTH } from "../../core/websocket/protocol.ts";
import type { BinaryType } from "../../web/websocket/binary.ts";
import { createHostedWebSocket, HostedWebSocket, refuseUnsupportedOptions, type HostEvents, type HostSocket } from "../../web/websocket/hosted-websocket.ts";
import type { NativeTopics } from "../../web/websocket/host-driver.ts";
import type { ProtocolChooser } from "../../web/server/accept.ts";
import type { BunServer, BunServerWebSocket, BunWebSocketHandler } from "./bun-types.ts";
import { webSocketUrlOf } from "../../web/server/request-url.ts";
import { heartbeatSettings, idleHeartbeat, type HeartbeatOptions } from "../../web/websocket/heartbeat.ts";

/** Options of one `upgrade()` call on Bun.serve (they override the handler's defaults). */
export interface BunUpgradeOptions {
  /** Subprotocols the server speaks (first one the client offers wins), or a function that picks one. */
  protocols?: ProtocolChooser;
  /** Extra headers for the 101 response. */
  headers?: Record<string, string>;
  /** Initial binaryType of the socket. */
  binaryType?: BinaryType;
  /** Runs once the socket is open (after its "open" event). */
  open?: (socket: HostedWebSocket, request: Request) => void;
  /**
   * The direct handler, the fastest way to take messages on Bun.serve:
   * each message goes to `message(socket, data)` (`data` a string, or the
   * bytes as binaryType makes them) instead of a MessageEvent, which costs
   * Bun more than the rest of the path. The socket is the same WebSocket
   * (send, close, pause, the other events); its `message` listeners and
   * `onmessage` are not called.
   */
  message?: (socket: HostedWebSocket, data: string | Uint8Array | ArrayBuffer | Blob) => void;
  /**
   * { interval, timeout } in ms, run by our driver with Bun's ping() and the
   * pongs Bun reports (Bun's own idleTimeout is whole seconds, per handler):
   * a silent peer is dropped with 1006 and WS_ERR_HEARTBEAT_TIMEOUT.
   */
  heartbeat?: HeartbeatOptions;
}

/** Options of `createBunHandler()`: defaults for each upgrade, and the settings Bun applies to every socket of one `websocket` handler. */
export interface BunHandlerOptions extends BunUpgradeOptions {
  /** Largest message accepted, in bytes (default 2^26 - 1): Bun's maxPayloadLength. */
  maxLength?: number;
  /** Seconds of silence before Bun pings and closes an unresponsive peer: Bun's idleTimeout + sendPings. Absent or 0: neither. */
  ping?: number;
  /**
   * Seconds of silence before Bun drops the peer: Bun's own idleTimeout +
   * sendPings (Bun reports that close as 1006, with no error code of ours).
   * Wins over `ping`.
   */
  idleTimeout?: number;
}

/** What `createBunHandler()` returns: an `upgrade` for the fetch handler and the `websocket` for Bun.serve. */
export interface BunHandler {
  /** Upgrades `request`; returns our socket (CONNECTING), or null when Bun refused (not a WebSocket handshake). */
  upgrade(request: Request, server: BunServer, options?: BunUpgradeOptions): HostedWebSocket | null;
  /** Pass as Bun.serve's `websocket`; the `data` of Bun's sockets is ours. */
  websocket: BunWebSocketHandler;
}

/** What travels in Bun's `ws.data` from upgrade() to the handlers. */
interface Connection {
  socket: HostedWebSocket;
  events: HostEvents;
  request: Request | null;
  open: BunUpgradeOptions["open"];
  host: BunHost | null;
  /** The Bun.serve server that upgraded it (null when adopted from Bun's own upgrade()): native topics need it. */
  server: BunServer | null;
}

const UPGRADE_OPTIONS = ["protocols", "headers", "binaryType", "open", "message", "heartbeat"] as const;
const HANDLER_OPTIONS = [...UPGRADE_OPTIONS, "maxLength", "ping", "idleTimeout"] as const;
const WHY: Record<string, string> = {
  extensions: "Bun.serve negotiates no extensions of ours (Bun's own perMessageDeflate is a Bun.serve setting)",
  perMessageDeflate: "ours cannot run inside Bun.serve; Bun's own is the perMessageDeflate of Bun.serve's websocket object",
  closeTimeout: "Bun has no close timeout setting",
  maxLength: "Bun applies it to a whole websocket handler: pass it to createBunHandler()",
  ping: "Bun applies it to a whole websocket handler: pass it to createBunHandler()",
  idleTimeout: "Bun applies it to a whole websocket handler: pass it to createBunHandler()",
};

/** Bun's default backpressureLimit, set explicitly so we know when send() drops. */
const BACKPRESSURE_LIMIT = 16 * 1024 * 1024;

/** A plain Uint8Array (Bun may hand over a Buffer): web types past the shim. */
function view(data: Uint8Array): Uint8Array {
  return data.constructor === Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function byteLength(data: string | Uint8Array): number {
  return typeof data === "string" ? new TextEncoder().encode(data).length : data.length;
}

/** Bun's ServerWebSocket as our HostSocket, with a queue for what Bun drops under backpressure. */
class BunHost implements HostSocket {
  readonly #ws: BunServerWebSocket<Connection>;
  #queue: Array<string | Uint8Array> = [];
  #queuedBytes = 0;

  /** Bun's native topics, when the server is known (upgraded through our upgrade()). */
  readonly topics: NativeTopics | undefined;

  constructor(ws: BunServerWebSocket<Connection>) {
    this.#ws = ws;
    const server = ws.data.server;
    this.topics = server && typeof server.publish === "function" && typeof ws.subscribe === "function" ? nativeTopics(ws, server) : undefined;
  }

  get bufferedAmount(): number {
    return this.#ws.getBufferedAmount() + this.#queuedBytes;
  }

  sendText(data: string): number | undefined {
    return this.#send(data);
  }

  sendBinary(data: Uint8Array): void {
    this.#send(data);
  }

  close(code: number | undefined, reason: string): void {
    if (code === undefined) this.#ws.close();
    else this.#ws.close(code, reason);
  }

  terminate(): void {
    this.#ws.terminate();
  }

  ping(data: Uint8Array): void {
    this.#ws.ping(data);
  }

  pong(data: Uint8Array): void {
    this.#ws.pong(data);
  }

  /** Bun's "drain": send what waits here, in order, until Bun pushes back again. */
  flush(): void {
    const queue = this.#queue;
    while (queue.length > 0) {
      const data = queue[0]!;
      const sent = this.#sendNative(data);
      if (sent === 0) {
        if (this.#ws.readyState !== 1) this.#drop();
        return;
      }
      queue.shift();
      this.#queuedBytes -= byteLength(data);
      if (sent === -1) return; // queued in Bun: wait for the next drain
    }
  }

  /** Sends or queues `data`; returns its size in bytes when Bun reports it (sent at once), else undefined. */
  #send(data: string | Uint8Array): number | undefined {
    if (this.#queue.length === 0) {
      const sent = this.#sendNative(data);
      // n > 0: sent, n bytes of payload (an empty message answers 1 here: not a size).
      if (sent > 0) return data.length === 0 ? undefined : sent;
      // 0: dropped. While open that is Bun's backpressure limit; keep it for "drain".
      if (sent !== 0 || this.#ws.readyState !== 1) return undefined;
    }
    this.#queue.push(data);
    this.#queuedBytes += byteLength(data);
    return undefined;
  }

  /** Bun's send(), except that an empty message Bun took answers 1, not 0 (its payload size). */
  #sendNative(data: string | Uint8Array): number {
    const ws = this.#ws;
    const sent = typeof data === "string" ? ws.sendText(data) : ws.sendBinary(data);
    if (sent === 0 && data.length === 0 && ws.readyState === 1 && ws.getBufferedAmount() < BACKPRESSURE_LIMIT) return 1;
    return sent;
  }

  #drop(): void {
    this.#queue = [];
    this.#queuedBytes = 0;
  }
}

/**
 * Bun's topics for the hub: Bun frames a native publish once and writes it
 * to every subscribed socket of the server, in C++. Under backpressure past
 * Bun's limit, where BunHost holds messages back for "drain", a native
 * publish reaches the socket before the messages held here.
 */
function nativeTopics(ws: BunServerWebSocket<Connection>, server: BunServer): NativeTopics {
  return {
    group: server,
    subscribe: (topic) => ws.subscribe!(topic),
    unsubscribe: (topic) => ws.unsubscribe!(topic),
    isSubscribed: (topic) => ws.isSubscribed!(topic),
    publishToAll: (topic, data, compress) => void server.publish!(topic, data, compress),
    publishToOthers: (topic, data, compress) => void ws.publish!(topic, data, compress),
  };
}

/** True for a GET asking to be upgraded to a WebSocket (RFC 6455 section 4.2.1). */
export function isWebSocketRequest(request: Request): boolean {
  return request.method === "GET" &&
    hasToken(request.headers.get("upgrade") ?? undefined, "websocket") &&
    hasToken(request.headers.get("connection") ?? undefined, "upgrade");
}

function connectionFor(ws: BunServerWebSocket<Connection>, defaults: BunHandlerOptions): Connection {
  const data = ws.data as Connection | undefined;
  if (data && data.socket instanceof HostedWebSocket) return data;
  // Upgraded with Bun's own server.upgrade(): adopt it with what we know.
  const { socket, events } = createHostedWebSocket({
    url: "ws://localhost/",
    protocol: "",
    extensions: "",
    headers: {},
    hostName: "Bun.serve",
    pings: true,
    binaryType: defaults.binaryType,
    heartbeat: defaults.heartbeat,
    message: defaults.message,
  });
  const connection: Connection = { socket, events, request: null, open: undefined, host: null, server: null };
  ws.data = connection;
  return connection;
}

/** An upgrade() and a Bun.serve `websocket` handler sharing `defaults`. */
export function createBunHandler(defaults: BunHandlerOptions = {}): BunHandler {
  refuseUnsupportedOptions(defaults, HANDLER_OPTIONS, "Bun.serve", WHY);
  if (defaults.idleTimeout !== undefined) idleHeartbeat(defaults.idleTimeout); // checks it
  if (defaults.heartbeat !== undefined) heartbeatSettings(defaults.heartbeat, undefined);
  // Bun's idleTimeout is whole seconds (it closes a connection that read nothing for that long; sendPings pings first).
  const ping = defaults.idleTimeout ? Math.max(1, Math.ceil(defaults.idleTimeout)) : defaults.ping && defaults.ping > 0 ? defaults.ping : 0;

  const websocket: BunWebSocketHandler<Connection> = {
    maxPayloadLength: defaults.maxLength ?? DEFAULT_MAX_LENGTH,
    idleTimeout: ping,
    sendPings: ping > 0,
    backpressureLimit: BACKPRESSURE_LIMIT,
    closeOnBackpressureLimit: false,
    open(ws) {
      const connection = connectionFor(ws, defaults);
      ws.binaryType = "uint8array";
      const host = new BunHost(ws);
      connection.host = host;
      // `open` runs right after the socket's "open" event, which follows in a
      // microtask (Bun calls this handler inside server.upgrade()).
      const open = connection.open ?? defaults.open;
      if (open) {
        const socket = connection.socket;
        socket.addEventListener("open", () => {
          if (socket.readyState === HostedWebSocket.OPEN) open(socket, connection.request ?? new Request("http://localhost/"));
        }, { once: true });
      }
      connection.events.opened(host);
    },
    message(ws, message) {
      ws.data.events.message(typeof message === "string" ? message : view(message));
    },
    drain(ws) {
      ws.data.host?.flush();
    },
    ping(ws, data) {
      ws.data.events.ping(view(data));
    },
    pong(ws, data) {
      ws.data.events.pong(view(data));
    },
    close(ws, code, reason) {
      // 1006: the connection ended without a Close frame (RFC 6455 section 7.1.5).
      ws.data.events.closed(code, reason, code !== 1006);
    },
  };

  function upgrade(request: Request, server: BunServer, options: BunUpgradeOptions = {}): HostedWebSocket | null {
    refuseUnsupportedOptions(options, UPGRADE_OPTIONS, "Bun.serve's upgrade()", WHY);
    if (!isWebSocketRequest(request)) return null;
    const merged = { ...defaults, ...options };
    const offered = splitList(request.headers.get("sec-websocket-protocol") ?? undefined);
    const protocol = merged.protocols ? selectProtocol(offered, merged.protocols) ?? "" : "";
    const response: Record<string, string> = {};
    for (const [name, value] of Object.entries(merged.headers ?? {})) {
      if (isReservedResponseHeader(name)) throw new TypeError(`The ${name} header is set by the handshake`);
      response[name] = value;
    }
    // An empty value makes Bun send none (left out, Bun echoes the client's first).
    response["Sec-WebSocket-Protocol"] = protocol;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => { headers[name] = value; });
    const { socket, events } = createHostedWebSocket({
      url: webSocketUrlOf(request.url),
      protocol,
      extensions: "",
      headers,
      hostName: "Bun.serve",
      pings: true,
      binaryType: merged.binaryType,
      heartbeat: merged.heartbeat,
      message: merged.message,
    });
    const connection: Connection = { socket, events, request, open: options.open, host: null, server };
    return server.upgrade(request, { headers: response, data: connection }) ? socket : null;
  }

  return { upgrade, websocket };
}

const standard = createBunHandler();

/** upgrade() of a handler with default options; use with the `websocket` below. */
export const upgrade: BunHandler["upgrade"] = standard.upgrade;
/** A ready Bun.serve `websocket` handler (default options) for `upgrade`. */
export const websocket: BunHandler["websocket"] = standard.websocket;
