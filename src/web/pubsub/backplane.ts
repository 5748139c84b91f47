/**
 * The backplane port: how one hub's publishes reach the hubs of other
 * processes or machines. A hub always delivers to its own subscribers
 * itself, at once; the backplane carries the message to every other hub
 * subscribed to the topic, which delivers it to its own.
 *
 *   hub A.publish --> A's subscribers
 *              \--> backplane.publish(message) ~~> hub B.deliver --> B's subscribers
 *                                              ~~> hub C.deliver --> C's subscribers
 *
 * Contract every backplane keeps:
 *   - messages from one publisher arrive at each other hub in publish order;
 *   - a hub never gets its own messages back (it delivered them already);
 *   - delivery is at most once: a message published while the backplane is
 *     down (not `connected`) is dropped, never replayed, and counted in
 *     `dropped`; once it is back, it resubscribes to the hub's topics.
 *
 * No backplane at all (the default) is the in-process case: one hub, its
 * own subscribers.
 */

/** A message on the backplane: a topic and the data published to it. */
export interface BackplaneMessage {
  /** The topic it was published to. */
  topic: string;
  /** The data: a string for text, bytes for binary. */
  data: string | Uint8Array;
}

/** How a hub reaches the hubs of other processes or machines (in-process when there is none). */
export interface Backplane {
  /** Called once by the hub that uses this backplane: where messages from other hubs go. */
  start(deliver: (message: BackplaneMessage) => void): void;
  /** The hub has a first local subscriber for `topic`. */
  subscribe(topic: string): void;
  /** The hub's last local subscriber for `topic` left. */
  unsubscribe(topic: string): void;
  /** Carries a message published on this hub to the other hubs. */
  publish(message: BackplaneMessage): void;
  /** True while messages can be carried. */
  readonly connected: boolean;
  /** Messages dropped because the backplane was down when they were published. */
  readonly dropped: number;
  /** Stops carrying messages and releases what the backplane holds. */
  close(): Promise<void>;
}
