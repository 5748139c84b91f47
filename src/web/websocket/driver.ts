/**
 * What a WebSocket face (the WHATWG class; later the ws and faye faces and
 * WebSocketStream) needs of whatever runs the protocol underneath.
 *
 *   face --sendText/sendBinary/ping/pong/close/terminate--> Driver
 *   face <--message/ping/pong/closing/closed/drain-------- Driver (DriverEvents)
 *
 * Two drivers implement it:
 *   EngineDriver (engine-driver.ts)  our sans-I/O Protocol over a ByteSocket
 *   HostDriver   (host-driver.ts)    a socket whose runtime runs the protocol
 *                                    (Deno.serve, Bun.serve)
 *
 * bufferedAmount is the driver's: payload bytes given to sendText/sendBinary
 * that have not reached the network yet (WHATWG websockets, the
 * bufferedAmount getter). It grows in the send call and falls in a later
 * task, as the bytes leave.
 */

/** Per-message send options (ws's `compress`). */
export interface SendOptions {
  /** `false` sends this message uncompressed even when permessage-deflate is active. Default true (subject to `threshold`). */
  compress?: boolean;
}

/** What a driver reports, in order, to its face. */
export interface DriverEvents {
  /** A whole message: text as a string, binary as bytes. */
  message(data: string | Uint8Array): void;
  ping(data: Uint8Array): void;
  pong(data: Uint8Array): void;
  /** The closing handshake is under way (either side started it). */
  closing(): void;
  /**
   * The connection is gone (RFC 6455 section 7.1.4); called exactly once.
   * `failed` with `error` when it was not a clean close.
   */
  closed(code: number, reason: string, wasClean: boolean, failed: boolean, error?: unknown): void;
  /** Buffered output went to the network. */
  drain?(): void;
  /** bufferedAmount fell to 0 (what was sent reached the network). */
  sent?(): void;
}

export interface Driver {
  /** True while messages can still be sent (the engine is OPEN). */
  readonly writable: boolean;
  /** Payload bytes sent and not yet on the network. */
  readonly bufferedAmount: number;
  sendText(data: string, options?: SendOptions): void;
  sendBinary(data: Uint8Array, options?: SendOptions): void;
  /** Null when the runtime neither sends pings nor reports pongs. */
  readonly pings: { ping(data: Uint8Array): void; pong(data: Uint8Array): void } | null;
  /** Starts the closing handshake (RFC 6455 section 7.1.2); `code` undefined sends no status. */
  close(code: number | undefined, reason: string): void;
  /** Drops the connection with no closing handshake. */
  terminate(): void;
  /**
   * Receive flow control: stop reading the network until resumeReading()
   * (TCP then pushes back on the peer). Absent when the runtime reads on
   * its own and cannot be paused (Deno.serve, Bun.serve).
   */
  pauseReading?(): void;
  resumeReading?(): void;
  /** Calls `callback` once everything sent so far reached the network; with an error when the connection ended first. */
  whenSent(callback: (error?: Error) => void): void;
}
