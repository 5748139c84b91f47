/**
 * One published message, framed once per way of sending it, for every
 * subscriber's engine to queue (Protocol.sendShared):
 *
 *   SharedMessage --plain()--------------> one uncompressed frame   (connections with no
 *                 |                         extension, or whose extensions pass it on)
 *                 \--transformed(t)------> one frame per SharedTransform (permessage-deflate
 *                                           with no context takeover: compressed once per
 *                                           window size, RSV1 set)
 *
 * Server frames are not masked (RFC 6455 section 5.1), so these bytes are
 * the same for every connection that takes them. Nothing is built until a
 * connection asks; `framings` counts what was built.
 */
import { WebSocketError } from "../shared/errors.ts";
import { encodeUtf8 } from "../shared/platform.ts";
import { isThenable } from "../shared/thenable.ts";
import type { SharedTransform } from "../websocket/extensions/extension.ts";
import { encodeFrame } from "../websocket/frame/encoder.ts";
import { Opcode } from "../websocket/frame/types.ts";
import { encodeShared, type SharedFrame } from "./shared-frame.ts";

export type SharedChunks = readonly Uint8Array[] | WebSocketError;

export class SharedMessage {
  readonly opcode: 1 | 2;
  /** The publisher's `compress` option (false: send uncompressed everywhere). */
  readonly compress: boolean | undefined;
  /** Frames built so far (plain and transformed): one per way of sending, whatever the number of connections. */
  framings = 0;
  /** Transforms run so far (compressions). */
  transforms = 0;
  readonly #data: string | Uint8Array;
  #bytes: Uint8Array | null;
  #plain: SharedFrame | null = null;
  readonly #transformed = new Map<SharedTransform, SharedChunks | PromiseLike<SharedChunks>>();

  constructor(data: string | Uint8Array, compress?: boolean) {
    this.#data = data;
    this.#bytes = typeof data === "string" ? null : data;
    this.opcode = typeof data === "string" ? Opcode.TEXT as 1 : Opcode.BINARY as 2;
    this.compress = compress;
  }

  /** The message as given: text or bytes. */
  get data(): string | Uint8Array {
    return this.#data;
  }

  /** The payload's length in bytes (text as UTF-8), before any extension. */
  get length(): number {
    return this.bytes.length;
  }

  get bytes(): Uint8Array {
    if (this.#bytes === null) this.#bytes = this.#plain ? payloadOf(this.#plain) : encodeUtf8(this.#data as string);
    return this.#bytes;
  }

  /** The uncompressed frame (FIN, RSV bits clear), built on first use. */
  plain(): SharedFrame {
    if (this.#plain === null) {
      this.#plain = encodeShared(this.#bytes ?? this.#data, this.opcode);
      this.framings++;
    }
    return this.#plain;
  }

  /** The frame of `transform`'s output (its RSV bits set), built once per transform. */
  transformed(transform: SharedTransform): SharedChunks | PromiseLike<SharedChunks> {
    let framed = this.#transformed.get(transform);
    if (framed !== undefined) return framed;
    this.transforms++;
    this.framings++;
    const frame = (payload: Uint8Array): SharedChunks => encodeFrame(this.opcode, payload, true, transform.rsv, null);
    const failed = (err: unknown): SharedChunks =>
      err instanceof WebSocketError ? err : new WebSocketError("WS_ERR_EXTENSION", `Shared compression failed: ${(err as Error)?.message ?? String(err)}`);
    try {
      const result = transform.transform(this.bytes);
      framed = isThenable(result) ? result.then(frame, failed) : frame(result);
    } catch (err) {
      framed = failed(err);
    }
    this.#transformed.set(transform, framed);
    return framed;
  }
}

/** The payload of a one-message frame built here (one chunk: header + payload; two: header, payload). */
function payloadOf(frame: SharedFrame): Uint8Array {
  if (frame.chunks.length === 2) return frame.chunks[1]!;
  const chunk = frame.chunks[0]!;
  return chunk.subarray(chunk.length - frame.payloadLength);
}
