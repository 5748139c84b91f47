/**
 * Reads hixie-75/76 frames from a byte stream (-75 section 4.2 "data
 * framing", -76 section 5.3), one stage per byte class:
 *
 *   TYPE --high bit clear--> TEXT: bytes up to 0xFF  (type 0x00: a text message,
 *     |                                               other types: discarded)
 *     +--high bit set-----> LENGTH: base-128 digits, high bit = more follow
 *                              |-- -76, type 0xFF, length 0: the closing frame
 *                              +-> SKIP: `length` bytes discarded
 *
 * No frame length is trusted past `maxLength`: a length prefix is refused
 * as soon as its digits pass it (before a single byte is skipped), and a
 * text frame as soon as its bytes pass it without a 0xFF in sight (the
 * bounds websocket-driver had to add to its draft parser). A refusal is a
 * WebSocketError with a stable code; the reader stops there.
 */
import { concatBytes } from "../../shared/bytes.ts";
import { WebSocketError } from "../../shared/errors.ts";
import type { LegacyDraft } from "./handshake.ts";

export type LegacyFrame = { type: "text"; data: Uint8Array } | { type: "close" };

const TYPE = 0;
const LENGTH = 1;
const SKIP = 2;
const TEXT = 3;
const DONE = 4;

const EMPTY = new Uint8Array(0);

export class LegacyFrameReader {
  private readonly closing: boolean;
  private readonly maxLength: number;
  private buffer: Uint8Array = EMPTY;
  private offset = 0;
  private stage = TYPE;
  private type = 0;
  private length = 0;
  private parts: Uint8Array[] = [];
  private textLength = 0;

  constructor(options: { draft: LegacyDraft; maxLength: number }) {
    // Only -76 has a closing frame (0xFF 0x00, -76 section 5.3 step 2.7).
    this.closing = options.draft === "hixie-76";
    this.maxLength = options.maxLength;
  }

  /** Adds bytes; the reader keeps views into `chunk`. */
  push(chunk: Uint8Array): void {
    if (this.offset < this.buffer.length) {
      this.buffer = concatBytes([this.buffer.subarray(this.offset), chunk]);
    } else {
      this.buffer = chunk;
    }
    this.offset = 0;
  }

  /** The next whole frame, an error (final), or null until more bytes come. */
  read(): LegacyFrame | WebSocketError | null {
    const buffer = this.buffer;
    while (this.offset < buffer.length && this.stage !== DONE) {
      switch (this.stage) {
        case TYPE: {
          // -76 section 5.3 step 1: "Let /type/ be that byte."
          this.type = buffer[this.offset++]!;
          if ((this.type & 0x80) !== 0) {
            this.length = 0;
            this.stage = LENGTH;
          } else {
            this.parts = [];
            this.textLength = 0;
            this.stage = TEXT;
          }
          break;
        }
        case LENGTH: {
          // Step 2.2-2.5: length = length * 128 + (b & 0x7F) while b's high bit is set.
          const b = buffer[this.offset++]!;
          this.length = this.length * 128 + (b & 0x7f);
          if (this.length > this.maxLength) {
            return this.stop(new WebSocketError("WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH",
              `Frame length more than ${this.maxLength} bytes`));
          }
          if ((b & 0x80) !== 0) break;
          // Step 2.7: type 0xFF with length 0 is the closing frame (-76 only).
          if (this.closing && this.type === 0xff && this.length === 0) {
            this.stage = DONE;
            return { type: "close" };
          }
          this.stage = this.length === 0 ? TYPE : SKIP;
          break;
        }
        case SKIP: {
          // Step 2.6: "Read /length/ bytes" -- and discard them: the drafts define no binary messages.
          const n = Math.min(this.length, buffer.length - this.offset);
          this.offset += n;
          this.length -= n;
          if (this.length === 0) this.stage = TYPE;
          break;
        }
        case TEXT: {
          // Step 3.2-3.3: bytes up to (not including) 0xFF.
          const end = buffer.indexOf(0xff, this.offset);
          const stop = end === -1 ? buffer.length : end;
          const piece = buffer.subarray(this.offset, stop);
          this.textLength += piece.length;
          if (this.textLength > this.maxLength) {
            return this.stop(new WebSocketError("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
              `Message too big: more than ${this.maxLength} bytes`));
          }
          if (piece.length > 0 && this.type === 0x00) this.parts.push(piece);
          if (end === -1) {
            this.offset = buffer.length;
            break;
          }
          this.offset = end + 1;
          this.stage = TYPE;
          // Step 3.5: type 0x00 is a text message; other types are discarded.
          if (this.type !== 0x00) break;
          const parts = this.parts;
          this.parts = [];
          return { type: "text", data: parts.length === 1 ? parts[0]! : concatBytes(parts) };
        }
      }
    }
    return null;
  }

  private stop(error: WebSocketError): WebSocketError {
    this.stage = DONE;
    this.parts = [];
    this.buffer = EMPTY;
    this.offset = 0;
    return error;
  }
}
