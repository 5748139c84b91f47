/**
 * Incremental frame parser: a stage switch over buffered chunks.
 *
 *   push(chunk) --> [chunks] --read()--> HEADER -> LENGTH16 | LENGTH64
 *                                          -> MASK_KEY -> PAYLOAD -> Frame
 *
 * Any chunking of the byte stream parses the same. A payload that lies
 * whole inside one chunk is handed out as a view of that chunk, no copy;
 * masked payloads are unmasked in place, so `push` takes ownership of
 * the chunk. Header fields are read in place from the chunk (a small
 * scratch buffer, shared by every parser, only when a field straddles two chunks), so a frame
 * costs one view allocation, for its payload. Every frame-level rule of
 * RFC 6455 section 5 is checked here, including the sequence of fragments
 * and their number (`maxFragments`); a violation is returned as a
 * WebSocketError (never thrown) and the parser stops.
 *
 * Text is checked as UTF-8 here too (section 8.1), as its bytes arrive:
 * while a text frame's payload is still incomplete, each chunk's share of
 * it is unmasked in place and fed to a streaming validator, so a bad byte
 * fails the connection at once, not when the frame is whole. Only a whole
 * unfragmented text message that came in one piece is left unchecked
 * (`checked: false`): the engine's strict decode validates it in the same
 * pass that decodes it.
 */
import { WebSocketError } from "../../shared/errors.ts";
import { applyMask } from "./mask.ts";
import { Opcode, RSV1, RSV2, RSV3, type Frame } from "./types.ts";
import { Utf8Validator } from "../../shared/utf8.ts";

const enum Stage { HEADER, LENGTH16, LENGTH64, MASK_KEY, PAYLOAD, DEAD }

export interface FrameParserOptions {
  /** "server" expects masked frames, "client" unmasked ones (section 5.1). */
  role: "client" | "server";
  /** Largest message, summed over its fragments. */
  maxLength: number;
  /** Most frames one data message may take; 0 for no limit (default DEFAULT_MAX_FRAGMENTS). */
  maxFragments?: number;
  /** Check text as UTF-8 as it arrives (default true; ws's `skipUTF8Validation` turns it off). */
  checkUtf8?: boolean;
}

/**
 * Default bound on the frames of one message: 2^17. The engine joins
 * fragments into one buffer, so memory is bounded by `maxLength` whatever
 * their number; this bounds the work a message of empty or tiny fragments
 * makes, while 4 MiB in 64-byte fragments (Autobahn case 9.3.1) still passes.
 */
export const DEFAULT_MAX_FRAGMENTS = 0x20000;

const EMPTY = new Uint8Array(0);
/**
 * A header field that straddles chunks is copied here; every parser shares
 * it, since a field is read as soon as it is taken, before any other
 * parser runs. MASK_KEY likewise holds a key only for the unmasking call.
 */
const SCRATCH = new Uint8Array(8);
const MASK_KEY = new Uint8Array(4);

/** Joining starts once a payload spans this many chunks (a frame over a few big reads never pays for it). */
const JOIN_AFTER = 16;
/** Only chunks smaller than this are joined; the blocks are this big. */
const JOIN_BELOW = 4096;
const JOIN_BLOCK = 64 * 1024;

const invalidUtf8 = () => new WebSocketError("WS_ERR_INVALID_UTF8", "Invalid UTF-8 in text message");

export class FrameParser {
  /** RSV bits that negotiated extensions may set on a message's first frame. */
  allowedRsv = 0;

  private readonly expectMask: boolean;
  private readonly maxLength: number;
  private readonly maxFragments: number;
  /** Buffered chunks; `chunks[head]` is the oldest live one, read from `pos` on. */
  private chunks: (Uint8Array | undefined)[] = [];
  private head = 0;
  private pos = 0;
  private buffered = 0;
  private stage = Stage.HEADER;
  /** Where the field last taken lies: `field[at ..]` (a chunk, or SCRATCH). */
  private field: Uint8Array = EMPTY;
  private at = 0;


  // The frame being read.
  private fin = false;
  private rsv = 0;
  private opcode = 0;
  private masked = false;
  private length = 0;
  /** The masking key as one 32-bit number (octet 0 highest); copied into MASK_KEY to unmask. */
  private maskKey = 0;

  // The fragmented message in progress (section 5.4).
  private messageOpcode = 0;
  private messageLength = 0;
  private messageFrames = 0;
  /** The message in progress is uncompressed text, checked here frame by frame. */
  private messageText = false;

  // UTF-8 checking of the current frame (section 8.1).
  /** The current frame's payload is checked here. */
  private text = false;
  /** Payload bytes already unmasked and checked while the frame was incomplete. */
  private scanned = 0;
  /** Where scanning resumes: chunk `chunks[head + scanChunk]`, at `scanAt`. */
  private scanChunk = 0;
  private scanAt = 0;
  /** Made at the first text this parser checks. */
  private utf8: Utf8Validator | null = null;

  /** The block small payload chunks are joined into, and the part of it in use (the last chunk). */
  private tail: Uint8Array | null = null;
  private tailView: Uint8Array = EMPTY;

  constructor(options: FrameParserOptions) {
    this.expectMask = options.role === "server";
    this.maxLength = options.maxLength;
    this.maxFragments = options.maxFragments ?? DEFAULT_MAX_FRAGMENTS;
    this.checkUtf8 = options.checkUtf8 ?? true;
  }

  private readonly checkUtf8: boolean;

  push(chunk: Uint8Array): void {
    if (this.stage === Stage.DEAD || chunk.length === 0) return;
    // Forget chunks already used up (a frame left unfinished keeps its chunk).
    if (this.head !== 0) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
    this.buffered += chunk.length;
    const chunks = this.chunks;
    // A long payload arriving in many small chunks: join them into 64 KiB
    // blocks instead of keeping an object (and its buffer) per chunk.
    if (this.stage === Stage.PAYLOAD && chunks.length >= JOIN_AFTER && chunk.length < JOIN_BELOW && this.buffered <= this.length) {
      const last = chunks.length - 1;
      const tail = this.tail;
      if (tail !== null && chunks[last] === this.tailView && this.tailView.length + chunk.length <= tail.length) {
        tail.set(chunk, this.tailView.length);
        this.tailView = tail.subarray(0, this.tailView.length + chunk.length);
        chunks[last] = this.tailView;
        return;
      }
      // Room for what is still to come of this payload, up to 64 KiB.
      const block = new Uint8Array(Math.max(chunk.length, Math.min(this.length - this.buffered + chunk.length, JOIN_BLOCK)));
      block.set(chunk);
      this.tail = block;
      this.tailView = block.subarray(0, chunk.length);
      chunks.push(this.tailView);
      return;
    }
    chunks.push(chunk);
  }

  /** Chunks held (for tests and diagnostics: bounded however small the transport's chunks are). */
  get bufferedChunks(): number {
    return this.chunks.length - this.head;
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
          this.take(2);
          const b = this.field;
          const at = this.at;
          this.length = (b[at]! << 8) | b[at + 1]!;
          const err = this.checkLength();
          if (err) return this.die(err);
          break;
        }
        case Stage.LENGTH64: {
          if (this.buffered < 8) return null;
          this.take(8);
          const b = this.field;
          const at = this.at;
          const high = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
          const low = ((b[at + 4]! << 24) | (b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!) >>> 0;
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
          this.take(4);
          const b = this.field;
          const at = this.at;
          this.maskKey = (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
          this.stage = Stage.PAYLOAD;
          break;
        }
        case Stage.PAYLOAD: {
          if (this.buffered < this.length) {
            // Section 8.1: text fails at its first bad byte, even mid-frame.
            if (this.text && this.buffered > this.scanned && !this.scan()) return this.die(invalidUtf8());
            return null;
          }
          const payload = this.length === 0 ? EMPTY : this.takePayload(this.length);
          const scanned = this.scanned;
          if (this.masked) applyMask(payload, this.keyBytes(), scanned, payload.length, scanned);
          let checked = false;
          if (this.text) {
            this.scanned = 0;
            this.scanChunk = 0;
            this.scanAt = 0;
            // A whole unfragmented text message in one piece is left to the
            // engine's strict decode; anything else is checked here.
            if (scanned !== 0 || !this.fin || this.opcode !== Opcode.TEXT) {
              const utf8 = (this.utf8 ??= new Utf8Validator());
              if (!utf8.write(payload, scanned)) return this.die(invalidUtf8());
              // Section 8.1: the message must end on a whole character.
              if (this.fin && !utf8.end()) return this.die(invalidUtf8());
              checked = true;
            }
          }
          this.stage = Stage.HEADER;
          return { fin: this.fin, rsv: this.rsv, opcode: this.opcode, payload, checked };
        }
        case Stage.DEAD:
          return null;
      }
    }
  }

  private readHeader(): WebSocketError | null {
    this.take(2);
    const b0 = this.field[this.at]!;
    const b1 = this.field[this.at + 1]!;
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
      // Section 10.4: bound the resources one message may take.
      if (++this.messageFrames > this.maxFragments && this.maxFragments > 0) {
        return new WebSocketError("WS_ERR_TOO_MANY_FRAGMENTS", `Too many fragments: more than ${this.maxFragments} frames in one message`);
      }
    } else if (this.messageOpcode !== 0) {
      // Section 5.4: fragments of one message are not interleaved with another.
      return new WebSocketError("WS_ERR_EXPECTED_CONTINUATION_FRAME", "Invalid WebSocket frame: new data frame inside a fragmented message");
    } else {
      this.messageFrames = 1;
      // Section 8.1 applies to the text as sent; an extension that set an
      // RSV bit transforms it first, and the engine checks its output.
      this.messageText = this.checkUtf8 && opcode === Opcode.TEXT && this.rsv === 0;
    }
    this.text = !control && this.messageText;
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

  /**
   * Unmasks in place and checks as UTF-8 the payload bytes that arrived
   * since the last scan (all buffered bytes belong to the payload now).
   * The cursor is kept relative to `head`, which `push` keeps valid.
   */
  private scan(): boolean {
    const chunks = this.chunks;
    let index = this.head + this.scanChunk;
    let at = this.scanChunk === 0 ? Math.max(this.scanAt, this.pos) : this.scanAt;
    let scanned = this.scanned;
    while (index < chunks.length) {
      const chunk = chunks[index]!;
      const end = chunk.length;
      if (at < end) {
        if (this.masked) applyMask(chunk, this.keyBytes(), at, end, scanned);
        if (!(this.utf8 ??= new Utf8Validator()).write(chunk, at, end)) return false;
        scanned += end - at;
      }
      if (index + 1 === chunks.length) {
        at = end;
        break;
      }
      index++;
      at = 0;
    }
    this.scanned = scanned;
    this.scanChunk = index - this.head;
    this.scanAt = at;
    return true;
  }

  /** The masking key as bytes, in the one buffer every parser shares (read at once, never kept). */
  private keyBytes(): Uint8Array {
    const key = this.maskKey;
    MASK_KEY[0] = key >>> 24;
    MASK_KEY[1] = (key >>> 16) & 0xff;
    MASK_KEY[2] = (key >>> 8) & 0xff;
    MASK_KEY[3] = key & 0xff;
    return MASK_KEY;
  }

  /**
   * Takes a header field of n <= 8 buffered bytes and points `field`/`at`
   * at it: in place in the oldest chunk, or copied to `scratch` when it
   * straddles chunks. Allocates nothing.
   */
  private take(n: number): void {
    this.buffered -= n;
    const first = this.chunks[this.head]!;
    const left = first.length - this.pos;
    if (left >= n) {
      this.field = first;
      this.at = this.pos;
      this.pos += n;
      if (left === n) this.dropFirst();
      return;
    }
    const out = SCRATCH;
    for (let filled = 0; filled < n; filled++) {
      const chunk = this.chunks[this.head]!;
      out[filled] = chunk[this.pos++]!;
      if (this.pos === chunk.length) this.dropFirst();
    }
    this.field = out;
    this.at = 0;
  }

  /** Takes n buffered bytes: the chunk itself or a view of it when it holds them all, else a copy. */
  private takePayload(n: number): Uint8Array {
    this.buffered -= n;
    const first = this.chunks[this.head]!;
    const start = this.pos;
    const left = first.length - start;
    if (left === n) {
      this.dropFirst();
      return start === 0 ? first : first.subarray(start);
    }
    if (left > n) {
      this.pos = start + n;
      return first.subarray(start, start + n);
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[this.head]!;
      const from = this.pos;
      const take = Math.min(chunk.length - from, n - filled);
      out.set(from === 0 && take === chunk.length ? chunk : chunk.subarray(from, from + take), filled);
      filled += take;
      this.pos = from + take;
      if (this.pos === chunk.length) this.dropFirst();
    }
    return out;
  }

  /** The oldest chunk is used up: release it (no Array#shift on the hot path). */
  private dropFirst(): void {
    this.chunks[this.head] = undefined;
    this.head++;
    this.pos = 0;
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    }
  }

  private die(err: WebSocketError): WebSocketError {
    this.utf8?.reset();
    this.tail = null;
    this.tailView = EMPTY;
    this.stage = Stage.DEAD;
    this.chunks = [];
    this.head = 0;
    this.pos = 0;
    this.buffered = 0;
    this.field = EMPTY;
    return err;
  }
}
