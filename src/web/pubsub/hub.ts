/**
 * The pub/sub hub: topics over server-side sockets of every server form
 * (node:http hook, listen(), omnisocket/ws's WebSocketServer, Deno.serve,
 * Bun.serve), with Bun's vocabulary: subscribe, unsubscribe, isSubscribed,
 * subscriptions, publish.
 *
 *   hub.subscribe(ws, "room")         TopicRegistry (core/pubsub/topics.ts)
 *   hub.publish("room", data, opts)
 *      |- one SharedMessage            core/pubsub/shared-message.ts
 *      |- every subscriber our engine runs: target.sendShared(message): the plain
 *      |      frame built once, or (permessage-deflate, no context takeover) the
 *      |      frame compressed once per agreement
 *      |- the others (deflate with context takeover, Deno.serve sockets):
 *      |      target.sendMessage(data, compress)   (their own framing)
 *      |- Bun.serve sockets: one native server.publish per Bun server
 *      \- backplane.publish({ topic, data })  --> the other processes' hubs
 *
 * Delivery on this hub is in publish order: publish() queues the message
 * on every subscriber at once (in order with that socket's own sends), and
 * the writes follow in a microtask, one per socket for every publish of
 * the task (a burst of publishes costs each subscriber one write, not one
 * per message). A socket that is not OPEN is skipped (one that closes
 * mid-publish gets nothing more), and a failing send on one socket never
 * stops the others.
 */
import { TopicRegistry } from "../../core/pubsub/topics.ts";
import { SharedMessage } from "../../core/pubsub/shared-message.ts";
import type { Backplane, BackplaneMessage } from "./backplane.ts";
import { publishTargetOf, type PublishTarget } from "./target.ts";
import { Burst, queueBurst, queueFlush } from "./burst.ts";
import { encodeShared } from "../../core/pubsub/shared-frame.ts";
import { outputEpoch } from "../../core/pubsub/output-epoch.ts";

/** Anything a server form of ours hands out as a socket. */
export type Subscriber = object;

/** Options of one publish(). */
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

/** Options of a PubSub hub. */
export interface PubSubOptions {
  /** Carries publishes to other processes or machines (./backplane.ts); none by default. */
  backplane?: Backplane;
}

/** Counters, for tests, benchmarks and monitoring. */
export interface PubSubStats {
  /** Messages published on this hub. */
  publishes: number;
  /**
   * Frames built for sharing: per publish at most one plain frame, plus one
   * compressed frame per permessage-deflate agreement with no context
   * takeover (window size), whatever the number of subscribers.
   */
  framings: number;
  /** Compressions made once for many subscribers (part of `framings`). */
  compressions: number;
  /** Deliveries through a shared frame. */
  sharedSends: number;
  /** Deliveries a connection framed itself (compression negotiated, runtime-run sockets). */
  ownSends: number;
  /** Messages that came from the backplane. */
  received: number;
  /** Publishes handed to a runtime's native topics (Bun.serve: one per server per publish). */
  nativePublishes: number;
  /** Deliveries made through a runtime's native topics. */
  nativeSends: number;
}

let hubs = 0;

/**
 * A topic hub for server sockets of every server form (Bun's vocabulary:
 * subscribe, unsubscribe, isSubscribed, publish): a publish is framed once
 * and the same bytes go to every subscriber; a backplane carries it to
 * other processes or machines.
 */
export class PubSub {
  readonly #topics = new TopicRegistry<Subscriber>();
  readonly #watched = new WeakSet<Subscriber>();
  readonly #backplane: Backplane | null;
  /** What this hub has done so far (publishes, framings, compressions, sends). */
  readonly stats: PubSubStats = { publishes: 0, framings: 0, compressions: 0, sharedSends: 0, ownSends: 0, received: 0, nativePublishes: 0, nativeSends: 0 };
  /** Prefix of this hub's topics among a runtime's native topics (two hubs on one Bun server stay apart). */
  readonly #native = `omnisocket:${++hubs}:`;
  /** The burst later publishes of this task may join (./burst.ts). */
  #burst: Burst | null = null;

  /** A hub; with `options.backplane`, publishes also reach the hubs of other processes. */
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
    // A socket not open yet gets its native subscription at its first publish.
    try {
      target.native?.subscribe(this.#native + topic);
    } catch {
      // Closing in the runtime already: its close event unsubscribes it here.
    }
    return true;
  }

  /** Unsubscribes `socket` from `topic`; false when it was not subscribed. */
  unsubscribe(socket: Subscriber, topic: string): boolean {
    const { removed, last } = this.#topics.unsubscribe(socket, topicName(topic));
    if (removed) unsubscribeNative(publishTargetOf(socket), this.#native + topic);
    if (last) this.#backplane?.unsubscribe(topic);
    return removed;
  }

  /** True when `socket` is subscribed to `topic` on this hub. */
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
    const subscribers = this.#topics.snapshot(topic);
    if (subscribers.length === 0) return 0;
    const open = this.#burst;
    if (open !== null && except === null && !open.done && open.topic === topic && open.subscribers === subscribers && open.epoch === outputEpoch()) {
      // The same subscribers, nothing sent anywhere since the last publish of this task: join it.
      const frame = encodeShared(data);
      open.add(frame.chunks, frame.payloadLength);
      open.epoch = outputEpoch();
      this.stats.framings++;
      this.stats.sharedSends += open.targets.length;
      return open.targets.length;
    }
    this.#burst = null;
    const nativeName = this.#native + topic;
    const shared = new SharedMessage(data, compress);
    // Plain subscribers get a place kept for this publish and any that join it in this task.
    const burst = except === null ? new Burst(topic, subscribers) : null;
    let groups: Map<object, NativeGroup> | null = null;
    let count = 0;
    let sharedSends = 0;
    // A snapshot: a socket closing during the walk leaves the live set, not this array.
    for (let i = 0; i < subscribers.length; i++) {
      const socket = subscribers[i]!;
      const target = publishTargetOf(socket);
      if (!target) continue;
      try {
        if (burst !== null) {
          const slot = target.reserveShared?.() ?? null;
          if (slot !== null) {
            burst.targets.push(target);
            burst.slots.push(slot);
            queueFlush(target);
            continue;
          }
        }
        if (except === null || !except.has(socket)) {
          // Our engine queues the shared frame (null: not open, skipped).
          const queued = target.sendShared(shared);
          if (queued === true) {
            queueFlush(target);
            sharedSends++;
            continue;
          }
          if (queued === null) continue;
        }
        if (!target.open) {
          // Closing: no more messages, not even through the runtime's topics.
          unsubscribeNative(target, nativeName);
          continue;
        }
        const native = target.native;
        if (native) {
          // The runtime frames and sends: one native publish per server, below.
          groups ??= new Map();
          let group = groups.get(native.group);
          if (!group) groups.set(native.group, (group = { members: [], excepted: [] }));
          if (!native.isSubscribed(nativeName)) native.subscribe(nativeName);
          (except?.has(socket) ? group.excepted : group.members).push(target);
          continue;
        }
        if (except?.has(socket)) continue;
        target.sendMessage(data, compress);
        this.stats.ownSends++;
        count++;
      } catch {
        // This socket closed under us (its close event comes); the others still get the message.
      }
    }
    if (burst !== null && burst.targets.length > 0) {
      const frame = shared.plain();
      burst.add(frame.chunks, frame.payloadLength);
      queueBurst(burst);
      sharedSends += burst.targets.length;
      // Later publishes of this task may join it only if every subscriber has a place in it.
      if (burst.targets.length === subscribers.length) {
        burst.epoch = outputEpoch();
        this.#burst = burst;
      }
    }
    this.stats.sharedSends += sharedSends;
    count += sharedSends;
    if (groups) count += this.#publishNative(groups, nativeName, data, compress);
    this.stats.framings += shared.framings;
    this.stats.compressions += shared.transforms;
    return count;
  }

  /**
   * One native publish per runtime server. The runtime leaves out only the
   * socket that publishes (Bun's ws.publish), so a group with one excepted
   * socket publishes through it; with more, each member is sent to alone.
   */
  #publishNative(groups: Map<object, NativeGroup>, name: string, data: string | Uint8Array, compress: boolean | undefined): number {
    let count = 0;
    for (const { members, excepted } of groups.values()) {
      if (members.length === 0) continue;
      try {
        if (excepted.length > 1) {
          for (const target of members) {
            target.sendMessage(data, compress);
            this.stats.ownSends++;
          }
        } else {
          if (excepted.length === 0) members[0]!.native!.publishToAll(name, data, compress);
          else excepted[0]!.native!.publishToOthers(name, data, compress);
          this.stats.nativePublishes++;
          this.stats.nativeSends += members.length;
        }
        count += members.length;
      } catch {
        // The runtime refused (its server is stopping): nothing more to do for this group.
      }
    }
    return count;
  }

  #left(socket: Subscriber): void {
    for (const topic of this.#topics.unsubscribeAll(socket)) this.#backplane?.unsubscribe(topic);
  }
}

interface NativeGroup {
  members: PublishTarget[];
  excepted: PublishTarget[];
}

function unsubscribeNative(target: PublishTarget | undefined, name: string): void {
  try {
    target?.native?.unsubscribe(name);
  } catch {
    // Closed already: the runtime dropped its topics itself.
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
