/**
 * A backplane over node:cluster's IPC channels, for the worker processes of
 * one machine (BroadcastChannel does not cross processes; Redis needs a
 * server). The primary relays: each worker sends its publishes to the
 * primary, which passes them to every other worker.
 *
 *   worker A: hub.publish --process.send--> primary --worker.send--> worker B, C, D
 *
 * In the primary:   relayClusterPubSub(cluster)   (once, before forking)
 * In each worker:   new PubSub({ backplane: new ClusterBackplane() })
 *
 * One IPC channel delivers in order and the primary relays in arrival
 * order, so one worker's messages reach every other worker in publish
 * order. A worker never gets its own messages back. Delivery is at most
 * once: while the channel to the primary is closed (`process.connected`
 * false) a publish is dropped and counted in `dropped`. Binary data
 * crosses as base64 (the channel's default serialization is JSON).
 */
import { Buffer } from "node:buffer";
import type { Backplane, BackplaneMessage } from "../../web/pubsub/backplane.ts";

/** The envelope on the IPC channel. */
interface Envelope {
  omnisocketPubSub: string;
  topic: string;
  text?: string;
  base64?: string;
}

function isEnvelope(message: unknown, channel: string): message is Envelope {
  return typeof message === "object" && message !== null && (message as Envelope).omnisocketPubSub === channel;
}

interface IpcProcess {
  readonly connected?: boolean;
  send?(message: unknown): boolean;
  on(event: "message", listener: (message: unknown) => void): unknown;
  off(event: "message", listener: (message: unknown) => void): unknown;
}

/** The part of node:cluster the relay uses. */
export interface ClusterLike {
  /** True in the primary process. */
  readonly isPrimary: boolean;
  /** The primary's workers, by id. */
  readonly workers?: Record<string, { send(message: unknown): boolean; isConnected(): boolean } | undefined>;
  /** A message from a worker. */
  on(event: "message", listener: (worker: { id: number }, message: unknown) => void): unknown;
}

/**
 * In the primary: passes every worker's publishes to every other worker
 * (the backplanes of one `channel` name). Call once.
 */
export function relayClusterPubSub(cluster: ClusterLike, channel = "omnisocket"): void {
  if (!cluster.isPrimary) throw new TypeError("relayClusterPubSub() runs in the cluster's primary process");
  cluster.on("message", (from, message) => {
    if (!isEnvelope(message, channel)) return;
    for (const [id, worker] of Object.entries(cluster.workers ?? {})) {
      if (!worker || Number(id) === from.id || !worker.isConnected()) continue;
      worker.send(message);
    }
  });
}

/** A backplane for node:cluster workers: publishes travel over the cluster's IPC channel through the primary's relay. */
export class ClusterBackplane implements Backplane {
  readonly #channel: string;
  readonly #process: IpcProcess;
  #listener: ((message: unknown) => void) | null = null;
  #dropped = 0;
  #closed = false;

  /** In a cluster worker; `channel` must match the primary's relayClusterPubSub(). */
  constructor(channel = "omnisocket", ipc: IpcProcess = process as unknown as IpcProcess) {
    if (typeof ipc.send !== "function") throw new TypeError("ClusterBackplane runs in a node:cluster worker (a process with an IPC channel)");
    this.#channel = channel;
    this.#process = ipc;
  }

  start(deliver: (message: BackplaneMessage) => void): void {
    const channel = this.#channel;
    this.#listener = (message) => {
      if (!isEnvelope(message, channel) || this.#closed) return;
      const data = message.text ?? new Uint8Array(Buffer.from(message.base64 ?? "", "base64"));
      deliver({ topic: message.topic, data });
    };
    this.#process.on("message", this.#listener);
  }

  subscribe(): void {}

  unsubscribe(): void {}

  publish(message: BackplaneMessage): void {
    if (!this.connected) {
      this.#dropped++;
      return;
    }
    const envelope: Envelope = { omnisocketPubSub: this.#channel, topic: message.topic };
    if (typeof message.data === "string") envelope.text = message.data;
    else envelope.base64 = Buffer.from(message.data.buffer, message.data.byteOffset, message.data.length).toString("base64");
    this.#process.send!(envelope);
  }

  get connected(): boolean {
    return !this.#closed && this.#process.connected !== false;
  }

  get dropped(): number {
    return this.#dropped;
  }

  close(): Promise<void> {
    this.#closed = true;
    if (this.#listener) this.#process.off("message", this.#listener);
    this.#listener = null;
    return Promise.resolve();
  }
}
