/**
 * A toy permessage extension for the pipeline tests. It claims RSV1 and
 * "compresses" by putting a 0xFF byte in front of the payload (so a
 * compressed text message is not UTF-8 on the wire) and "inflates" by taking
 * it off. It can answer synchronously or after a random number of microtask
 * turns (no timers), and fail on demand.
 */
import type { ActiveExtension, Extension, ExtensionMessage, ExtensionSession } from "../../../src/core/websocket/extensions/extension.ts";

export const MARK = 0xff;

export interface ToyOptions {
  /** Answer after 0..maxDelay microtask turns; 0 answers synchronously. */
  maxDelay?: number;
  /** Seed of the delay sequence. */
  seed?: number;
  /** Throw (or reject) for payloads that start with this text. */
  failOn?: string;
  /** `closeCode` on the thrown error. */
  closeCode?: number;
  /** Incoming: repeat the inflated payload this many times. */
  expand?: number;
  /** Tag prepended on the way out (to see the order of several sessions). */
  tag?: string;
}

/** mulberry32: a small seeded PRNG, so random delays repeat. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

/** Lets every pending toy answer settle (and the engine's then-callbacks run). */
export async function drain(): Promise<void> {
  // Toy answers and the engine's callbacks are all microtasks: one macrotask
  // turn runs every one of them, however long their chains are.
  await new Promise((resolve) => setTimeout(resolve, 0));
}

const decoder = new TextDecoder();

export class ToySession implements ExtensionSession {
  closed = 0;
  readonly seen: { direction: "in" | "out"; data: Uint8Array }[] = [];
  private readonly random: () => number;

  constructor(private readonly options: ToyOptions = {}) {
    this.random = prng(options.seed ?? 1);
  }

  processOutgoingMessage(message: ExtensionMessage): ExtensionMessage | Promise<ExtensionMessage> {
    this.seen.push({ direction: "out", data: message.data });
    return this.answer(message, () => {
      if (message.compress === false) return message;
      const tag = new TextEncoder().encode(this.options.tag ?? "");
      const data = new Uint8Array(1 + tag.length + message.data.length);
      data[0] = MARK;
      data.set(tag, 1);
      data.set(message.data, 1 + tag.length);
      return { ...message, rsv1: true, data };
    });
  }

  processIncomingMessage(message: ExtensionMessage): ExtensionMessage | Promise<ExtensionMessage> {
    this.seen.push({ direction: "in", data: message.data });
    return this.answer(message, () => {
      if (!message.rsv1) return message;
      if (message.data[0] !== MARK) throw Object.assign(new Error("bad toy data"), { closeCode: 1007 });
      let data = message.data.subarray(1);
      const times = this.options.expand ?? 1;
      if (times > 1) {
        const out = new Uint8Array(data.length * times);
        for (let i = 0; i < times; i++) out.set(data, i * data.length);
        data = out;
      }
      return { ...message, rsv1: false, data };
    });
  }

  close(): void {
    this.closed++;
  }

  private answer(message: ExtensionMessage, work: () => ExtensionMessage): ExtensionMessage | Promise<ExtensionMessage> {
    const failOn = this.options.failOn;
    const text = decoder.decode(message.data.subarray(message.data[0] === MARK ? 1 : 0));
    const fails = failOn !== undefined && text.startsWith(failOn);
    const fail = () => {
      const err = new Error(`toy refuses "${text}"`);
      throw this.options.closeCode === undefined ? err : Object.assign(err, { closeCode: this.options.closeCode });
    };
    const max = this.options.maxDelay ?? 0;
    if (max === 0) {
      if (fails) fail();
      return work();
    }
    const delay = Math.floor(this.random() * (max + 1));
    return turns(delay).then(() => {
      if (fails) fail();
      return work();
    });
  }
}

export function toyExtension(rsv1 = true): Extension {
  return {
    name: "x-toy",
    type: "permessage",
    rsv1,
    rsv2: false,
    rsv3: false,
    createClientSession: () => null,
    createServerSession: () => null,
  };
}

export function toy(options: ToyOptions = {}): ActiveExtension & { session: ToySession } {
  return { extension: toyExtension(), session: new ToySession(options) };
}
