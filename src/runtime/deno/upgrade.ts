/**
 * Deno.serve integration: our WebSocket API on Deno's own server socket.
 *
 *   Deno.serve((request) => {
 *     if (!isWebSocketRequest(request)) return new Response("hello");
 *     const { socket, response } = upgrade(request, { protocols: ["chat"] });
 *     socket.onmessage = (event) => socket.send(event.data);
 *     return response;
 *   });
 *
 *   request --upgrade()--> Deno.upgradeWebSocket(request, { protocol, idleTimeout })
 *                            |-- response (101, plus our headers) -> returned by the handler
 *                            '-- Deno's WebSocket --events--> HostedWebSocket (our API)
 *
 * Deno.serve never hands over the TCP connection, so Deno runs the protocol.
 * Honoured: `protocols` (chosen here, then passed as `protocol`), `headers`,
 * `ping` (seconds between pings: Deno's `idleTimeout` is twice that, and
 * Deno closes the connection when a pong is that late; absent means no pings),
 * `binaryType`, `message` (a direct handler instead of message events),
 * `idleTimeout` (seconds: Deno's own) and `heartbeat` ({ interval,
 * timeout } in ms, as Deno's idleTimeout rounded up to whole seconds: interval
 * + timeout; Deno pings after half of it and drops the peer at its end, and
 * we report that close as 1006 with WS_ERR_HEARTBEAT_TIMEOUT, where Deno's
 * own event says 1001). Refused with a TypeError: `extensions`, `maxLength` and
 * `closeTimeout` (Deno has no such settings). Deno never reports pongs, so
 * `socket.ping()` and `socket.pong()` throw a TypeError; the standalone
 * `listen()` runs our own engine and has all of them.
 */
import { hasToken, splitList } from "../../core/http/tokens.ts";
import { selectProtocol, isReservedResponseHeader } from "../../core/websocket/handshake/server.ts";
import type { BinaryType } from "../../web/websocket/binary.ts";
import { createHostedWebSocket, type HostedWebSocket, refuseUnsupportedOptions, type HostSocket } from "../../web/websocket/hosted-websocket.ts";
import type { ProtocolChooser } from "../../web/server/accept.ts";
import { deno } from "./deno-types.ts";
import { webSocketUrlOf } from "../../web/server/request-url.ts";
import { WebSocketError } from "../../core/shared/errors.ts";
import { heartbeatSettings, idleHeartbeat, type HeartbeatOptions } from "../../web/websocket/heartbeat.ts";

/** Options of `upgrade()` on Deno.serve: the ones Deno.upgradeWebSocket can honour. */
export interface DenoUpgradeOptions {
  /** Subprotocols the server speaks (first one the client offers wins), or a function that picks one. */
  protocols?: ProtocolChooser;
  /** Extra headers for the 101 response. */
  headers?: Record<string, string>;
  /** Seconds between pings (Deno's idleTimeout is twice that; a pong that late closes the connection). Absent or 0: no pings. */
  ping?: number;
  /** Initial binaryType of the socket. */
  binaryType?: BinaryType;
  /** Seconds of silence before Deno drops the peer (Deno's idleTimeout: a ping after half of it). Wins over `ping`. */
  idleTimeout?: number;
  /**
   * { interval, timeout } in ms, run by Deno as its idleTimeout of
   * ceil((interval + timeout) / 1000) seconds (whole seconds only). Wins over both.
   */
  heartbeat?: HeartbeatOptions;
  /**
   * A direct handler: each message goes to `message(socket, data)` (`data`
   * a string, or the bytes as binaryType makes them) instead of a
   * MessageEvent; the socket's `message` listeners and `onmessage` are not
   * called. As in Bun.serve's integration (createBunHandler).
   */
  message?: (socket: HostedWebSocket, data: string | Uint8Array | ArrayBuffer | Blob) => void;
}

const SUPPORTED = ["protocols", "headers", "ping", "binaryType", "idleTimeout", "heartbeat", "message"] as const;

/** What Deno's error event says when its idleTimeout dropped a peer (Deno 2.x). */
const DENO_IDLE_MESSAGE = "No response from ping frame.";

/** Deno's idleTimeout (seconds) for our options: heartbeat, else idleTimeout, else ping * 2, else 0 (none). */
function denoIdleTimeout(options: DenoUpgradeOptions): number {
  if (options.heartbeat !== undefined) {
    const settings = heartbeatSettings(options.heartbeat, undefined)!;
    return Math.max(1, Math.ceil((settings.interval + settings.timeout!) / 1000));
  }
  if (options.idleTimeout !== undefined && options.idleTimeout !== 0) {
    idleHeartbeat(options.idleTimeout); // checks it
    return Math.max(1, Math.ceil(options.idleTimeout));
  }
  // Deno pings every idleTimeout / 2 seconds and closes when a pong is that late.
  return options.ping && options.ping > 0 ? options.ping * 2 : 0;
}
const WHY: Record<string, string> = {
  extensions: "Deno.upgradeWebSocket negotiates no extensions of ours (use listen() from this entry)",
  perMessageDeflate: "Deno.upgradeWebSocket does not compress (use listen() from this entry)",
  maxLength: "Deno.upgradeWebSocket has no message size limit (use listen() from this entry)",
  closeTimeout: "Deno.upgradeWebSocket has no close timeout setting",
};

/** True for a GET asking to be upgraded to a WebSocket (RFC 6455 section 4.2.1). */
export function isWebSocketRequest(request: Request): boolean {
  return request.method === "GET" &&
    hasToken(request.headers.get("upgrade") ?? undefined, "websocket") &&
    hasToken(request.headers.get("connection") ?? undefined, "upgrade");
}

/**
 * Upgrades a request from Deno.serve: returns our socket (CONNECTING until
 * the handler returns `response`) and the response to return. Throws a
 * TypeError for options Deno cannot honour, and Deno's TypeError for a
 * request that is not a WebSocket handshake.
 */
export function upgrade(request: Request, options: DenoUpgradeOptions = {}): { socket: HostedWebSocket; response: Response } {
  refuseUnsupportedOptions(options, SUPPORTED, "Deno.upgradeWebSocket", WHY);
  const extra = Object.entries(options.headers ?? {});
  for (const [name] of extra) {
    if (isReservedResponseHeader(name)) throw new TypeError(`The ${name} header is set by the handshake`);
  }
  const offered = splitList(request.headers.get("sec-websocket-protocol") ?? undefined);
  const protocol = options.protocols ? selectProtocol(offered, options.protocols) ?? "" : "";
  // Read the request before Deno takes it over (its headers go with it).
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => { headers[name] = value; });
  const idleTimeout = denoIdleTimeout(options);
  const native = deno().upgradeWebSocket(request, {
    ...(protocol ? { protocol } : {}),
    idleTimeout,
  });
  const { response } = native;
  for (const [name, value] of extra) response.headers.set(name, value);
  const { socket, events } = createHostedWebSocket({
    url: webSocketUrlOf(request.url),
    protocol,
    extensions: "",
    headers,
    hostName: "Deno.upgradeWebSocket",
    pings: false,
    binaryType: options.binaryType,
    message: options.message,
  });

  const ws = native.socket;
  ws.binaryType = "arraybuffer";
  const host: HostSocket = {
    sendText: (data) => ws.send(data),
    sendBinary: (data) => ws.send(data as Uint8Array<ArrayBuffer>),
    close: (code, reason) => (code === undefined ? ws.close() : ws.close(code, reason)),
    // Deno cannot drop the TCP connection of a served socket: it starts the
    // closing handshake, and our socket reports 1006 at once.
    terminate: () => {
      try {
        ws.close();
      } catch {
        // already closing
      }
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
  };
  let failure: unknown;
  ws.onopen = () => events.opened(host);
  ws.onmessage = (event: MessageEvent) => {
    const data = event.data as string | ArrayBuffer;
    events.message(typeof data === "string" ? data : new Uint8Array(data));
  };
  ws.onerror = (event: Event) => {
    const e = event as Event & { error?: unknown; message?: string };
    failure = e.error ?? new Error(e.message || "WebSocket connection failed");
  };
  ws.onclose = (event: CloseEvent) => {
    // Deno's idleTimeout fired: Deno says 1001; the peer never answered, so
    // this is the heartbeat timeout of every other server form: 1006.
    if (idleTimeout > 0 && !event.wasClean && (failure as Error | undefined)?.message === DENO_IDLE_MESSAGE) {
      const error = new WebSocketError("WS_ERR_HEARTBEAT_TIMEOUT", `No pong within Deno's idleTimeout (${idleTimeout} s): the peer is unresponsive`);
      return events.closed(1006, "", false, error);
    }
    events.closed(event.code, event.reason, event.wasClean, failure);
  };
  return { socket, response };
}
