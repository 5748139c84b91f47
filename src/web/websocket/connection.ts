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
 *
 * The WebSocket face drives a Connection through EngineDriver
 * (./engine-driver.ts); other faces (omnisocket/ws, faye) own one directly.
 */
import { WebSocketError } from "../../core/shared/errors.ts";
import { ReadyState, type CloseInfo, type ProtocolEvent } from "../../core/websocket/protocol.ts";
import type { WireProtocol } from "../../core/websocket/wire-protocol.ts";
import type { ByteSocket, ByteSocketHandler } from "../transport/byte-socket.ts";
import { SentBytes, type SentSource } from "./sent-bytes.ts";
import { Heartbeat, heartbeatSettings, type HeartbeatOptions } from "./heartbeat.ts";
import { startTimer, type Timer } from "./timers.ts";

export interface ConnectionOwner {
  /** One event from the engine, in order. */
  handleEvent(event: ProtocolEvent): void;
  /** The transport is gone; called exactly once. */
  handleClosed(info: CloseInfo, error: WebSocketError | null): void;
  /** Buffered output drained. */
  handleDrain?(): void;
  /** bufferedAmount fell to 0: every byte sent so far reached the network. */
  handleSent?(): void;
}

/**
 * Received messages one connection lets queue inside its extensions
 * (permessage-deflate jobs waiting or running) before it stops reading the
 * socket; it reads again once half of them are delivered.
 */
export const MAX_RECEIVING = 16;

export interface ConnectionTimers {
  /** Milliseconds to wait for the peer to finish closing before dropping TCP. */
  closeTimeout: number;
  /** Seconds between keep-alive pings, with no timeout (faye's `ping`); 0 for none. */
  ping: number;
  /** Ping every `interval` ms; drop the peer when `timeout` ms pass after a ping with nothing read (./heartbeat.ts). Wins over `ping`. */
  heartbeat?: HeartbeatOptions;
}

export class Connection implements ByteSocketHandler, SentSource {
  private pumping = false;
  private ended = false;
  private finished = false;
  private closeTimer: Timer | undefined;
  private heartbeat: Heartbeat | null = null;
  /** Why we dropped the connection ourselves (a timeout), reported with the close. */
  private failure: WebSocketError | null = null;

  constructor(
    readonly protocol: WireProtocol,
    readonly socket: ByteSocket,
    private readonly owner: ConnectionOwner,
    private readonly timers: ConnectionTimers,
  ) {}

  /** Takes over the socket; `leftover` are bytes that came with the handshake. */
  start(leftover?: Uint8Array): void {
    if (this.finished) return;
    this.started = true;
    this.socket.attach(this);
    this.reading = true;
    this.updateReading();
    const settings = heartbeatSettings(this.timers.heartbeat, this.timers.ping);
    if (settings && this.protocol.canPing) {
      this.heartbeat = new Heartbeat(settings, () => this.keepAlive(), () => {
        this.fail(new WebSocketError("WS_ERR_HEARTBEAT_TIMEOUT", `No pong or other traffic within ${settings.timeout} ms of a ping: the peer is unresponsive`));
      });
      this.heartbeat.start();
      if (!this.reading) this.heartbeat.hold(true);
    }
    if (leftover && leftover.length > 0) this.onData(leftover);
    else this.pump();
  }

  onData(chunk: Uint8Array): void {
    this.heartbeat?.activity();
    this.protocol.receiveData(chunk);
    this.pump();
  }

  // Receive flow control: the byte socket is read only while nobody holds
  // it. Paused, the runtime stops reading, the kernel's receive window fills
  // and TCP pushes back on the peer, instead of this process buffering what
  // nobody consumes. Two holders: the face (pauseReading: a paused socket, a
  // full stream) and the extension queue (too many messages inflating).
  private started = false;
  private reading = false;
  private facePaused = false;
  private extensionFull = false;
  private blocked = false;

  /** Stops reading the socket (ws `pause()`, a full consumer): TCP then pushes back on the peer. */
  pauseReading(): void {
    this.facePaused = true;
    this.updateReading();
  }

  /** Reads again after pauseReading() (unless the extension queue still holds the socket). */
  resumeReading(): void {
    this.facePaused = false;
    this.updateReading();
  }

  /** True while the face holds reading paused. */
  get paused(): boolean {
    return this.facePaused;
  }

  /** True while events are being dispatched: flush() then waits for the end of the dispatch. */
  get dispatching(): boolean {
    return this.pumping;
  }

  /** True from a write the runtime buffered past its high-water mark until its drain. */
  get writeBlocked(): boolean {
    return this.blocked;
  }

  private updateReading(): void {
    if (!this.started || this.finished) return;
    const receiving = this.protocol.receiving ?? 0;
    // A bounded deflate queue per connection: full at MAX_RECEIVING, free again at half.
    if (receiving >= MAX_RECEIVING) this.extensionFull = true;
    else if (receiving <= MAX_RECEIVING / 2) this.extensionFull = false;
    const hold = this.facePaused || this.extensionFull;
    if (hold && this.reading) {
      this.reading = false;
      this.heartbeat?.hold(true); // a peer we do not read cannot be heard: no verdict meanwhile
      this.socket.pause();
    } else if (!hold && !this.reading) {
      this.reading = true;
      this.heartbeat?.hold(false);
      this.socket.attach(this); // ByteSocket: attaching again resumes reading
    }
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
    this.blocked = false;
    this.sent?.check();
    this.owner.handleDrain?.();
  }

  /** whenWritten() callbacks; made at the first. */
  private writeWaiters: Array<(error?: Error) => void> | null = null;
  /** Set when the connection ended with messages still unwritten. */
  private unwritten: Error | undefined;

  /**
   * Calls `callback` once everything queued so far (including messages still
   * in an extension) has been handed to the network; with an error when the
   * connection ended first (ws's send callback).
   */
  whenWritten(callback: (error?: Error) => void): void {
    (this.writeWaiters ??= []).push(callback);
    if (!this.pumping) this.checkWritten();
  }

  private checkWritten(): void {
    const waiters = this.writeWaiters;
    if (waiters === null || waiters.length === 0) return;
    if (!this.finished && this.protocol.sending === true) return; // pump runs again when the extension is done
    this.writeWaiters = null;
    const release = (error?: Error) => {
      for (let i = 0; i < waiters.length; i++) waiters[i]!(error);
    };
    const unwritten = this.unwritten;
    if (unwritten) queueMicrotask(() => release(unwritten));
    else if (!this.socket.flushed) queueMicrotask(release);
    else this.socket.flushed(release);
  }

  /** Writes what the engine has queued, unless a dispatch is under way (it flushes at its end). */
  flush(): void {
    if (!this.pumping) this.pump();
  }

  /** Drops the connection because of `error` (a timeout): close 1006, and the error says why. */
  fail(error: WebSocketError): void {
    if (this.finished) return;
    this.failure ??= error;
    this.destroy();
  }

  /** Drops the connection now (ws `terminate`). */
  destroy(): void {
    this.socket.destroy();
    this.onClose();
  }

  /**
   * WHATWG bufferedAmount: application bytes given to send() and not yet
   * handed to the network (frame headers and control frames do not count).
   * It grows at once and falls in a later task, once the socket is empty.
   */
  get bufferedAmount(): number {
    return this.sent === null ? 0 : this.sent.amount;
  }

  /** Counts `bytes` of application data toward bufferedAmount. */
  countSent(bytes: number): void {
    (this.sent ??= new SentBytes(this)).add(bytes);
  }

  /** bufferedAmount's bookkeeping, made at the first send (a silent connection has none). */
  private sent: SentBytes | null = null;

  /** SentSource: once the connection is gone, what the socket still held never leaves: it stays counted (null). */
  bytesInTransport(): number | null {
    const held = this.socket.bufferedAmount;
    return this.finished && held > 0 ? null : held;
  }

  /** SentSource: every byte sent so far reached the network. */
  bytesSent(): void {
    this.owner.handleSent?.();
  }

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
      if (data.length > 0 && !this.socket.write(data)) this.blocked = true;
    } finally {
      this.pumping = false;
    }
    if (this.extensionFull || this.protocol.receiving) this.updateReading();
    this.checkWritten();
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
    const ms = this.timers.closeTimeout;
    this.closeTimer = startTimer(() => {
      this.fail(new WebSocketError("WS_ERR_CLOSE_TIMEOUT", `The peer did not complete the closing handshake within ${ms} ms`));
    }, ms);
  }

  /** One heartbeat ping; false once the connection can send none (the heartbeat then stops). */
  private keepAlive(): boolean {
    if (this.finished) return false;
    // Closing: no more pings; the close timeout watches the peer from here.
    if (this.protocol.state !== ReadyState.OPEN) return false;
    this.protocol.sendPing();
    this.flush();
    return true;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.writeWaiters !== null && this.writeWaiters.length > 0 && this.protocol.sending === true) {
      this.unwritten = new Error("The connection closed before the data was written");
    }
    this.closeTimer?.clear();
    this.heartbeat?.stop();
    this.socket.destroy();
    this.checkWritten();
    const info = this.protocol.closeInfo();
    // A timeout of ours: 1006, not clean, whatever the engine saw last; but a
    // closing handshake that completed (both Close frames) stays clean when
    // only the peer's TCP end was late.
    const failure = this.failure;
    if (failure && !this.protocol.error && !(failure.code === "WS_ERR_CLOSE_TIMEOUT" && info.wasClean)) {
      this.owner.handleClosed({ code: 1006, reason: "", wasClean: false }, failure);
    } else {
      this.owner.handleClosed(info, this.protocol.error);
    }
  }
}
