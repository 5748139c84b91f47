/**
 * permessage-deflate's compressor on node:zlib, which Node, Deno and Bun
 * all ship; and `permessageDeflate()`, the extension users pass in
 * `extensions: [...]`.
 *
 *   Deflater: data ----write (Z_SYNC_FLUSH)----> DeflateRaw --> chunks --> bytes
 *   Inflater: payload + 00 00 ff ff --write (Z_SYNC_FLUSH)--> InflateRaw --> chunks, counted:
 *             past maxLength the stream is destroyed at once -> null
 *
 * One zlib stream per context, opened on first use and kept between
 * messages (context takeover); `reset()` clears its window in place. The
 * streams are made with `flush: Z_SYNC_FLUSH`, so one write is one zlib
 * call that also flushes: a message costs one trip to the thread pool (and
 * one more per chunkSize of output past the first), not one per write plus
 * one for flush() (2 to deflate, 3 to inflate, as ws and faye do). The core
 * decides everything else (tails, resets, order, limits). Runtime
 * differences handled here: Deno runs the callback of a failed write
 * before 'error' (the stream is already destroyed then), so the callback
 * checks `destroyed`; an 'error' may come after a job, so the listener
 * stays for the stream's life; a BFINAL block ends the stream ('end'), so
 * the next job opens a new one.
 */
import zlib from "node:zlib";
import { concatBytes } from "../../core/shared/bytes.ts";
import type { CodecOptions, DeflateCodec, Deflater, Inflater } from "../../core/websocket/extensions/permessage-deflate/codec.ts";
import type { Extension } from "../../core/websocket/extensions/extension.ts";
import { createPermessageDeflate, type PermessageDeflateOptions } from "../../core/websocket/extensions/permessage-deflate/extension.ts";

type ZlibStream = zlib.DeflateRaw | zlib.InflateRaw;

interface Job {
  stream: ZlibStream;
  chunks: Uint8Array[];
  length: number;
  limit: number;
  resolve: (value: Uint8Array | null) => void;
  reject: (error: Error) => void;
}

/**
 * Inputs up to this size are joined into one write (one zlib call); larger
 * ones are written as they are, to spare the copy.
 */
const JOIN_LIMIT = 64 * 1024;

/** One zlib stream and the single job it runs at a time. */
class ZlibContext {
  private stream: ZlibStream | null = null;
  private onFlush: (() => void) | null = null;
  private job: Job | null = null;
  private closed = false;

  constructor(private readonly open: () => ZlibStream) {}

  /** Writes `chunks` (each write sync-flushes), and resolves to the output (null past `limit`). */
  protected run(chunks: readonly Uint8Array[], limit: number): Promise<Uint8Array | null> {
    if (this.closed) return Promise.reject(new Error("zlib context is closed"));
    if (this.job) return Promise.reject(new Error("zlib context is busy"));
    const stream = this.stream ?? this.start();
    const onFlush = this.onFlush!;
    return new Promise((resolve, reject) => {
      this.job = { stream, chunks: [], length: 0, limit, resolve, reject };
      const input = chunks.length === 1 ? chunks : joinSmall(chunks);
      const last = input.length - 1;
      // The callback of the last write runs once zlib has consumed and
      // flushed everything, after the output went out as 'data'.
      for (let i = 0; i < last; i++) stream.write(input[i]);
      stream.write(input[last], onFlush);
    });
  }

  reset(): void {
    if (this.job) return; // the core resets between jobs only
    this.stream?.reset();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error("zlib context is closed"));
    this.drop();
  }

  /** Opens the stream, with listeners bound once for its life (not per message). */
  private start(): ZlibStream {
    const stream = this.open();
    this.stream = stream;
    stream.on("data", (chunk: Uint8Array) => this.data(stream, chunk));
    stream.on("error", (error: Error) => {
      if (this.stream === stream) this.stream = null;
      if (this.job?.stream === stream) this.fail(error);
    });
    // A BFINAL block ended the DEFLATE stream: what follows needs a new one.
    stream.on("end", () => {
      if (this.stream === stream) this.stream = null;
    });
    this.onFlush = () => this.flushed(stream);
    return stream;
  }

  private data(stream: ZlibStream, chunk: Uint8Array): void {
    const job = this.job;
    if (!job || job.stream !== stream) return;
    job.length += chunk.length;
    if (job.length > job.limit) {
      // Past maxLength: stop inflating now rather than buffer the rest.
      this.job = null;
      this.drop();
      job.resolve(null);
      return;
    }
    job.chunks.push(chunk);
  }

  private flushed(stream: ZlibStream): void {
    const job = this.job;
    if (!job || job.stream !== stream) return;
    if (stream.destroyed) return this.fail((stream.errored as Error | null) ?? new Error("zlib stream destroyed"));
    this.job = null;
    if (this.stream !== stream) stream.close(); // ended by BFINAL
    job.resolve(join(job.chunks, job.length));
  }

  private fail(error: Error): void {
    const job = this.job;
    if (!job) return;
    this.job = null;
    if (this.stream === job.stream) this.drop();
    job.reject(error);
  }

  private drop(): void {
    const stream = this.stream;
    this.stream = null;
    this.onFlush = null;
    stream?.close();
  }
}

/** Small inputs as one chunk (one zlib call); big ones as they are. */
function joinSmall(chunks: readonly Uint8Array[]): readonly Uint8Array[] {
  let length = 0;
  for (const c of chunks) length += c.length;
  return length <= JOIN_LIMIT ? [join(chunks, length)] : chunks;
}

/** Plain Uint8Array views (no Buffer past this file), one copy at most. */
function join(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) {
    const c = chunks[0]!;
    return new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
  }
  return concatBytes(chunks, length);
}

class NodeDeflater extends ZlibContext implements Deflater {
  deflate(data: Uint8Array): Promise<Uint8Array> {
    return this.run([data], Infinity) as Promise<Uint8Array>; // never null: no limit
  }
}

class NodeInflater extends ZlibContext implements Inflater {
  inflate(chunks: readonly Uint8Array[], maxLength: number): Promise<Uint8Array | null> {
    return this.run(chunks, maxLength);
  }
}

/** The node:zlib codec; stateless, one for every connection. */
export const nodeDeflateCodec: DeflateCodec = {
  createDeflater(options: CodecOptions): Deflater {
    const settings = { ...(options.options as zlib.ZlibOptions | undefined), windowBits: options.windowBits, flush: zlib.constants.Z_SYNC_FLUSH };
    return new NodeDeflater(() => zlib.createDeflateRaw(settings));
  },
  createInflater(options: CodecOptions): Inflater {
    const settings = { ...(options.options as zlib.ZlibOptions | undefined), windowBits: options.windowBits, flush: zlib.constants.Z_SYNC_FLUSH };
    return new NodeInflater(() => zlib.createInflateRaw(settings));
  },
};

/** permessage-deflate options with node:zlib's option types for the compressor and decompressor. */
export interface NodePermessageDeflateOptions extends PermessageDeflateOptions {
  /** node:zlib options of the compressor (level, memLevel, strategy, chunkSize). */
  zlibDeflateOptions?: zlib.ZlibOptions;
  /** node:zlib options of the decompressor (chunkSize). */
  zlibInflateOptions?: zlib.ZlibOptions;
}

/**
 * permessage-deflate (RFC 7692) on node:zlib, for either role:
 * `new WebSocket(url, [], { extensions: [permessageDeflate()] })`.
 */
export function permessageDeflate(options: NodePermessageDeflateOptions = {}): Extension {
  return createPermessageDeflate({ ...options, codec: nodeDeflateCodec });
}
