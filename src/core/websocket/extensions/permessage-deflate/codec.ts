/**
 * The compressor permessage-deflate takes from the runtime.
 *
 *   core (extension.ts)                    runtime (e.g. node:zlib)
 *   ----------------------------            ------------------------
 *   negotiation, RSV1, 00 00 ff ff tail,    raw DEFLATE (RFC 1951) with
 *   no_context_takeover, order, limits  --> Z_SYNC_FLUSH, windowBits,
 *                                           stop at maxLength
 *
 * A codec moves bytes through zlib and decides nothing about the protocol:
 * the core strips and appends the 00 00 ff ff tail (RFC 7692 section 7.2),
 * resets contexts, and never runs two jobs of one Deflater or Inflater at
 * once. Results may be synchronous or promises.
 */

/** What the core asks of one compressor or decompressor. */
export interface CodecOptions {
  /**
   * LZ77 window as a power of two, 9..15. permessage-deflate's 8 arrives
   * here as 9: zlib cannot make a raw DEFLATE stream with a 256-byte window.
   */
  windowBits: number;
  /** The user's `zlibDeflateOptions` / `zlibInflateOptions`, passed through. */
  options?: object;
}

/** One connection's outgoing context. */
export interface Deflater {
  /**
   * Compresses one message as raw DEFLATE and flushes with Z_SYNC_FLUSH,
   * keeping the LZ77 window for the next call. The output ends with the
   * empty stored block 00 00 ff ff (the core removes it).
   */
  deflate(data: Uint8Array): Uint8Array | PromiseLike<Uint8Array>;
  /** Forgets the window (no context takeover); called between jobs only. */
  reset(): void;
  /** Frees the compressor; a job in flight rejects. */
  close(): void;
}

/** One connection's incoming context. */
export interface Inflater {
  /**
   * Inflates `chunks` in order as one piece of a raw DEFLATE stream and
   * flushes with Z_SYNC_FLUSH. Resolves to the output, or to `null` as soon
   * as the output would pass `maxLength` bytes: it stops inflating then and
   * never holds more than about `maxLength` bytes. Corrupt input throws or
   * rejects. A stream ended by a BFINAL block starts afresh on the next call.
   */
  inflate(chunks: readonly Uint8Array[], maxLength: number): Uint8Array | null | PromiseLike<Uint8Array | null>;
  /** Forgets the window (no context takeover); called between jobs only. */
  reset(): void;
  /** Frees the decompressor; a job in flight rejects. */
  close(): void;
}

/** Makes compressors; one codec serves every connection. */
export interface DeflateCodec {
  createDeflater(options: CodecOptions): Deflater;
  createInflater(options: CodecOptions): Inflater;
}
