/**
 * The few Bun APIs this shim uses, declared here so the shim does not
 * depend on bun-types. Shapes follow Bun 1.x's documentation.
 */

/** A TCP/TLS socket from Bun.connect or Bun.listen; `data` is ours. */
export interface BunSocket<D = unknown> {
  data: D;
  /** Bytes taken (maybe fewer than given); -1 when the socket is closed. */
  write(data: Uint8Array | string): number;
  /** Flushes, sends FIN and closes. */
  end(): void;
  /** Without an argument: sends FIN and keeps reading (a half-close of the write side). */
  shutdown?(): void;
  /** Closes at once. */
  terminate(): void;
  pause(): void;
  resume(): void;
  setNoDelay?(noDelay?: boolean): boolean;
  readonly readyState: number;
  /** TLS as a client over this (plain TCP) socket: [the raw socket, the TLS socket]. */
  upgradeTLS?<E>(options: { tls: BunTlsOptions; socket: BunSocketHandler<E>; data?: E }): [BunSocket<E>, BunSocket<E>] | undefined;
}

export interface BunSocketHandler<D> {
  open?(socket: BunSocket<D>): void;
  data?(socket: BunSocket<D>, data: Uint8Array): void;
  drain?(socket: BunSocket<D>): void;
  end?(socket: BunSocket<D>): void;
  close?(socket: BunSocket<D>, error?: Error): void;
  error?(socket: BunSocket<D>, error: Error): void;
  connectError?(socket: BunSocket<D>, error: Error): void;
  handshake?(socket: BunSocket<D>, success: boolean, authorizationError: Error | null): void;
}

export interface BunTlsOptions {
  ca?: string | string[] | Uint8Array | Uint8Array[];
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
  rejectUnauthorized?: boolean;
  serverName?: string;
  ALPNProtocols?: string[];
}

export interface BunListener {
  readonly hostname: string;
  readonly port: number;
  stop(closeActiveConnections?: boolean): void;
}

/** Bun.serve's per-connection WebSocket (ServerWebSocket). */
export interface BunServerWebSocket<D = unknown> {
  /** What the upgrade attached (ours, when our handler runs the socket). */
  data: D;
  /** Bun's readyState: 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** How Bun hands binary messages over ("nodebuffer", "arraybuffer", "uint8array"). */
  binaryType?: string;
  /** Bytes sent (> 0), -1 when queued under backpressure, 0 when dropped. */
  send(data: string | Uint8Array, compress?: boolean): number;
  /** Sends a text message; the result as for send(). */
  sendText(data: string, compress?: boolean): number;
  /** Sends a binary message; the result as for send(). */
  sendBinary(data: Uint8Array, compress?: boolean): number;
  /** Starts the closing handshake (no status code when `code` is absent). */
  close(code?: number, reason?: string): void;
  /** Drops the connection with no closing handshake. */
  terminate(): void;
  /** Sends a ping frame; the result as for send(). */
  ping(data?: string | Uint8Array): number;
  /** Sends a pong frame; the result as for send(). */
  pong(data?: string | Uint8Array): number;
  /** Bytes Bun has buffered for the socket. */
  getBufferedAmount(): number;
  /** Bun's native topics. */
  subscribe?(topic: string): void;
  /** Leaves a native topic. */
  unsubscribe?(topic: string): void;
  /** True when subscribed to the native topic. */
  isSubscribed?(topic: string): boolean;
  /** Sends to every other subscriber of `topic` on this server (not to this socket). */
  publish?(topic: string, data: string | Uint8Array, compress?: boolean): number;
}

/** The `websocket` object Bun.serve takes. */
export interface BunWebSocketHandler<D = unknown> {
  /** A socket finished its handshake. */
  open?(ws: BunServerWebSocket<D>): void;
  /** A whole message arrived: a string for text, bytes for binary. */
  message(ws: BunServerWebSocket<D>, message: string | Uint8Array): void;
  /** The socket can take more after a send was refused for backpressure. */
  drain?(ws: BunServerWebSocket<D>): void;
  /** The connection closed, with the close code and reason. */
  close?(ws: BunServerWebSocket<D>, code: number, reason: string): void;
  /** A ping arrived (Bun answers it itself). */
  ping?(ws: BunServerWebSocket<D>, data: Uint8Array): void;
  /** A pong arrived. */
  pong?(ws: BunServerWebSocket<D>, data: Uint8Array): void;
  /** Largest message accepted, in bytes; larger ones close with 1009. */
  maxPayloadLength?: number;
  /** Seconds without traffic before Bun closes the connection. */
  idleTimeout?: number;
  /** Whether Bun sends pings when a connection is idle. */
  sendPings?: boolean;
  /** Bytes a socket may buffer before sends report backpressure. */
  backpressureLimit?: number;
  /** Close the connection instead of buffering past backpressureLimit. */
  closeOnBackpressureLimit?: boolean;
  /** Whether Bun negotiates permessage-deflate. */
  perMessageDeflate?: boolean;
}

/** The server argument of Bun.serve's fetch(request, server). */
export interface BunServer {
  /** Upgrades `request` to a WebSocket; false when it is not a valid handshake. */
  upgrade(request: Request, options?: { headers?: Record<string, string> | Headers; data?: unknown }): boolean;
  /** Bun's native pub/sub: sends to every socket of this server subscribed to `topic`. */
  publish?(topic: string, data: string | Uint8Array, compress?: boolean): number;
}

export interface BunApi {
  connect<D>(options: {
    hostname: string;
    port: number;
    tls?: boolean | BunTlsOptions;
    allowHalfOpen?: boolean;
    data?: D;
    socket: BunSocketHandler<D>;
  }): Promise<BunSocket<D>>;
  listen<D>(options: {
    hostname: string;
    port: number;
    tls?: BunTlsOptions;
    allowHalfOpen?: boolean;
    data?: D;
    socket: BunSocketHandler<D>;
  }): BunListener;
}

/** The `Bun` global, typed with what we use. */
export function bun(): BunApi {
  const api = (globalThis as { Bun?: BunApi }).Bun;
  if (!api) throw new Error("omnisocket: the Bun entry needs the Bun runtime");
  return api;
}
