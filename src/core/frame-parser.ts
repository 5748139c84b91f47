/**
 * Incremental frame parser: a stage switch over buffered chunks.
 *
 *   push(chunk) --> [chunks] --read()--> HEADER -> LENGTH16 | LENGTH64
 *                                          -> MASK_KEY -> PAYLOAD -> Frame
 *
 * Any chunking of the byte stream parses the same. A payload that lies
 * whole inside one chunk is handed out as a view of that chunk, no copy;
 * masked payloads are unmasked in place, so `push` takes ownership of
 * the chunk. Every frame-level rule of RFC 6455 section 5 is checked here,
 * including the sequence of fragments; a violation is returned as a
 * WebSocketError (never thrown) and the parser stops.
 */
import { WebSocketError } from "./errors.ts";
import { applyMask } from "./mask.ts";
import { Opcode, RSV1, RSV2, RSV3, type Frame } from "./frame.ts";

const enum Stage { HEADER, LENGTH16, LENGTH64, MASK_KEY, PAYLOAD, DEAD }

export interface FrameParserOptions {
  /** "server" expects masked frames, "client" unmasked ones (section 5.1). */
  role: "client" | "server";
  /** Largest message, summed over its fragments. */
  maxLength: number;
}

const EMPTY = new Uint8Array(0);

export class FrameParser {
  /** RSV bits that negotiated extensions may set on a message's first frame. */
  allowedRsv = 0;

  private readonly expectMask: boolean;
  private readonly maxLength: number;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private stage = Stage.HEADER;

  // The frame being read.
  private fin = false;
  private rsv = 0;
  private opcode = 0;
  private masked = false;
  private length = 0;
  private readonly maskKey = new Uint8Array(4);

  // The fragmented message in progress (section 5.4).
  private messageOpcode = 0;
  private messageLength = 0;

  constructor(options: FrameParserOptions) {
    this.expectMask = options.role === "server";
    this.maxLength = options.maxLength;
  }

  push(chunk: Uint8Array): void {
    if (this.stage === Stage.DEAD || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next whole frame, an error (the parser then stops), or null for "need more bytes". */
  read(): Frame | WebSocketError | null {
    for (;;) {
      switch (this.stage) {
        case Stage.HEADER: {
          if (this.buffered < 2) return null;
          const err = this.readHeader();
          if (err) return this.die(err);
          break;
        }
        case Stage.LENGTH16: {
          if (this.buffered < 2) return null;
          const b = this.consume(2);
          this.length = (b[0]! << 8) | b[1]!;
          const err = this.checkLength();
          if (err) return this.die(err);
          break;
        }
        case Stage.LENGTH64: {
          if (this.buffered < 8) return null;
          const b = this.consume(8);
          const high = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
          const low = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0;
          // Section 5.2: the most significant bit MUST be 0. Beyond 2^53 - 1
          // a length cannot be represented, let alone buffered.
          if (high > 0x1fffff) {
            return this.die(new WebSocketError("WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH", "Unsupported WebSocket frame: payload length > 2^53 - 1"));
          }
          this.length = high * 0x100000000 + low;
          const err = this.checkLength();
          if (err) return this.die(err);
          break;
        }
        case Stage.MASK_KEY: {
          if (this.buffered < 4) return null;
          this.maskKey.set(this.consume(4));
          this.stage = Stage.PAYLOAD;
          break;
        }
        case Stage.PAYLOAD: {
          if (this.buffered < this.length) return null;
          const payload = this.length === 0 ? EMPTY : this.consume(this.length);
          if (this.masked) applyMask(payload, this.maskKey);
          this.stage = Stage.HEADER;
          return { fin: this.fin, rsv: this.rsv, opcode: this.opcode, payload };
        }
        case Stage.DEAD:
          return null;
      }
    }
  }

  private readHeader(): WebSocketError | null {
    const b = this.consume(2);
    const b0 = b[0]!;
    const b1 = b[1]!;
    this.fin = (b0 & 0x80) !== 0;
    this.rsv = (b0 >>> 4) & 7;
    this.opcode = b0 & 0x0f;
    this.masked = (b1 & 0x80) !== 0;
    this.length = b1 & 0x7f;
    const opcode = this.opcode;
    const control = opcode >= 0x8;

    if (opcode !== Opcode.CONTINUATION && opcode !== Opcode.TEXT && opcode !== Opcode.BINARY &&
        opcode !== Opcode.CLOSE && opcode !== Opcode.PING && opcode !== Opcode.PONG) {
      // Section 5.2: unknown opcodes MUST fail the connection.
      return new WebSocketError("WS_ERR_INVALID_OPCODE", `Invalid WebSocket frame: invalid opcode ${opcode}`);
    }
    if (this.rsv !== 0) {
      // Section 5.2: RSV bits MUST be 0 unless an extension defines them;
      // extensions here act per message, on its first frame only (RFC 7692
      // section 6: never on control or continuation frames).
      const stray = control || opcode === Opcode.CONTINUATION ? this.rsv : this.rsv & ~this.allowedRsv;
      if (stray & RSV1) return new WebSocketError("WS_ERR_UNEXPECTED_RSV_1", "Invalid WebSocket frame: RSV1 must be clear");
      if (stray & RSV2) return new WebSocketError("WS_ERR_UNEXPECTED_RSV_2", "Invalid WebSocket frame: RSV2 must be clear");
      if (stray & RSV3) return new WebSocketError("WS_ERR_UNEXPECTED_RSV_3", "Invalid WebSocket frame: RSV3 must be clear");
    }
    if (control) {
      // Section 5.5: control frames are never fragmented and carry <= 125 bytes.
      if (!this.fin) return new WebSocketError("WS_ERR_EXPECTED_FIN", "Invalid WebSocket frame: FIN must be set on a control frame");
      if (this.length > 125) {
        return new WebSocketError("WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", `Invalid WebSocket frame: control frame payload of ${this.length} bytes`);
      }
    } else if (opcode === Opcode.CONTINUATION) {
      // Section 5.4: a continuation frame only continues a started message.
      if (this.messageOpcode === 0) {
        return new WebSocketError("WS_ERR_INVALID_CONTINUATION_FRAME", "Invalid WebSocket frame: continuation frame without a message to continue");
      }
    } else if (this.messageOpcode !== 0) {
      // Section 5.4: fragments of one message are not interleaved with another.
      return new WebSocketError("WS_ERR_EXPECTED_CONTINUATION_FRAME", "Invalid WebSocket frame: new data frame inside a fragmented message");
    }
    // Section 5.1: a server MUST fail on an unmasked frame; a client MUST
    // fail on a masked one.
    if (this.masked !== this.expectMask) {
      return this.expectMask
        ? new WebSocketError("WS_ERR_EXPECTED_MASK", "Invalid WebSocket frame: MASK must be set")
        : new WebSocketError("WS_ERR_UNEXPECTED_MASK", "Invalid WebSocket frame: MASK must be clear");
    }
    if (this.length === 126) this.stage = Stage.LENGTH16;
    else if (this.length === 127) this.stage = Stage.LENGTH64;
    else return this.checkLength();
    return null;
  }

  /** Size limits, then on to the mask key or payload. */
  private checkLength(): WebSocketError | null {
    if (this.opcode < 0x8) {
      const total = (this.opcode === Opcode.CONTINUATION ? this.messageLength : 0) + this.length;
      if (total > this.maxLength) {
        return new WebSocketError("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", `Message too big: more than ${this.maxLength} bytes`);
      }
      if (this.fin) {
        this.messageOpcode = 0;
        this.messageLength = 0;
      } else {
        if (this.opcode !== Opcode.CONTINUATION) this.messageOpcode = this.opcode;
        this.messageLength = total;
      }
    }
    this.stage = this.masked ? Stage.MASK_KEY : Stage.PAYLOAD;
    return null;
  }

  /** Takes n buffered bytes; a view of the first chunk when it holds them all. */
  private consume(n: number): Uint8Array {
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const take = Math.min(chunk.length, n - filled);
      out.set(take === chunk.length ? chunk : chunk.subarray(0, take), filled);
      filled += take;
      if (take === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(take);
    }
    return out;
  }

  private die(err: WebSocketError): WebSocketError {
    this.stage = Stage.DEAD;
    this.chunks = [];
    this.buffered = 0;
    return err;
  }
}
