/**
 * A backplane over the web platform's BroadcastChannel: every hub that
 * opens a channel of the same name, in the same process or in its workers
 * (worker_threads on Node, Web Workers on Deno and Bun), gets the others'
 * publishes. BroadcastChannel does not cross processes: for node:cluster
 * workers or several machines, use the Redis backplane (./redis.ts).
 *
 * The channel delivers one sender's messages in the order they were posted
 * (HTML, "broadcasting to other browsing contexts"), and never back to the
 * object that posted them, as the backplane contract asks (./backplane.ts).
 * Every hub gets every topic and keeps the ones it has subscribers for.
 */
import type { Backplane, BackplaneMessage } from "./backplane.ts";

/** A backplane over a BroadcastChannel: hubs in workers of one process (not across node:cluster processes). */
export class BroadcastChannelBackplane implements Backplane {
  readonly #channel: BroadcastChannel;
  #closed = false;
  #dropped = 0;

  /** Joins the BroadcastChannel called `name`; hubs on the same name share their publishes. */
  constructor(name = "omnisocket-pubsub") {
    this.#channel = new BroadcastChannel(name);
  }

  start(deliver: (message: BackplaneMessage) => void): void {
    this.#channel.onmessage = (event: MessageEvent) => {
      const message = event.data as BackplaneMessage;
      if (message && typeof message.topic === "string") deliver({ topic: message.topic, data: message.data });
    };
    // A channel with a message listener keeps a process alive; the hub's close() releases it.
  }

  subscribe(): void {}

  unsubscribe(): void {}

  publish(message: BackplaneMessage): void {
    if (this.#closed) {
      this.#dropped++;
      return;
    }
    this.#channel.postMessage({ topic: message.topic, data: message.data });
  }

  get connected(): boolean {
    return !this.#closed;
  }

  get dropped(): number {
    return this.#dropped;
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#channel.onmessage = null;
    this.#channel.close();
    return Promise.resolve();
  }
}
