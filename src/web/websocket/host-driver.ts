/**
 * The driver for sockets whose runtime runs the protocol (Deno.serve,
 * Bun.serve): the runtime never hands over raw bytes, so this driver moves
 * messages, not frames.
 *
 *   runtime adapter --HostEvents (opened/message/ping/pong/closed)--> face
 *   face --Driver--> HostDriver --HostSocket (sendText/sendBinary/close/ping...)--> runtime socket
 *
 * What the runtime cannot do stays visible: `pings` is null when it neither
 * sends pings nor reports pongs, and the face refuses ping()/pong() then.
 */
import { WebSocketError } from "../../core/shared/errors.ts";
import type { Driver } from "./driver.ts";
import { Heartbeat, type HeartbeatOptions } from "./heartbeat.ts";
import { SentBytes, utf8Length } from "./sent-bytes.ts";

/**
 * A runtime's own pub/sub (Bun.serve's topics), for the hub
 * (../pubsub/hub.ts): one native publish reaches every subscribed socket of
 * one server, the runtime framing the message once.
 */
export interface NativeTopics {
  /** The runtime server these topics belong to: sockets of one group share one native publish. */
  readonly group: object;
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  isSubscribed(topic: string): boolean;
  /** Sends to every socket of the group subscribed to `topic`. */
  publishToAll(topic: string, data: string | Uint8Array, compress: boolean | undefined): void;
  /** Sends to every socket of the group subscribed to `topic` but this one. */
  publishToOthers(topic: string, data: string | Uint8Array, compress: boolean | undefined): void;
}

/** What a runtime's server socket does on our behalf. */
export interface HostSocket {
  /** The runtime's native topics, when it has them and the server is known. */
  readonly topics?: NativeTopics;
  /** Returns the message's UTF-8 size when the runtime reports it (Bun's send), so it need not be counted again. */
  sendText(data: string): number | undefined | void;
  sendBinary(data: Uint8Array): void;
  /** Starts the closing handshake (RFC 6455 section 7.1.2). */
  close(code: number | undefined, reason: string): void;
  /** Drops the connection without a closing handshake, as far as the runtime allows. */
  terminate(): void;
  /** Present only when the runtime can send pings and report their pongs. */
  ping?(data: Uint8Array): void;
  pong?(data: Uint8Array): void;
  /** Bytes queued by the runtime (and the adapter) but not yet sent. */
  readonly bufferedAmount: number;
}

/** What the runtime adapter reports, in order. */
export interface HostEvents {
  /** The 101 went out: from now on `host` carries the connection. */
  opened(host: HostSocket): void;
  message(data: string | Uint8Array): void;
  ping(data: Uint8Array): void;
  pong(data: Uint8Array): void;
  /** The connection is gone (RFC 6455 section 7.1.4); `error` when it failed. */
  closed(code: number, reason: string, wasClean: boolean, error?: unknown): void;
}

export class HostDriver implements Driver {
  readonly #host: HostSocket;
  readonly #sent: SentBytes;
  #closing = false;
  #heartbeat: Heartbeat | null = null;
  readonly pings: Driver["pings"];

  #waiters: Array<(error?: Error) => void> = [];
  readonly #onSent: (() => void) | undefined;

  /**
   * `heartbeat` runs here, on our timers, when the runtime sends pings and
   * reports what comes back (Bun.serve): `dead` gets WS_ERR_HEARTBEAT_TIMEOUT
   * after the connection was dropped. `onSent` runs each time bufferedAmount
   * falls to 0.
   */
  constructor(host: HostSocket, heartbeat?: HeartbeatOptions, dead?: (error: WebSocketError) => void, onSent?: () => void) {
    this.#host = host;
    this.#onSent = onSent;
    this.#sent = new SentBytes({ bytesInTransport: () => host.bufferedAmount, bytesSent: () => this.#released() });
    const { ping, pong } = host;
    this.pings = ping && pong
      ? { ping: (data) => ping.call(host, data), pong: (data) => pong.call(host, data) }
      : null;
    if (heartbeat && ping) {
      const empty = new Uint8Array(0);
      this.#heartbeat = new Heartbeat(heartbeat, () => {
        if (this.#closing) return false;
        ping.call(host, empty);
        return true;
      }, () => {
        // The face hears why first: the runtime may report its own close inside terminate().
        const error = new WebSocketError("WS_ERR_HEARTBEAT_TIMEOUT", `No pong or other traffic within ${heartbeat.timeout} ms of a ping: the peer is unresponsive`);
        this.#closing = true;
        dead?.(error);
        this.terminate();
      });
      this.#heartbeat.start();
    }
  }

  /** Something arrived from the peer (a message, a ping, a pong): it is alive. */
  activity(): void {
    this.#heartbeat?.activity();
  }

  get writable(): boolean {
    return !this.#closing;
  }

  /** The runtime's native topics (Bun.serve), if any. */
  get topics(): NativeTopics | undefined {
    return this.#host.topics;
  }

  get bufferedAmount(): number {
    return Math.max(this.#sent.amount, this.#host.bufferedAmount);
  }

  sendText(data: string): void {
    const size = this.#host.sendText(data);
    this.#sent.add(typeof size === "number" ? size : utf8Length(data));
  }

  sendBinary(data: Uint8Array): void {
    this.#sent.add(data.length);
    this.#host.sendBinary(data);
  }

  close(code: number | undefined, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#host.close(code, reason);
  }

  terminate(): void {
    this.#closing = true;
    this.#heartbeat?.stop();
    this.#sent.stop();
    this.#host.terminate();
  }

  whenSent(callback: (error?: Error) => void): void {
    if (this.bufferedAmount === 0) queueMicrotask(callback);
    else this.#waiters.push(callback);
  }

  #released(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
    this.#onSent?.();
  }

  /** The runtime reported the end (or its drain): settle bufferedAmount. */
  closed(): void {
    this.#closing = true;
    this.#heartbeat?.stop();
    this.#sent.stop();
    const waiters = this.#waiters;
    this.#waiters = [];
    const error = new Error("The connection closed before the data was written");
    for (const waiter of waiters) waiter(error);
  }

  drained(): void {
    this.#sent.check();
  }
}
