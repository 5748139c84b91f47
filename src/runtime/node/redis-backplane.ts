/**
 * A backplane over Redis pub/sub, for hubs in several processes or on
 * several machines (docs/scale-out.md). It drives two connections of a
 * Redis client the application creates and owns, so omnisocket itself
 * depends on no Redis package: ioredis (tested here, on Node, Deno and Bun)
 * or anything with the same few methods.
 *
 *   hub.publish --> publisher.publish(prefix + topic, [kind][origin][data])
 *   subscriber "messageBuffer" --> not ours? --> hub delivers to its sockets
 *
 * Why two connections: a Redis connection that has subscribed accepts only
 * (P)SUBSCRIBE/UNSUBSCRIBE/PING/QUIT until it unsubscribes from everything.
 *
 * Ordering: one hub publishes on one connection, Redis relays a channel's
 * messages to each subscriber in the order it received them, so one
 * publisher's messages to a topic arrive in order on every hub.
 *
 * While Redis is unreachable (delivery is at most once):
 *   - a publish made while the publisher connection is not ready is
 *     dropped (counted in `dropped`), never queued for later: a message
 *     that arrived minutes late would be worse than a missing one;
 *   - publishes from other hubs during the outage are not seen here;
 *   - when the subscriber connection is ready again, every topic this hub
 *     has subscribers for is subscribed again, and later publishes arrive.
 */
import { Buffer } from "node:buffer";
import type { Backplane, BackplaneMessage } from "../../web/pubsub/backplane.ts";

/** The part of a Redis client (ioredis's API) this backplane uses. */
export interface RedisClientLike {
  /** ioredis: "wait", "connecting", "connect", "ready", "reconnecting", "close", "end". */
  readonly status: string;
  /** PUBLISH `message` on `channel`. */
  publish(channel: string, message: Buffer): Promise<unknown>;
  /** SUBSCRIBE to `channel` (ioredis resubscribes by itself after a reconnection). */
  subscribe(channel: string): Promise<unknown>;
  /** UNSUBSCRIBE from `channel`. */
  unsubscribe(channel: string): Promise<unknown>;
  /** A message on a subscribed channel, as bytes. */
  on(event: "messageBuffer", listener: (channel: Buffer, message: Buffer) => void): unknown;
  /** The connection is ready again, or failed. */
  on(event: "ready" | "error", listener: (error?: unknown) => void): unknown;
  /** Closes the connection. */
  quit(): Promise<unknown>;
}

/** Options of RedisBackplane: two connections the caller made (ioredis or alike). */
export interface RedisBackplaneOptions {
  /** The connection publishes go out on. */
  publisher: RedisClientLike;
  /** A second connection, used only to subscribe. */
  subscriber: RedisClientLike;
  /** Prefix of the Redis channel names (default "omnisocket:"): the channel of topic T is prefix + T. */
  prefix?: string;
  /** Close both connections when the hub closes (default true). */
  quitOnClose?: boolean;
}

const TEXT = 0;
const BINARY = 1;
const ORIGIN_LENGTH = 16;
const HEADER = 1 + ORIGIN_LENGTH;

/**
 * A backplane over Redis pub/sub, for hubs on several machines: order per
 * publisher is kept; while Redis is down publishes are dropped (at most
 * once) and local delivery goes on.
 */
export class RedisBackplane implements Backplane {
  readonly #publisher: RedisClientLike;
  readonly #subscriber: RedisClientLike;
  readonly #prefix: string;
  readonly #quitOnClose: boolean;
  /** Tells this hub's messages from the others' (Redis sends them back to us too). */
  readonly #origin = Buffer.from(crypto.getRandomValues(new Uint8Array(ORIGIN_LENGTH)));
  readonly #topics = new Set<string>();
  #dropped = 0;
  #closed = false;
  /** The last error a connection reported (Redis down, say). */
  lastError: unknown = null;

  /** A backplane on the caller's publisher and subscriber connections. */
  constructor(options: RedisBackplaneOptions) {
    this.#publisher = options.publisher;
    this.#subscriber = options.subscriber;
    this.#prefix = options.prefix ?? "omnisocket:";
    this.#quitOnClose = options.quitOnClose ?? true;
  }

  start(deliver: (message: BackplaneMessage) => void): void {
    const prefix = this.#prefix;
    const origin = this.#origin;
    this.#subscriber.on("messageBuffer", (channel, message) => {
      if (message.length < HEADER) return;
      if (origin.compare(message, 1, HEADER) === 0) return; // our own publish, delivered already
      const name = channel.toString("utf8");
      if (!name.startsWith(prefix)) return;
      const topic = name.slice(prefix.length);
      const data = message[0] === TEXT
        ? message.toString("utf8", HEADER)
        : new Uint8Array(message.buffer, message.byteOffset + HEADER, message.length - HEADER);
      deliver({ topic, data });
    });
    // Back after an outage: subscribe to every topic again (idempotent in Redis).
    this.#subscriber.on("ready", () => {
      for (const topic of this.#topics) this.#subscribe(topic);
    });
    const noted = (error?: unknown) => {
      this.lastError = error;
    };
    this.#subscriber.on("error", noted);
    this.#publisher.on("error", noted);
  }

  subscribe(topic: string): void {
    this.#topics.add(topic);
    this.#subscribe(topic);
  }

  unsubscribe(topic: string): void {
    this.#topics.delete(topic);
    if (this.#subscriber.status === "ready") this.#subscriber.unsubscribe(this.#prefix + topic).catch(this.#noteError);
  }

  publish(message: BackplaneMessage): void {
    if (this.#closed || this.#publisher.status !== "ready") {
      this.#dropped++;
      return;
    }
    const text = typeof message.data === "string";
    const payload = text ? Buffer.from(message.data as string) : Buffer.from((message.data as Uint8Array).buffer, (message.data as Uint8Array).byteOffset, message.data.length);
    const head = Buffer.allocUnsafe(HEADER);
    head[0] = text ? TEXT : BINARY;
    head.set(this.#origin, 1);
    this.#publisher.publish(this.#prefix + message.topic, Buffer.concat([head, payload])).catch(this.#noteError);
  }

  /** True while both connections are ready. */
  get connected(): boolean {
    return !this.#closed && this.#publisher.status === "ready" && this.#subscriber.status === "ready";
  }

  get dropped(): number {
    return this.#dropped;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#quitOnClose) return;
    await Promise.all([this.#publisher, this.#subscriber].map((client) => client.quit().catch(() => undefined)));
  }

  #subscribe(topic: string): void {
    // Not ready: the "ready" listener subscribes once the connection is back.
    if (this.#closed || this.#subscriber.status !== "ready") return;
    this.#subscriber.subscribe(this.#prefix + topic).catch(this.#noteError);
  }

  readonly #noteError = (error: unknown): void => {
    this.lastError = error;
  };
}
