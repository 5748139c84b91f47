/**
 * The topic registry of pub/sub, sans I/O: which sockets listen to which
 * topics, both ways round, so that a publish finds its subscribers in one
 * lookup and a closing socket leaves all its topics in one step.
 *
 *   topic  --> Set<subscriber>   (publish walks an array copy of it, kept until it changes)
 *   socket --> Set<topic>        (subscriptions, and unsubscribeAll on close)
 *
 * Subscribers are opaque here: any object (a socket face) will do.
 */

export class TopicRegistry<S extends object> {
  readonly #byTopic = new Map<string, Set<S>>();
  readonly #bySocket = new Map<S, Set<string>>();
  /** Per topic, its subscribers as an array, rebuilt after a change (a publish walks it without copying). */
  readonly #snapshots = new Map<string, readonly S[]>();

  /**
   * Adds `socket` to `topic`. Returns true when it was not subscribed yet;
   * `first` in the result tells the topic had no subscriber before (a
   * backplane subscribes to it then).
   */
  subscribe(socket: S, topic: string): { added: boolean; first: boolean } {
    let sockets = this.#byTopic.get(topic);
    const first = sockets === undefined;
    if (!sockets) this.#byTopic.set(topic, (sockets = new Set()));
    if (sockets.has(socket)) return { added: false, first: false };
    sockets.add(socket);
    this.#snapshots.delete(topic);
    let topics = this.#bySocket.get(socket);
    if (!topics) this.#bySocket.set(socket, (topics = new Set()));
    topics.add(topic);
    return { added: true, first };
  }

  /**
   * Removes `socket` from `topic`. Returns whether it was subscribed, and
   * `last` when the topic has no subscriber left.
   */
  unsubscribe(socket: S, topic: string): { removed: boolean; last: boolean } {
    const sockets = this.#byTopic.get(topic);
    if (!sockets || !sockets.delete(socket)) return { removed: false, last: false };
    this.#snapshots.delete(topic);
    const last = sockets.size === 0;
    if (last) this.#byTopic.delete(topic);
    const topics = this.#bySocket.get(socket)!;
    topics.delete(topic);
    if (topics.size === 0) this.#bySocket.delete(socket);
    return { removed: true, last };
  }

  /** Removes `socket` from every topic; returns the topics left with no subscriber. */
  unsubscribeAll(socket: S): string[] {
    const topics = this.#bySocket.get(socket);
    if (!topics) return [];
    const emptied: string[] = [];
    for (const topic of [...topics]) {
      if (this.unsubscribe(socket, topic).last) emptied.push(topic);
    }
    return emptied;
  }

  isSubscribed(socket: S, topic: string): boolean {
    return this.#byTopic.get(topic)?.has(socket) ?? false;
  }

  /** The topics `socket` is subscribed to, in subscription order. */
  subscriptions(socket: S): string[] {
    const topics = this.#bySocket.get(socket);
    return topics ? [...topics] : [];
  }

  /** The subscribers of `topic` (live: copy before changing it while walking). */
  subscribers(topic: string): ReadonlySet<S> {
    return this.#byTopic.get(topic) ?? EMPTY;
  }

  /**
   * The subscribers of `topic` as they are now, in subscription order: an
   * array nobody changes (a change makes a new one), so walking it is safe
   * while sockets leave or join.
   */
  snapshot(topic: string): readonly S[] {
    let snapshot = this.#snapshots.get(topic);
    if (snapshot === undefined) {
      const sockets = this.#byTopic.get(topic);
      if (!sockets) return EMPTY_ARRAY;
      this.#snapshots.set(topic, (snapshot = [...sockets]));
    }
    return snapshot;
  }

  /** How many sockets are subscribed to `topic`. */
  subscriberCount(topic: string): number {
    return this.#byTopic.get(topic)?.size ?? 0;
  }

  /** Every topic with at least one subscriber. */
  topics(): string[] {
    return [...this.#byTopic.keys()];
  }
}

const EMPTY: ReadonlySet<never> = new Set<never>();
const EMPTY_ARRAY: readonly never[] = [];
