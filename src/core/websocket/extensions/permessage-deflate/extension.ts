/**
 * permessage-deflate (RFC 7692) as an Extension of the core.
 *
 *   outgoing message ──> threshold / compress:false? ──no──> as is
 *        │ yes
 *        v
 *   SerialJobs (one at a time, shared JobLimiter) ──> Deflater.deflate
 *        ──> strip 00 00 ff ff (7.2.1) ──> RSV1 set (section 6)
 *
 *   incoming message ──> RSV1 clear? ──yes──> as is
 *        │ no
 *        v
 *   SerialJobs ──> Inflater.inflate(payload + 00 00 ff ff, maxLength) (7.2.2)
 *        ──> too big: 1009 │ corrupt: 1007 │ else RSV1 cleared
 *
 * Negotiation lives in params.ts; the compressor comes
 * from a DeflateCodec (codec.ts) the runtime supplies. Everything
 * here is runtime-free: Uint8Array in, Uint8Array out.
 */
import { WebSocketError } from "../../../shared/errors.ts";
import type {
  ClientSession,
  Extension,
  ExtensionContext,
  ExtensionMessage,
  ExtensionParams,
  ServerSession,
} from "../extension.ts";
import type { DeflateCodec, Deflater, Inflater } from "./codec.ts";
import type { SharedTransform } from "../extension.ts";
import { JobLimiter, sharedLimiter } from "./job-limiter.ts";
import {
  acceptOffer,
  acceptResponse,
  buildOffer,
  checkNegotiationOptions,
  type Agreement,
  type NegotiationOptions,
} from "./params.ts";
import { SerialJobs } from "./serial-jobs.ts";
import { isThenable } from "../../../shared/thenable.ts";

export type { Agreement } from "./params.ts";

/** permessage-deflate options, with ws's names (RFC 7692 parameters plus threshold and limits). */
export interface PermessageDeflateOptions extends NegotiationOptions {
  /** Messages smaller than this many bytes go uncompressed (default 1024). */
  threshold?: number;
  /** zlib jobs running at once across connections (default 10). */
  concurrencyLimit?: number;
  /** Passed to the codec's compressor (level, memLevel, strategy, ...); windowBits is negotiated. */
  zlibDeflateOptions?: object;
  /** Passed to the codec's decompressor (chunkSize, ...); windowBits is negotiated. */
  zlibInflateOptions?: object;
}

export interface CorePermessageDeflateOptions extends PermessageDeflateOptions {
  /** The compressor (src/runtime/node/zlib-codec.ts on Node, Deno and Bun). */
  codec: DeflateCodec;
  /** Overrides the process-wide limiter for `concurrencyLimit`. */
  limiter?: JobLimiter;
}

export const DEFAULT_THRESHOLD = 1024;
export const DEFAULT_CONCURRENCY_LIMIT = 10;
export const EXTENSION_NAME = "permessage-deflate";

/** Section 7.2.1 / 7.2.2: the empty stored block a sync flush ends with. */
const TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);

/** What every session of one extension shares. */
interface Config {
  codec: DeflateCodec;
  negotiation: NegotiationOptions;
  threshold: number;
  limiter: JobLimiter;
  deflateOptions: object | undefined;
  inflateOptions: object | undefined;
  /** One shared compressor per window size, made on first use (pub/sub). */
  shared?: Map<number, SharedTransform>;
}

/** The permessage-deflate extension, for `extensions: [...]` of either role. */
export function createPermessageDeflate(options: CorePermessageDeflateOptions): Extension {
  checkNegotiationOptions(options);
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (typeof threshold !== "number" || !(threshold >= 0)) {
    throw new WebSocketError("WS_ERR_INVALID_ARGUMENT", `permessage-deflate: threshold must be a number >= 0, got ${String(threshold)}`);
  }
  const config: Config = {
    codec: options.codec,
    negotiation: {
      serverNoContextTakeover: options.serverNoContextTakeover,
      clientNoContextTakeover: options.clientNoContextTakeover,
      serverMaxWindowBits: options.serverMaxWindowBits,
      clientMaxWindowBits: options.clientMaxWindowBits,
    },
    threshold,
    limiter: options.limiter ?? sharedLimiter(options.concurrencyLimit ?? DEFAULT_CONCURRENCY_LIMIT),
    deflateOptions: options.zlibDeflateOptions,
    inflateOptions: options.zlibInflateOptions,
  };
  return {
    name: EXTENSION_NAME,
    type: "permessage",
    // Section 6: RSV1 is the "Per-Message Compressed" bit.
    rsv1: true,
    rsv2: false,
    rsv3: false,
    createClientSession: (context) => new DeflateClientSession(config, context),
    createServerSession: (offers, context) => {
      const accepted = acceptOffer(offers, config.negotiation);
      return accepted ? new DeflateServerSession(config, context, accepted.response, accepted.agreement) : null;
    },
  };
}

/**
 * zlib makes no raw DEFLATE stream with a 256-byte window: when 8 is agreed,
 * compress with 9 (as ws does) and inflate with 9, which also reads a peer
 * that did the same.
 */
function zlibWindowBits(bits: number): number {
  return bits < 9 ? 9 : bits;
}

function inflateError(err: unknown): WebSocketError {
  if (err instanceof WebSocketError) return err;
  return new WebSocketError("WS_ERR_INFLATE", `Invalid compressed data: ${(err as Error)?.message ?? String(err)}`);
}

/**
 * The compressor shared by the sessions of one extension that agreed on no
 * context takeover with `bits` of window: one job at a time (under the
 * extension's job limit), the window reset after each message, the 00 00
 * ff ff tail removed (section 7.2.1). It lives as long as the extension.
 */
function sharedDeflate(config: Config, bits: number): SharedTransform {
  const shared = (config.shared ??= new Map());
  let transform = shared.get(bits);
  if (transform) return transform;
  const jobs = new SerialJobs(config.limiter);
  let deflater: Deflater | null = null;
  const finish = (out: Uint8Array): Uint8Array => {
    deflater!.reset();
    const n = out.length;
    if (n < 4 || out[n - 4] !== 0x00 || out[n - 3] !== 0x00 || out[n - 2] !== 0xff || out[n - 1] !== 0xff) {
      throw new WebSocketError("WS_ERR_INTERNAL", "permessage-deflate: the codec did not end its output with a sync flush");
    }
    return out.subarray(0, n - 4);
  };
  const deflate = (data: Uint8Array): Uint8Array | PromiseLike<Uint8Array> => {
    deflater ??= config.codec.createDeflater({ windowBits: zlibWindowBits(bits), options: config.deflateOptions });
    const result = deflater.deflate(data);
    return isThenable(result) ? result.then(finish) : finish(result);
  };
  // Section 6.1: RSV1 marks a compressed message.
  transform = { rsv: 4, transform: (data: Uint8Array) => jobs.run(deflate, data) };
  shared.set(bits, transform);
  return transform;
}

/** Compression of one connection, once negotiated. */
abstract class DeflateSession {
  /** What the handshake settled, once it has. */
  agreement: Agreement | null = null;

  private readonly maxLength: number;
  // The job queues, like the zlib streams, are made at the first compressed
  // message: a connection that never compresses holds none of them.
  private inJobs: SerialJobs | null = null;
  private outJobs: SerialJobs | null = null;
  private deflater: Deflater | null = null;
  private inflater: Inflater | null = null;
  private ownWindowBits = 15;
  private peerWindowBits = 15;
  private ownNoContextTakeover = false;
  private peerNoContextTakeover = false;
  private closed = false;

  constructor(
    protected readonly config: Config,
    context: ExtensionContext,
    private readonly role: "client" | "server",
  ) {
    this.maxLength = context.maxLength;
  }

  protected configure(agreement: Agreement): void {
    this.agreement = agreement;
    const server = this.role === "server";
    this.ownWindowBits = server ? agreement.serverMaxWindowBits : agreement.clientMaxWindowBits;
    this.peerWindowBits = server ? agreement.clientMaxWindowBits : agreement.serverMaxWindowBits;
    this.ownNoContextTakeover = server ? agreement.serverNoContextTakeover : agreement.clientNoContextTakeover;
    this.peerNoContextTakeover = server ? agreement.clientNoContextTakeover : agreement.serverNoContextTakeover;
  }

  processIncomingMessage(message: ExtensionMessage): ExtensionMessage | PromiseLike<ExtensionMessage> {
    // Section 6.2: a message with the "Per-Message Compressed" bit (RSV1)
    // clear was sent as is.
    if (!message.rsv1) return message;
    this.assertActive();
    // No payload at all: read as an empty message. (A compressor emits at
    // least 0x00 even for one.) The tail alone is no whole block, so it must
    // not go into the context.
    if (message.data.length === 0) return this.decompressed(message, message.data);
    return (this.inJobs ??= new SerialJobs(this.config.limiter)).run(this.inflate, message, this);
  }

  /**
   * Pub/sub: a message this session would not compress goes as is; one it
   * would compress with no context takeover (section 7.1.1.1: every message
   * starts with an empty window) compresses alike for every connection with
   * the same window size and options, so one shared compressor serves them.
   * With context takeover the output depends on what this connection sent
   * before: null, the connection compresses it itself.
   */
  sharedOutgoing(length: number, compress: boolean | undefined): "as-is" | SharedTransform | null {
    if (this.closed || !this.agreement) return null;
    if (compress === false || length < this.config.threshold) return "as-is";
    if (!this.ownNoContextTakeover) return null;
    return sharedDeflate(this.config, this.ownWindowBits);
  }

  processOutgoingMessage(message: ExtensionMessage): ExtensionMessage | PromiseLike<ExtensionMessage> {
    if (message.compress === false || message.data.length < this.config.threshold) return message;
    this.assertActive();
    return (this.outJobs ??= new SerialJobs(this.config.limiter)).run(this.deflate, message, this);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inJobs?.close();
    this.outJobs?.close();
    this.deflater?.close();
    this.inflater?.close();
    this.deflater = null;
    this.inflater = null;
  }

  private assertActive(): void {
    if (this.closed) throw new WebSocketError("WS_ERR_INVALID_STATE", "permessage-deflate: the session is closed");
    if (!this.agreement) throw new WebSocketError("WS_ERR_INVALID_STATE", "permessage-deflate: not negotiated");
  }

  /** Section 7.2.2: append 00 00 ff ff to the payload and inflate, within maxLength. */
  private inflate(message: ExtensionMessage): ExtensionMessage | PromiseLike<ExtensionMessage> {
    const inflater = (this.inflater ??= this.config.codec.createInflater({
      windowBits: zlibWindowBits(this.peerWindowBits),
      options: this.config.inflateOptions,
    }));
    let result: Uint8Array | null | PromiseLike<Uint8Array | null>;
    try {
      result = inflater.inflate([message.data, TAIL], this.maxLength);
    } catch (err) {
      throw inflateError(err);
    }
    if (!isThenable(result)) return this.inflated(message, result);
    return result.then(
      (data) => this.inflated(message, data),
      (err) => { throw inflateError(err); },
    );
  }

  private inflated(message: ExtensionMessage, data: Uint8Array | null): ExtensionMessage {
    if (data === null) {
      throw new WebSocketError("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", `Message too big: more than ${this.maxLength} bytes once inflated`);
    }
    // Sections 7.1.1.1 / 7.1.1.2: the peer starts every message afresh, so
    // this end may too.
    if (this.peerNoContextTakeover) this.inflater?.reset();
    return this.decompressed(message, data);
  }

  private decompressed(message: ExtensionMessage, data: Uint8Array): ExtensionMessage {
    return { opcode: message.opcode, rsv1: false, rsv2: message.rsv2, rsv3: message.rsv3, data };
  }

  /** Section 7.2.1: compress, then drop the 00 00 ff ff a sync flush ends with. */
  private deflate(message: ExtensionMessage): ExtensionMessage | PromiseLike<ExtensionMessage> {
    const deflater = (this.deflater ??= this.config.codec.createDeflater({
      windowBits: zlibWindowBits(this.ownWindowBits),
      options: this.config.deflateOptions,
    }));
    const result = deflater.deflate(message.data);
    if (!isThenable(result)) return this.deflated(message, result);
    return result.then((data) => this.deflated(message, data));
  }

  private deflated(message: ExtensionMessage, out: Uint8Array): ExtensionMessage {
    const n = out.length;
    // Section 7.2.1: "If the resulting data does not end with an empty DEFLATE
    // block with no compression ..., append [one]" - a Z_SYNC_FLUSH always
    // ends with it, so anything else is a broken codec.
    if (n < 4 || out[n - 4] !== 0x00 || out[n - 3] !== 0x00 || out[n - 2] !== 0xff || out[n - 1] !== 0xff) {
      throw new WebSocketError("WS_ERR_INTERNAL", "permessage-deflate: the codec did not end its output with a sync flush");
    }
    // Sections 7.1.1.1 / 7.1.1.2: without context takeover, the next message
    // starts with an empty window.
    if (this.ownNoContextTakeover) this.deflater?.reset();
    // Section 6.1: the "Per-Message Compressed" bit (RSV1) marks the message;
    // the framer puts it on the first frame only.
    return { opcode: message.opcode, rsv1: true, rsv2: message.rsv2, rsv3: message.rsv3, data: out.subarray(0, n - 4) };
  }
}

class DeflateClientSession extends DeflateSession implements ClientSession {
  constructor(config: Config, context: ExtensionContext) {
    super(config, context, "client");
  }

  generateOffer(): ExtensionParams {
    return buildOffer(this.config.negotiation);
  }

  /** Section 7.1: false fails the connection on a response this client cannot accept. */
  activate(params: ExtensionParams): boolean {
    if (this.agreement) return false;
    const agreement = acceptResponse(params, this.config.negotiation);
    if (!agreement) return false;
    this.configure(agreement);
    return true;
  }
}

class DeflateServerSession extends DeflateSession implements ServerSession {
  constructor(config: Config, context: ExtensionContext, private readonly response: ExtensionParams, agreement: Agreement) {
    super(config, context, "server");
    this.configure(agreement);
  }

  generateResponse(): ExtensionParams {
    return { ...this.response };
  }
}
