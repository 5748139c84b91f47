/**
 * What the pub/sub hub needs of a socket, whichever face it wears (the
 * WHATWG WebSocket, omnisocket/ws's WebSocket) and whichever driver moves
 * its bytes (our engine, or a runtime that runs the protocol itself).
 *
 *   hub.publish --sendShared(message)--> engine connection (framed once, queued)
 *   end of task --flush()-----------------> one write per connection for every publish of the task
 *   hub.publish --sendMessage(data)--------> everything else (per connection)
 *
 * Each face registers its server-side sockets here, as they are accepted
 * or (registerPublishTargetFactory) when the hub first looks one up; the
 * hub looks them up, so no face grows pub/sub methods of its own.
 */
import type { SharedMessage } from "../../core/pubsub/shared-message.ts";
import type { NativeTopics } from "../websocket/host-driver.ts";

export type { NativeTopics };

export interface PublishTarget {
  /** True while the socket is OPEN and messages can be sent. */
  readonly open: boolean;
  /** True once the socket is CLOSED: subscribing it does nothing. */
  readonly closed: boolean;
  /**
   * Queues the message framed once for every subscriber (plain, or
   * compressed once for connections that agreed on no context takeover),
   * in order with the socket's other sends, without writing it yet: the hub
   * calls `flush()` once per socket for all it queued in one task. False
   * when this connection must send it itself (permessage-deflate with
   * context takeover, a draft wire format, a runtime that frames itself, a
   * send still waiting for a Blob); null when the socket is not open
   * (nothing is sent, now or later).
   */
  sendShared(message: SharedMessage): boolean | null;
  /**
   * Reserves this socket's place in its output for a burst of shared frames
   * (the hub fills it with settleShared before flush()); null when the
   * socket takes them only through sendShared (or is not open).
   */
  reserveShared?(): object | null;
  /** Fills a place reserveShared() kept: whole frames, `bytes` of payload. */
  settleShared?(slot: object, chunks: readonly Uint8Array[], bytes: number): void;
  /** Writes what sendShared queued (all of it in one write where the runtime allows). */
  flush(): void;
  /** The hub's bookkeeping: true while this socket waits for its flush(). Faces start it false. */
  flushQueued: boolean;
  /** Sends the message on this connection alone (its own framing, its own compression). */
  sendMessage(data: string | Uint8Array, compress: boolean | undefined): void;
  /** The runtime's own topics (Bun.serve), when the socket is open and has them. */
  readonly native?: NativeTopics;
  /** Calls `listener` once when the socket closes. */
  onClose(listener: () => void): void;
}

const targets = new WeakMap<object, PublishTarget>();

/** For faces: makes `socket` usable with the hub. */
export function registerPublishTarget(socket: object, target: PublishTarget): void {
  targets.set(socket, target);
}

/** Faces that make a socket's target when the hub first asks (none is made for sockets never published to). */
const factories: Array<(socket: object) => PublishTarget | undefined> = [];

/** For faces: `factory` answers the target of its server-side sockets, made on first use, or undefined for others. */
export function registerPublishTargetFactory(factory: (socket: object) => PublishTarget | undefined): void {
  factories.push(factory);
}

/** The target of a socket, or undefined for a socket that is not a server-side socket of ours. */
export function publishTargetOf(socket: object): PublishTarget | undefined {
  let target = targets.get(socket);
  if (target !== undefined) return target;
  for (let i = 0; i < factories.length && target === undefined; i++) target = factories[i]!(socket);
  if (target !== undefined) targets.set(socket, target);
  return target;
}
