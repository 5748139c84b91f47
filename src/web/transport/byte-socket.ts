/**
 * The port every runtime supplies: a byte socket, and a way to open one.
 *
 *   runtime socket --onData/onEnd/onClose/onDrain--> handler (a WebSocket)
 *   handler --write(chunks)/end()/destroy()--> runtime socket
 *
 * Shims move bytes and nothing else: they decide nothing about the protocol.
 */

/** What a ByteSocket reports to whoever is attached (a WebSocket, a handshake). */
export interface ByteSocketHandler {
  /** Bytes arrived, in order. */
  onData(chunk: Uint8Array): void;
  /** The peer ended its side (TCP FIN). */
  onEnd(): void;
  /** The socket is gone; `error` if it failed. */
  onClose(error?: Error): void;
  /** Buffered output was flushed. */
  onDrain(): void;
}

/**
 * A TCP or TLS connection as our engine sees it, whatever runtime opened it
 * (node:net, Deno.connect, Bun.connect): bytes in through the attached
 * handler, bytes out through `write`.
 */
export interface ByteSocket {
  /** Delivers events to `handler` from now on (replacing any earlier one) and resumes reading. */
  attach(handler: ByteSocketHandler): void;
  /** Stops reading until the next attach (a handshake hands the socket over). */
  pause(): void;
  /** Writes chunks in order, as one write where the runtime allows. False when buffered past the high-water mark. */
  write(chunks: readonly Uint8Array[]): boolean;
  /** Half-closes after buffered output is written. */
  end(): void;
  /** Closes now. */
  destroy(): void;
  /** Bytes written but not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /** Calls `callback` once everything written so far has been handed to the kernel; with an error if the socket closed first. */
  flushed?(callback: (error?: Error) => void): void;
}

export type { ProxyOptions, ProxySetting } from "../client/proxy-options.ts";

/** Where a runtime dials: TCP, or TLS over TCP when `secure`. Proxies are not the runtime's business. */
export interface ConnectOptions {
  /** Host name or IP address (an IPv6 address without brackets). */
  host: string;
  /** TCP port. */
  port: number;
  /** TLS over the TCP connection (wss://, an https: proxy). */
  secure: boolean;
  /** TLS options (ca, servername, rejectUnauthorized, cert, key, ...). */
  tls?: Record<string, unknown>;
  /** Plain TCP options for the runtime's connect (localAddress, family, ...). */
  net?: Record<string, unknown>;
}

/** TLS as a client over a connection that is already open (a CONNECT tunnel). */
export interface StartTlsOptions {
  /** The server's name: SNI (unless an IP literal) and the certificate check. */
  host: string;
  /** TLS options as for ConnectOptions.tls. */
  tls?: Record<string, unknown>;
}

/** How a runtime opens the client's sockets (the Deno entry's `denoConnector`, the Bun entry's `bunConnector`). */
export interface Connector {
  /** Opens a TCP connection (with TLS over it when `secure`); rejects when it cannot be opened. */
  connect(options: ConnectOptions): Promise<ByteSocket>;
  /**
   * Starts TLS over `socket`, which the caller hands over (paused, no
   * handler attached) and must not use again; resolves once the TLS
   * handshake is done, with the socket to speak through.
   */
  startTls(socket: ByteSocket, options: StartTlsOptions): Promise<ByteSocket>;
  /** An environment variable, for `proxy: "env"`; undefined when unset or not readable. */
  env(name: string): string | undefined;
}
