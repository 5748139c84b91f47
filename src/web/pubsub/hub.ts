/**
 * The pub/sub hub: topics over server-side sockets of every server form
 * (node:http hook, listen(), omnisocket/ws's WebSocketServer, Deno.serve,
 * Bun.serve), with Bun's vocabulary: subscribe, unsubscribe, isSubscribed,
 * subscriptions, publish.
 *
 *   hub.subscribe(ws, "room")         TopicRegistry (core/pubsub/topics.ts)
 *   hub.publish("room", data, opts)
 *      |- encodeShared(data) once     core/pubsub/shared-frame.ts
 *      |- every subscriber that can take shared bytes: target.sendFrame(frame)
 *      |- the others (permessage-deflate negotiated, runtime-run sockets):
 *      |      target.sendMessage(data, compress)   (their own framing)
 *      \- backplane.publish({ topic, data })  --> the other processes' hubs
 *
 * Delivery on this hub is synchronous and in publish order; a socket that
 * is not OPEN is skipped (one that closes mid-publish gets nothing more),
 * and a failing send on one socket never stops the others.
 */
import { TopicRegistry } from "../../core/pubsub/topics.ts";
import { encodeShared, type SharedFrame } from "../../core/pubsub/shared-frame.ts";
import type { Backplane, BackplaneMessage } from "./backplane.ts";
import { publishTargetOf, type PublishTarget } from "./target.ts";

/** Anything a server form of ours hands out as a socket. */
export type Subscriber = object;

export interface PublishOptions {
  /**
   * For sockets with permessage-deflate negotiated: `false` sends the
   * message uncompressed, `true` or absent lets each connection compress it
   * as its own settings say. Sockets with no compression share one frame
   * either way.
   */
  compress?: boolean;
  /** A socket (or several) that must not get this message: the sender, say. */
  except?: Subscriber | Iterable<Subscriber>;
}

export interface PubSubOptions {
  /** Carries publishes to other processes or machines (./backplane.ts); none by default. */
  backplane?: Backplane;
}

/** Counters, for tests, benchmarks and monitoring. */
export interface PubSubStats {
  /** Messages published on this hub. */
  publishes: number;
  /** Shared frames built: at most one per publish, whatever the number of subscribers. */
  framings: number;
  /** Deliveries through a shared frame. */
  sharedSends: number;
  /** Deliveries a connection framed itself (compression negotiated, runtime-run sockets). */
  ownSends: number;
  /** Messages that came from the backplane. */
  received: number;
}

export class PubSub {
  readonly #topics = new TopicRegistry<Subscriber>();
  readonly #watched = new WeakSet<Subscriber>();
  readonly #backplane: Backplane | null;
  readonly stats: PubSubStats = { publishes: 0, framings: 0, sharedSends: 0, ownSends: 0, received: 0 };

  constructor(options: PubSubOptions = {}) {
    this.#backplane = options.backplane ?? null;
    this.#backplane?.start((message) => this.#received(message));
  }

  /** The backplane this hub publishes through, or null (one process). */
  get backplane(): Backplane | null {
    return this.#backplane;
  }

  /** Subscribes `socket` to `topic`; false when it already was, or is closed. */
  subscribe(socket: Subscriber, topic: string): boolean {
    const target = targetOf(socket);
    topic = topicName(topic);
    if (target.closed) return false;
    const { added, first } = this.#topics.subscribe(socket, topic);
    if (!added) return false;
    if (!this.#watched.has(socket)) {
      this.#watched.add(socket);
      target.onClose(() => this.#left(socket));
    }
    if (first) this.#backplane?.subscribe(topic);
    return true;
  }

  /** Unsubscribes `socket` from `topic`; false when it was not subscribed. */
  unsubscribe(socket: Subscriber, topic: string): boolean {
    const { removed, last } = this.#topics.unsubscribe(socket, topicName(topic));
    if (last) this.#backplane?.unsubscribe(topic);
    return removed;
  }

  isSubscribed(socket: Subscriber, topic: string): boolean {
    return this.#topics.isSubscribed(socket, topicName(topic));
  }

  /** The topics `socket` is subscribed to, in subscription order. */
  subscriptions(socket: Subscriber): string[] {
    return this.#topics.subscriptions(socket);
  }

  /** How many sockets of this process are subscribed to `topic` (Bun's server.subscriberCount). */
  subscriberCount(topic: string): number {
    return this.#topics.subscriberCount(topicName(topic));
  }

  /**
   * Sends `data` to every subscriber of `topic`: here at once, elsewhere
   * through the backplane. Text for a string, binary for bytes. Returns how
   * many sockets of this process it was handed to.
   */
  publish(topic: string, data: string | ArrayBuffer | ArrayBufferView, options?: PublishOptions): number {
    topic = topicName(topic);
    const message = messageData(data);
    this.stats.publishes++;
    const count = this.#deliver(topic, message, options?.compress, exceptSet(options?.except));
    this.#backplane?.publish({ topic, data: message });
    return count;
  }

  /** Closes the backplane; the sockets stay open. */
  async close(): Promise<void> {
    await this.#backplane?.close();
  }

  #received(message: BackplaneMessage): void {
    this.stats.received++;
    this.#deliver(message.topic, message.data, undefined, null);
  }

  #deliver(topic: string, data: string | Uint8Array, compress: boolean | undefined, except: Set<Subscriber> | null): number {
    const subscribers = this.#topics.subscribers(topic);
    if (subscribers.size === 0) return 0;
    let frame: SharedFrame | null = null;
    let count = 0;
    // A copy: a socket closing during the walk leaves the live set.
    for (const socket of [...subscribers]) {
      if (except?.has(socket)) continue;
      const target = publishTargetOf(socket);
      if (!target || !target.open) continue;
      try {
        if (target.sharesFrames) {
          if (frame === null) {
            frame = encodeShared(data);
            this.stats.framings++;
          }
          if (target.sendFrame(frame)) {
            this.stats.sharedSends++;
            count++;
            continue;
          }
        }
        target.sendMessage(data, compress);
        this.stats.ownSends++;
        count++;
      } catch {
        // This socket closed under us (its close event comes); the others still get the message.
      }
    }
    return count;
  }

  #left(socket: Subscriber): void {
    for (const topic of this.#topics.unsubscribeAll(socket)) this.#backplane?.unsubscribe(topic);
  }
}

function targetOf(socket: Subscriber): PublishTarget {
  const target = typeof socket === "object" && socket !== null ? publishTargetOf(socket) : undefined;
  if (!target) {
    throw new TypeError("Only server-side sockets of omnisocket's server forms can subscribe to topics");
  }
  return target;
}

function topicName(topic: string): string {
  if (typeof topic !== "string" || topic === "") throw new TypeError("A topic is a non-empty string");
  return topic;
}

function messageData(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string") return data;
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === "[object SharedArrayBuffer]") return new Uint8Array(data);
  throw new TypeError("publish() takes a string, an ArrayBuffer or an ArrayBufferView");
}

function exceptSet(except: PublishOptions["except"]): Set<Subscriber> | null {
  if (except === undefined || except === null) return null;
  if (typeof (except as Iterable<Subscriber>)[Symbol.iterator] === "function" && publishTargetOf(except) === undefined) {
    return new Set(except as Iterable<Subscriber>);
  }
  return new Set([except as Subscriber]);
}
