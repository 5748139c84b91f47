/**
 * The fragments of one data message (RFC 6455 section 5.4), joined as they
 * arrive into one growing buffer.
 *
 *   frame 1 payload ----------------------> kept as is (a view, no copy)
 *   frame 2 payload --> [ 1 | 2 | free     ]  one buffer, doubled as needed
 *   frame n payload --> [ 1 | 2 | .. | n | ]  up to `limit` bytes
 *
 * A list of every fragment would cost an object per fragment and keep
 * alive the whole transport chunk each small fragment is a view of: 32
 * million 1-byte fragments are gigabytes. Here a message holds its own
 * bytes and at most as much again in spare room, whatever its fragment
 * count; the spare room is capped at `limit` (the message size limit).
 */

export class MessageBuffer {
  private buffer: Uint8Array = EMPTY;
  private length = 0;
  /** `buffer` is ours (growable); otherwise it is the first fragment itself. */
  private owned = false;

  constructor(private readonly limit: number) {}

  /** Bytes held so far. */
  get size(): number {
    return this.length;
  }

  append(payload: Uint8Array): void {
    const n = payload.length;
    if (this.length === 0 && !this.owned) {
      this.buffer = payload;
      this.length = n;
      return;
    }
    if (n === 0) return;
    const need = this.length + n;
    if (!this.owned || need > this.buffer.length) {
      // Room for the message to double, within the limit (the parser has
      // already refused anything past it, so `need` fits).
      const grown = new Uint8Array(Math.max(need, Math.min(need * 2, this.limit)));
      grown.set(this.length === this.buffer.length ? this.buffer : this.buffer.subarray(0, this.length));
      this.buffer = grown;
      this.owned = true;
    }
    this.buffer.set(payload, this.length);
    this.length = need;
  }

  /** The whole message; the buffer starts empty again. */
  take(): Uint8Array {
    const data = this.owned ? this.buffer.subarray(0, this.length) : this.buffer;
    this.buffer = EMPTY;
    this.length = 0;
    this.owned = false;
    return data;
  }
}

const EMPTY = new Uint8Array(0);
