/**
 * Frame once: a published message serialized a single time, as the bytes
 * every subscriber's connection sends unchanged.
 *
 *   publish(topic, data) --encodeShared()--> SharedFrame { chunks, payloadLength }
 *                                                 |  (the same chunks)
 *                     +---------------------------+-----------------------+
 *                     v                           v                       v
 *          Protocol.sendShared()       Protocol.sendShared()  Protocol.sendShared() ...
 *
 * This works because a server's frames are not masked (RFC 6455 section
 * 5.1: "A server MUST NOT mask any frames"), so one message makes the same
 * bytes on every connection that runs no extension over it. The chunks are
 * never written to after this: the slab they may come from never reuses
 * space (frame/slab.ts), and the engine only reads them.
 *
 * `framingCount` counts every serialization made here: tests read it to
 * prove one framing per publish whatever the number of subscribers.
 */
import { encodeFrame, encodeTextFrame, payloadLength } from "../websocket/frame/encoder.ts";
import { Opcode } from "../websocket/frame/types.ts";

export interface SharedFrame {
  /** The frame's bytes: header and payload, in one or two chunks. Read only. */
  readonly chunks: readonly Uint8Array[];
  /** The payload's length in bytes (what bufferedAmount counts). */
  readonly payloadLength: number;
  /** TEXT or BINARY. */
  readonly opcode: 1 | 2;
}

let framings = 0;

/** How many shared frames were serialized so far (instrumentation for tests and benchmarks). */
export function framingCount(): number {
  return framings;
}

/**
 * Serializes one whole, unmasked, uncompressed message (RFC 6455 section
 * 5.2; FIN set, RSV bits clear): text for a string, binary for bytes unless
 * `opcode` says TEXT (text already encoded as UTF-8).
 */
export function encodeShared(data: string | Uint8Array, opcode: 1 | 2 = typeof data === "string" ? 1 : 2): SharedFrame {
  framings++;
  if (typeof data !== "string") {
    return { chunks: encodeFrame(opcode, data, true, 0, null), payloadLength: data.length, opcode };
  }
  {
    const chunks = encodeTextFrame(data, null);
    // A text frame of up to SLAB_FRAME_LIMIT comes as one chunk; a longer one as header + payload.
    const length = chunks.length === 2 ? chunks[1]!.length : payloadLength(chunks[0]!);
    return { chunks, payloadLength: length, opcode: Opcode.TEXT as 1 };
  }
}
