/**
 * The client's opening handshake over any runtime's ByteSocket.
 *
 *   dial (runtime connect, or a CONNECT tunnel: client/proxy-tunnel.ts) -> write request head -> read response head
 *        -> validate (status 101, accept key, protocol, extensions)
 *        -> { socket (paused), leftover bytes, protocol, extensions }
 *
 * A rejected handshake rejects with an error that carries the response's
 * statusCode and headers, which the WebSocket exposes like faye does.
 */
import { WebSocketError } from "../../core/shared/errors.ts";
import type { ActiveExtension, Extension } from "../../core/websocket/extensions/extension.ts";
import { createClientRequest, validateServerResponse } from "../../core/websocket/handshake/client.ts";
import { headersRecord } from "../../core/http/connect.ts";
import { HttpHeadParser } from "../../core/http/head-parser.ts";
import { encodeLatin1 } from "../../core/http/serializer.ts";
import { DEFAULT_MAX_LENGTH } from "../../core/websocket/protocol.ts";
import { clientExtensions } from "./extension-options.ts";
import { dial } from "./proxy-tunnel.ts";
import type { ByteSocket, ByteSocketHandler, Connector } from "../transport/byte-socket.ts";
import { targetOf, type WebSocketUrl } from "../websocket/url.ts";
import type { WebSocketOptions } from "../websocket/websocket.ts";
import { closeSessions } from "../../core/websocket/extensions/close-sessions.ts";
import { startTimer } from "../websocket/timers.ts";

/** The client's handshakeTimeout when none is given: 30 s, from dialing to the 101 (a proxy's CONNECT included). */
export const DEFAULT_HANDSHAKE_TIMEOUT = 30_000;

export interface ClientResult {
  socket: ByteSocket;
  leftover: Uint8Array;
  protocol: string;
  extensionsHeader: string;
  extensions: ActiveExtension[];
  statusCode: number;
  headers: Record<string, string>;
}

/** How the ws face connects: its own connector (ws's createConnection / agent). */
export interface ClientTransportOptions {
  connector?: Connector;
}

/** Error for a refused or broken handshake, with what the server answered. */
export class HandshakeError extends WebSocketError {
  constructor(message: string, readonly statusCode?: number, readonly headers?: Record<string, string>) {
    super("WS_ERR_HANDSHAKE", message);
  }
}

export { headersRecord };

/** Resolves with `pending`, unless `signal` aborts first; a socket that opens too late is destroyed. */
function unlessAborted(pending: Promise<ByteSocket>, signal: AbortSignal | undefined): Promise<ByteSocket> {
  if (!signal) return pending;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(aborted());
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    pending.then((socket) => {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) socket.destroy();
      else resolve(socket);
    }, (err: unknown) => {
      signal.removeEventListener("abort", onAbort);
      reject(err);
    });
  });
}

function aborted(): HandshakeError {
  return new HandshakeError("WebSocket was closed before the connection was established");
}

/**
 * Connects and runs the handshake within `options.handshakeTimeout` ms
 * (default 30000; 0 for none): dialing, a proxy's CONNECT answer and the
 * server's response all count. Past it the promise rejects with
 * WS_ERR_HANDSHAKE_TIMEOUT and the socket is dropped. `signal` aborts it (WHATWG close() while
 * CONNECTING: "fail the WebSocket connection"); the promise then rejects.
 * `extensions` are offered (default: from `options.extensions` and
 * `options.perMessageDeflate`, see extension-options.ts).
 * `acceptNoProtocol`: a response naming no subprotocol is accepted even
 * when some were asked for (faye-websocket's client does; WHATWG fails it).
 */
export async function openClient(
  url: WebSocketUrl,
  protocols: string[],
  options: WebSocketOptions,
  signal?: AbortSignal,
  extensions: Extension[] = clientExtensions(options),
  acceptNoProtocol = false,
  how: ClientTransportOptions = {},
): Promise<ClientResult> {
  const ms = handshakeTimeoutOf(options.handshakeTimeout);
  if (ms === 0) return handshake(url, protocols, options, signal, extensions, acceptNoProtocol, how);
  // One signal for both reasons to stop: the caller's abort and the deadline.
  const controller = new AbortController();
  let timedOut = false;
  const timer = startTimer(() => {
    timedOut = true;
    controller.abort();
  }, ms);
  const onAbort = () => controller.abort();
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await handshake(url, protocols, options, controller.signal, extensions, acceptNoProtocol, how);
  } catch (err) {
    if (timedOut) throw new WebSocketError("WS_ERR_HANDSHAKE_TIMEOUT", `Opening handshake has timed out (no complete answer within ${ms} ms)`);
    throw err;
  } finally {
    timer.clear();
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Checks a handshakeTimeout: milliseconds, 0 for none, absent for the 30 s default. */
export function handshakeTimeoutOf(value: unknown): number {
  if (value === undefined) return DEFAULT_HANDSHAKE_TIMEOUT;
  if (typeof value !== "number" || !(value >= 0) || value > 0x7fffffff) {
    throw new TypeError(`handshakeTimeout must be a number of milliseconds (0 for none), got ${String(value)}`);
  }
  return value;
}

async function handshake(
  url: WebSocketUrl,
  protocols: string[],
  options: WebSocketOptions,
  signal: AbortSignal | undefined,
  extensions: Extension[],
  acceptNoProtocol: boolean,
  how: ClientTransportOptions,
): Promise<ClientResult> {
  const tls = options.ca !== undefined ? { ...options.tls, ca: options.ca } : options.tls;
  // One parse: the target dialed below is the one the request's Host names.
  const target = targetOf(url);
  const request = createClientRequest({
    url: target,
    protocols,
    origin: options.origin,
    headers: options.headers,
    extensions,
    extensionContext: { maxLength: options.maxLength ?? DEFAULT_MAX_LENGTH },
    random: options.random,
    // hybi-08 (Sec-WebSocket-Version: 8, Sec-WebSocket-Origin) when asked for; 13 otherwise.
    version: options.protocolVersion,
  });
  const socket = await unlessAborted(dial({
    host: target.hostname.startsWith("[") ? target.hostname.slice(1, -1) : target.hostname,
    port: target.port,
    secure: target.secure,
    tls,
    net: options.net,
    proxy: options.proxy,
  }, signal, how.connector), signal);
  return new Promise<ClientResult>((resolve, reject) => {
    const parser = new HttpHeadParser("response");
    let settled = false;
    const onAbort = () => fail(aborted());
    signal?.addEventListener("abort", onAbort, { once: true });
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      reject(err);
    };
    const handler: ByteSocketHandler = {
      onData(chunk) {
        if (settled) return;
        const result = parser.feed(chunk);
        if (result.status === "incomplete") return;
        if (result.status === "error") return fail(new HandshakeError(`Invalid handshake response: ${result.error.message}`));
        const head = result.head;
        const headers = headersRecord(head);
        const checked = validateServerResponse(head, request);
        if (checked instanceof WebSocketError) {
          return fail(new HandshakeError(checked.message, head.status, headers));
        }
        // WHATWG fetch, "establish a WebSocket connection": protocols were
        // asked for and the response names none -> fail the connection.
        if (protocols.length > 0 && !checked.protocol && !acceptNoProtocol) {
          closeSessions(checked.extensions);
          return fail(new HandshakeError("Server sent no subprotocol", head.status, headers));
        }
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        socket.pause();
        resolve({
          socket,
          leftover: result.rest,
          protocol: checked.protocol ?? "",
          extensionsHeader: checked.extensionsHeader ?? "",
          extensions: checked.extensions,
          statusCode: head.status,
          headers,
        });
      },
      onEnd() {
        fail(new HandshakeError("Connection closed before the handshake response"));
      },
      onClose(error) {
        fail(error ?? new HandshakeError("Connection closed before the handshake response"));
      },
      onDrain() {},
    };
    socket.attach(handler);
    socket.write([encodeLatin1(request.head)]);
  });
}
