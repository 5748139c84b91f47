/**
 * A count of every frame any connection of this process queued for output,
 * so the pub/sub hub can tell in one comparison that nothing was sent
 * anywhere since its last publish:
 *
 *   publish(A) to "room": a place reserved on every subscriber, epoch read
 *   publish(B) to "room", same task, epoch unchanged?
 *       yes: B joins A's shared bytes (no walk over the subscribers)
 *       no (a send, a close, another publish came between): B is queued
 *          on each subscriber behind what came between, as usual
 *
 * OutputQueue is the engine's output queue (the OrderedQueue it always
 * was) with the count kept on every add and reserve.
 */
import { OrderedQueue } from "../shared/ordered-queue.ts";

let epoch = 0;

/** Changes whenever any connection queues output. */
export function outputEpoch(): number {
  return epoch;
}

export class OutputQueue<T> extends OrderedQueue<T> {
  override add(value: T): void {
    epoch++;
    super.add(value);
  }

  override reserve(): ReturnType<OrderedQueue<T>["reserve"]> {
    epoch++;
    return super.reserve();
  }
}
