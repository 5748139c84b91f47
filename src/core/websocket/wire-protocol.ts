/**
 * What a driver needs from a connection engine, whichever wire format it
 * speaks: RFC 6455 (Protocol, hybi-8 and hybi-13) or the hixie-75/76 drafts
 * (LegacyProtocol). The connection (src/web/websocket/connection.ts)
 * and the WebSocket face talk to this interface only.
 *
 *   driver --receiveData/receiveEof--> engine --eventsReceived--> owner
 *   driver <------- dataToSend ------- engine <--sendText/...--- owner
 */
import type { WebSocketError } from "../shared/errors.ts";
import type { SharedMessage } from "../pubsub/shared-message.ts";

/** The connection states (WHATWG readyState values). */
export const ReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;
export type ReadyState = (typeof ReadyState)[keyof typeof ReadyState];

/** What an engine reports, in order: messages, control frames, the close, a failure. */
export type ProtocolEvent =
  | { type: "text"; data: string }
  /** A text message as its checked UTF-8 bytes, when the engine's `textAsBytes` is set. */
  | { type: "utf8"; data: Uint8Array }
  | { type: "binary"; data: Uint8Array }
  | { type: "ping"; data: Uint8Array }
  | { type: "pong"; data: Uint8Array }
  | { type: "close"; code: number; reason: string }
  | { type: "error"; error: WebSocketError };

/** Per-message send options. */
export interface SendOptions {
  /** `false` asks compressing extensions to send this message as is. */
  compress?: boolean;
}

/** How a connection ended, as the close event reports it. */
export interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

export interface WireProtocol {
  readonly role: "client" | "server";
  /** Largest message accepted, in bytes. */
  readonly maxLength: number;
  /** False for a wire format without ping/pong frames (the hixie drafts): sendPing/sendPong do nothing. */
  readonly canPing: boolean;
  /** OPEN until a close is sent or received, CLOSED once the transport ended. */
  readonly state: ReadyState;
  /** The close received, if any (a draft's close carries no code: 1005). */
  readonly closeReceived: { code: number; reason: string } | null;
  /** The close sent, if any. */
  readonly closeSent: { code: number; reason: string } | null;
  /** Why the connection failed, if it did. */
  readonly error: WebSocketError | null;
  /** Set when the caller should end the TCP connection once output is written. */
  readonly closeTransport: boolean;
  /** True while received messages are still being processed (events to come). */
  readonly busy: boolean;
  /** True while sent messages are still inside an extension (bytes to come); absent means never. */
  readonly sending?: boolean;
  /** Received messages still inside an extension or queued behind one; absent means none ever are. */
  readonly receiving?: number;

  /** Feeds bytes from the transport; the engine owns `chunk` afterwards. */
  receiveData(chunk: Uint8Array): void;
  /** The transport reached its end. */
  receiveEof(): void;
  /** Queues a text message; returns its length in bytes of UTF-8. Throws when not open. */
  sendText(data: string | Uint8Array, options?: SendOptions): number;
  /** Queues a binary message. Throws when not open, or when the wire format has none. */
  sendBinary(data: Uint8Array, options?: SendOptions): void;
  sendPing(data?: Uint8Array): void;
  sendPong(data?: Uint8Array): void;
  /**
   * Queues a published message framed once for many connections (pub/sub);
   * false when this engine must send it itself (masking, extensions with
   * per-connection state, a draft wire format); absent means never. Throws
   * when not open.
   */
  sendShared?(message: SharedMessage): boolean;
  /** A place in the output for frames shared by many connections, filled later (Protocol.reserveShared); null when it cannot take them. */
  reserveShared?(): object | null;
  /** Fills a place reserveShared() kept. */
  settleShared?(slot: object, chunks: readonly Uint8Array[]): void;
  /** Starts the closing handshake. Throws when not open. */
  sendClose(code?: number, reason?: string): void;
  /** Fails the connection: the transport is to be closed, `error` is reported. */
  fail(code: number, reason?: string, error?: WebSocketError): void;
  /**
   * Events parsed since the last call. Drain until it returns none: a
   * failure that follows messages comes on a later call, after the sends
   * made in answer to them (RFC 6455 section 7.1.7, in order).
   */
  eventsReceived(): ProtocolEvent[];
  /** Bytes to write to the transport, in order. */
  dataToSend(): Uint8Array[];
  /** True while the engine waits for the peer to close TCP. */
  closeExpected(): boolean;
  /** What the close event reports. */
  closeInfo(): CloseInfo;
}
