/** Keeps what arrives until a test asks for it: `next()` resolves with the oldest, or the next to come. */
export class Inbox<T> {
  private queue: T[] = [];
  private waiting: ((item: T) => void)[] = [];

  push(item: T): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(item);
    else this.queue.push(item);
  }

  next(): Promise<T> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift()!);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}
