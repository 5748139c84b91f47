/**
 * Drives one open connection: the sans-I/O engine (a WireProtocol: RFC 6455
 * Protocol or the hixie-75/76 LegacyProtocol) on one side, a runtime
 * ByteSocket on the other, and the timers the engine itself never owns.
 *
 *   socket --onData--> protocol.receiveData --eventsReceived--> owner
 *                                 |                              |
 *   socket <--write(chunks)-- dataToSend <--sendText/ping/...-- owner
 *
 * Everything parsed from one chunk is dispatched first; the sends the
 * listeners make meanwhile go out afterwards as one write.
 */
import type { WebSocketError } from "../../core/shared/errors.ts";
import { ReadyState, type CloseInfo, type ProtocolEvent } from "../../core/websocket/protocol.ts";
import type { WireProtocol } from "../../core/websocket/wire-protocol.ts";
import type { ByteSocket, ByteSocketHandler } from "../transport/byte-socket.ts";

export interface ConnectionOwner {
  /** One event from the engine, in order. */
  handleEvent(event: ProtocolEvent): void;
  /** The transport is gone; called exactly once. */
  handleClosed(info: CloseInfo, error: WebSocketError | null): void;
  /** Buffered output drained. */
  handleDrain?(): void;
}

export interface ConnectionTimers {
  /** Milliseconds to wait for the peer to finish closing before dropping TCP. */
  closeTimeout: number;
  /** Seconds between keep-alive pings; 0 for none. */
  ping: number;
}

export class Connection implements ByteSocketHandler {
  private pumping = false;
  private ended = false;
  private finished = false;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly protocol: WireProtocol,
    readonly socket: ByteSocket,
    private readonly owner: ConnectionOwner,
    private readonly timers: ConnectionTimers,
  ) {}

  /** Takes over the socket; `leftover` are bytes that came with the handshake. */
  start(leftover?: Uint8Array): void {
    this.socket.attach(this);
    if (this.timers.ping > 0) {
      this.pingTimer = setInterval(() => this.keepAlive(), this.timers.ping * 1000);
    }
    if (leftover && leftover.length > 0) this.onData(leftover);
    else this.pump();
  }

  onData(chunk: Uint8Array): void {
    this.protocol.receiveData(chunk);
    this.pump();
  }

  onEnd(): void {
    this.protocol.receiveEof();
    this.pump();
  }

  onClose(): void {
    this.transportClosed = true;
    this.protocol.receiveEof();
    this.pump();
    // Messages still inside an extension are delivered before the close.
    if (!this.protocol.busy) this.finish();
  }

  private transportClosed = false;

  onDrain(): void {
    this.owner.handleDrain?.();
  }

  /** Writes what the engine has queued, unless a dispatch is under way (it flushes at its end). */
  flush(): void {
    if (!this.pumping) this.pump();
  }

  /** Drops the connection now (ws `terminate`). */
  destroy(): void {
    this.socket.destroy();
    this.onClose();
  }

  /**
   * WHATWG bufferedAmount: application bytes given to send() and not yet
   * handed to the network. Frame headers and control frames do not count,
   * so the socket's own figure is capped by the payload bytes queued since
   * the socket last ran empty.
   */
  get bufferedAmount(): number {
    const inSocket = this.socket.bufferedAmount;
    if (inSocket === 0) this.queuedPayload = 0;
    return Math.min(inSocket, this.queuedPayload);
  }

  /** Counts `bytes` of application data toward bufferedAmount. */
  countSent(bytes: number): void {
    this.queuedPayload += bytes;
  }

  private queuedPayload = 0;

  /** Delivers events, writes output, and follows the engine's closing steps. */
  pump(): void {
    if (this.pumping || this.finished) return;
    this.pumping = true;
    try {
      for (;;) {
        const events = this.protocol.eventsReceived();
        if (events.length === 0) break;
        for (let i = 0; i < events.length; i++) this.owner.handleEvent(events[i]!);
      }
      const data = this.protocol.dataToSend();
      if (data.length > 0) this.socket.write(data);
    } finally {
      this.pumping = false;
    }
    const protocol = this.protocol;
    if (protocol.closeTransport && !this.ended) {
      // RFC 6455 section 7.1.1: the server ends TCP first, after its Close.
      this.ended = true;
      this.socket.end();
    }
    if (protocol.state === ReadyState.CLOSED) {
      if (!protocol.busy || this.protocol.error) this.finish();
      else if (!this.transportClosed) this.socket.destroy();
    } else if (protocol.closeExpected() || protocol.closeSent) {
      this.armCloseTimer();
    }
  }

  private armCloseTimer(): void {
    if (this.closeTimer !== undefined) return;
    // The peer gets closeTimeout ms to complete the close; then TCP is dropped.
    this.closeTimer = setTimeout(() => this.destroy(), this.timers.closeTimeout);
  }

  private keepAlive(): void {
    if (this.protocol.state !== ReadyState.OPEN) return;
    this.protocol.sendPing();
    this.flush();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.closeTimer);
    clearInterval(this.pingTimer);
    this.socket.destroy();
    this.owner.handleClosed(this.protocol.closeInfo(), this.protocol.error);
  }
}
