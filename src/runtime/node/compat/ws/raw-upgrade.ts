/**
 * WebSocketServer's `port` mode on a runtime's own listener (Deno.listen,
 * Bun.listen; src/web/server/raw-listener.ts): the request head is read by
 * omnisocket's parser, and the same handleUpgrade path as with node:http
 * runs on what it found.
 *
 *   ByteSocket --bytes--> HttpHeadParser (limits, timeout)
 *     -> not a WebSocket request: 426, as ws's own http server answers
 *     -> an http.IncomingMessage-shaped `req` (method, url, headers, rawHeaders,
 *        socket.remoteAddress ...) and a Duplex-shaped RawUpgradeSocket
 *     -> wss.handleUpgrade(req, socket, head, emit connection)
 */
import { Buffer } from "node:buffer";
import type { IncomingMessage } from "node:http";
import { HttpHeadParser, type HttpRequestHead } from "../../../../core/http/head-parser.ts";
import { encodeLatin1 } from "../../../../core/http/serializer.ts";
import { createErrorResponse } from "../../../../core/websocket/handshake/server.ts";
import type { RawConnection } from "../../../../web/server/raw-listener.ts";
import type { ByteSocket } from "../../../../web/transport/byte-socket.ts";
import { hasToken } from "../../../../core/http/tokens.ts";
import { startTimer } from "../../../../web/websocket/timers.ts";

/** Node's default: a request head must arrive within a minute. */
const HEADERS_TIMEOUT = 60_000;

/**
 * The few Duplex members handleUpgrade and its refusals use, over a
 * ByteSocket; completeUpgrade hands `byteSocket` to the engine directly.
 */
export class RawUpgradeSocket {
  readable = true;
  writable = true;
  writableFinished = false;
  readonly encrypted = false;
  constructor(readonly byteSocket: ByteSocket, readonly remoteAddress: string, readonly remotePort: number, readonly remoteFamily: string) {}

  write(data: string | Uint8Array): boolean {
    if (!this.writable) return false;
    return this.byteSocket.write([typeof data === "string" ? Buffer.from(data, "latin1") : data]);
  }

  /** Writes `data`, then closes once it is out (a refusal is the last thing said). */
  end(data?: string | Uint8Array): this {
    if (data !== undefined) this.write(data);
    this.writable = false;
    this.byteSocket.end();
    const drop = () => this.destroy();
    if (this.byteSocket.flushed) this.byteSocket.flushed(drop);
    else queueMicrotask(drop);
    return this;
  }

  destroy(): this {
    this.readable = false;
    this.writable = false;
    this.writableFinished = true;
    this.byteSocket.destroy();
    return this;
  }

  // Events: the ByteSocket reports nothing before the engine takes it over.
  on(): this { return this; }
  once(): this { return this; }
  removeListener(): this { return this; }
  off(): this { return this; }
  setTimeout(): this { return this; }
  setNoDelay(): this { return this; }
}

function requestOf(head: HttpRequestHead, connection: RawConnection): IncomingMessage {
  const headers: Record<string, string | string[]> = {};
  const rawHeaders: string[] = [];
  for (const [name, value] of head.headers.raw) {
    rawHeaders.push(name, value);
    const key = name.toLowerCase();
    const seen = headers[key];
    if (key === "set-cookie") headers[key] = [...((seen as string[] | undefined) ?? []), value];
    else headers[key] = seen === undefined ? value : `${seen as string}, ${value}`;
  }
  const socket = { remoteAddress: connection.remoteAddress, remotePort: connection.remotePort, remoteFamily: connection.remoteFamily, encrypted: false };
  return {
    method: head.method,
    url: head.target,
    httpVersion: head.version,
    httpVersionMajor: head.versionMajor,
    httpVersionMinor: head.versionMinor,
    headers,
    rawHeaders,
    socket,
    connection: socket,
    complete: true,
    aborted: false,
  } as unknown as IncomingMessage;
}

/** Reads one request head from `connection` and hands a WebSocket request to `upgrade`. */
export function serveRawConnection(
  connection: RawConnection,
  upgrade: (req: IncomingMessage, socket: RawUpgradeSocket, head: Buffer) => void,
): void {
  const { socket } = connection;
  const parser = new HttpHeadParser("request");
  let done = false;
  const timer = startTimer(() => {
    done = true;
    socket.destroy();
  }, HEADERS_TIMEOUT);
  const refuse = (status: number, body: string, headers?: Array<[string, string]>) => {
    const facade = new RawUpgradeSocket(socket, connection.remoteAddress, connection.remotePort, connection.remoteFamily);
    facade.end(encodeLatin1(createErrorResponse(status, body, headers)));
  };
  socket.attach({
    onData(chunk) {
      if (done) return;
      const result = parser.feed(chunk);
      if (result.status === "incomplete") return;
      done = true;
      timer.clear();
      if (result.status === "error") return refuse(result.error.code === "WS_ERR_HTTP_LIMIT" ? 431 : 400, result.error.message);
      socket.pause();
      const req = requestOf(result.head, connection);
      // As node:http: a request with Upgrade and Connection: upgrade is an
      // upgrade (handleUpgrade refuses the wrong ones); anything else gets
      // the 426 ws's own http server answers.
      const upgrading = req.headers.upgrade !== undefined && hasToken(req.headers.connection as string | undefined, "upgrade");
      if (!upgrading) return refuse(426, "Upgrade Required", [["Content-Type", "text/plain"]]);
      const rest = result.rest;
      const facade = new RawUpgradeSocket(socket, connection.remoteAddress, connection.remotePort, connection.remoteFamily);
      upgrade(req, facade, Buffer.from(rest.buffer, rest.byteOffset, rest.byteLength));
    },
    onEnd() {
      if (!done) {
        done = true;
        timer.clear();
        socket.destroy();
      }
    },
    onClose() {
      if (!done) {
        done = true;
        timer.clear();
      }
    },
    onDrain() {},
  });
}
