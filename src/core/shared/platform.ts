/**
 * The only globals the engine touches, typed here so the core compiles with
 * `lib: ["ES2022"]` and no runtime types: a leak elsewhere is a compile error.
 */
interface CoreGlobals {
  TextEncoder: new () => { encode(input: string): Uint8Array; encodeInto(s: string, d: Uint8Array): { read: number; written: number } };
  TextDecoder: new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }) => {
    decode(input?: Uint8Array, options?: { stream?: boolean }): string;
  };
  crypto: { getRandomValues<T extends Uint8Array>(array: T): T };
}

const g = globalThis as unknown as CoreGlobals;

export const textEncoder = new g.TextEncoder();

/**
 * The UTF-8 bytes of `text`. ASCII text (most JSON) is written with
 * encodeInto into an array of exactly its length, which on Node 20 is many
 * times faster than encode(); other text falls back to encode().
 */
export function encodeUtf8(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  // Every code unit takes at least one byte, so reading all of them into
  // text.length bytes means one byte each: the text was ASCII.
  if (textEncoder.encodeInto(text, out).read === text.length) return out;
  return textEncoder.encode(text);
}

/** Decodes bytes already validated as UTF-8. */
export const textDecoder = new g.TextDecoder("utf-8", { ignoreBOM: true });

export function newTextDecoder(fatal: boolean): InstanceType<CoreGlobals["TextDecoder"]> {
  return new g.TextDecoder("utf-8", { fatal, ignoreBOM: true });
}

/** A source of random bytes; injectable so tests can fix masks and keys. */
export type RandomSource = (buffer: Uint8Array) => Uint8Array;

export const defaultRandom: RandomSource = (buffer) => g.crypto.getRandomValues(buffer);
