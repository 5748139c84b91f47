/**
 * The WebSocket face's Driver (./driver.ts) over our engine: a Connection
 * (./connection.ts) whose events become DriverEvents.
 *
 *   WebSocket face --send/ping/close--> EngineDriver --> Connection --> ByteSocket
 *   WebSocket face <--DriverEvents----- EngineDriver <-- Connection
 */
import type { WebSocketError } from "../../core/shared/errors.ts";
import { ReadyState, type CloseInfo, type ProtocolEvent } from "../../core/websocket/protocol.ts";
import type { WireProtocol } from "../../core/websocket/wire-protocol.ts";
import type { SharedMessage } from "../../core/pubsub/shared-message.ts";
import type { ByteSocket } from "../transport/byte-socket.ts";
import type { Driver, DriverEvents, SendOptions } from "./driver.ts";
import { Connection, type ConnectionOwner, type ConnectionTimers } from "./connection.ts";

/**
 * The WebSocket face's driver over our engine: a Connection, its events as
 * DriverEvents. It is the Connection's owner itself, and its own `pings`,
 * so a connection costs these two objects, with no closures.
 */
export class EngineDriver implements Driver, ConnectionOwner {
  readonly connection: Connection;

  constructor(protocol: WireProtocol, socket: ByteSocket, private readonly events: DriverEvents, timers: ConnectionTimers) {
    this.connection = new Connection(protocol, socket, this, timers);
  }

  /** hixie-75/76 have no ping frames: the face's ping()/pong() answer false there. */
  get pings(): Driver["pings"] {
    return this.connection.protocol.canPing ? this : null;
  }

  ping(data: Uint8Array): void {
    const connection = this.connection;
    connection.protocol.sendPing(data);
    connection.flush();
  }

  pong(data: Uint8Array): void {
    const connection = this.connection;
    connection.protocol.sendPong(data);
    connection.flush();
  }

  // ConnectionOwner
  handleEvent(event: ProtocolEvent): void {
    const events = this.events;
    switch (event.type) {
      case "text":
      case "binary":
        events.message(event.data);
        return;
      case "ping":
        events.ping(event.data);
        return;
      case "pong":
        events.pong(event.data);
        return;
      case "close":
        events.closing();
        return;
      case "error":
        return; // reported with the close
    }
  }

  handleClosed(info: CloseInfo, error: WebSocketError | null): void {
    this.events.closed(info.code, info.reason, info.wasClean, error !== null || (!info.wasClean && info.code === 1006), error ?? undefined);
  }

  handleDrain(): void {
    this.events.drain?.();
  }

  handleSent(): void {
    this.events.sent?.();
  }

  /**
   * Takes over the socket. Bytes that came with the handshake are read in a
   * later task than the one that fired `open` (WHATWG: every message event
   * is a task of its own), so code that awaits `open` and then sets
   * `onmessage` misses none; the socket stays paused meanwhile.
   */
  start(leftover?: Uint8Array): void {
    if (leftover && leftover.length > 0) setTimeout(() => this.connection.start(leftover), 0);
    else this.connection.start();
  }

  get writable(): boolean {
    return this.connection.protocol.state === ReadyState.OPEN;
  }

  get bufferedAmount(): number {
    return this.connection.bufferedAmount;
  }

  sendText(data: string, options?: SendOptions): void {
    const connection = this.connection;
    // The string goes straight into its frame; the engine says how many bytes it made.
    connection.countSent(connection.protocol.sendText(data, options));
    connection.flush();
  }

  sendBinary(data: Uint8Array, options?: SendOptions): void {
    const connection = this.connection;
    connection.countSent(data.length);
    connection.protocol.sendBinary(data, options);
    connection.flush();
  }

  /** Queues a message framed once for many connections (pub/sub) without writing it (see flush()); false when the engine must send it itself. */
  sendShared(message: SharedMessage): boolean {
    if (this.connection.protocol.sendShared?.(message) !== true) return false;
    this.sharedBytes += message.length;
    return true;
  }

  /** A place in the output for a burst's shared frames (Protocol.reserveShared), or null. */
  reserveShared(): object | null {
    return this.connection.protocol.reserveShared?.() ?? null;
  }

  /** Fills a place reserveShared() kept with `bytes` of payload in whole frames; flush() writes them. */
  settleShared(slot: object, chunks: readonly Uint8Array[], bytes: number): void {
    this.connection.protocol.settleShared!(slot, chunks);
    this.sharedBytes += bytes;
  }

  /** Payload bytes sendShared() queued since the last flush(). */
  private sharedBytes = 0;

  /**
   * Writes what the pub/sub hub queued in this task. Those bytes count in
   * bufferedAmount only when this write left some in the socket (a slow peer).
   */
  flush(): void {
    const connection = this.connection;
    connection.flush();
    const bytes = this.sharedBytes;
    this.sharedBytes = 0;
    if (bytes > 0 && (connection.socket.bufferedAmount > 0 || connection.writeBlocked || connection.dispatching)) connection.countSent(bytes);
  }

  close(code: number | undefined, reason: string): void {
    const connection = this.connection;
    if (connection.protocol.state !== ReadyState.OPEN) return;
    connection.protocol.sendClose(code, reason);
    connection.flush();
  }

  terminate(): void {
    this.connection.destroy();
  }

  pauseReading(): void {
    this.connection.pauseReading();
  }

  resumeReading(): void {
    this.connection.resumeReading();
  }

  whenSent(callback: (error?: Error) => void): void {
    this.connection.whenWritten(callback);
  }
}
