/**
 * A queue that releases values in the order they were queued, whatever
 * order they settle in: the ordering guarantee of the extension pipeline.
 */

interface Slot<T> {
  done: boolean;
  value: T | undefined;
}

/**
 * Releases values in the order they were queued, however they settle.
 * `add` for a value known now, `reserve` + `settle` for one that comes later.
 */
export class OrderedQueue<T> {
  private slots: Slot<T>[] = [];

  constructor(private readonly release: (value: T) => void) {}

  get idle(): boolean {
    return this.slots.length === 0;
  }

  /** Values queued and not yet released (settled or not). */
  get size(): number {
    return this.slots.length;
  }

  add(value: T): void {
    if (this.slots.length === 0) this.release(value);
    else this.slots.push({ done: true, value });
  }

  reserve(): Slot<T> {
    const slot: Slot<T> = { done: false, value: undefined };
    this.slots.push(slot);
    return slot;
  }

  settle(slot: Slot<T>, value: T): void {
    slot.done = true;
    slot.value = value;
    while (this.slots.length > 0 && this.slots[0]!.done) {
      this.release(this.slots.shift()!.value as T);
    }
  }

  clear(): void {
    this.slots = [];
  }
}
