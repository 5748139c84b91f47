/**
 * WHATWG bufferedAmount bookkeeping for one connection: payload bytes given
 * to send() that have not reached the network yet.
 *
 *   send(n bytes) --add(n)--> pending += n            (in the send() call)
 *   later task: transport empty? --yes--> pending = 0  (the bytes left)
 *                                --no---> look again on drain or after a while
 *
 * Frame headers and control frames never count (websockets standard,
 * "bufferedAmount": "the number of bytes of application data").
 */

/** How long to wait before looking again at a transport that still holds bytes, in milliseconds. */
const RECHECK_MS = 10;

/** Who a SentBytes asks and tells: the connection (methods, so no closure per connection). */
export interface SentSource {
  /** How many bytes the transport still holds (0 when all went out), or null once the connection is gone (nothing more leaves). */
  bytesInTransport(): number | null;
  /** The amount fell to 0: every byte sent so far left. */
  bytesSent(): void;
}

export class SentBytes {
  readonly #source: SentSource;
  #pending = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  /** Waiting in `due` for the next task. */
  #due = false;

  constructor(source: SentSource) {
    this.#source = source;
  }

  get amount(): number {
    return this.#pending;
  }

  add(bytes: number): void {
    this.#pending += bytes;
    if (this.#timer === undefined && !this.#stopped && !this.#due) {
      // One timer for every connection that sent in this task (a publish to
      // thousands of sockets arms one, not thousands).
      this.#due = true;
      due.push(this);
      if (due.length === 1) setTimeout(settleDue, 0);
    }
  }

  /** The transport drained: look now. */
  check(): void {
    if (this.#pending > 0 && !this.#stopped) this.settle();
  }

  /** The connection is gone: what was not sent stays counted, and nothing runs any more. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Looks at the transport: the amount falls to 0 once it is empty, else look again soon. */
  settle(): void {
    this.#due = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stopped || this.#pending === 0) return;
    const held = this.#source.bytesInTransport();
    if (held === null) this.#stopped = true;
    else if (held === 0) {
      this.#pending = 0;
      this.#source.bytesSent();
    } else this.#timer = setTimeout(() => this.settle(), RECHECK_MS);
  }
}

/** The SentBytes to settle in the next task, in the order they sent. */
let due: SentBytes[] = [];

function settleDue(): void {
  const settle = due;
  due = [];
  for (let i = 0; i < settle.length; i++) settle[i]!.settle();
}

/** UTF-8 length of a string without encoding it. */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 4 bytes for 2 code units
      i++;
    } else n += 2; // 3 bytes (a lone surrogate becomes U+FFFD, also 3)
  }
  return n;
}
