/**
 * The event stream parser (WHATWG HTML, "Server-sent events", section
 * 9.2.6 "Interpreting an event stream"), sans I/O.
 *
 *   bytes (any chunking) --receiveData()--> line splitter (CR | LF | CRLF)
 *                                                |
 *                                  UTF-8 decode per line, strip one BOM
 *                                                |
 *                     field/value --> data, event type, last event ID buffers
 *                                                |
 *                   blank line --> eventsReceived(): message | retry | error
 *
 * Lines are split on bytes: CR (0x0D) and LF (0x0A) never occur inside a
 * UTF-8 sequence, and the decoder resynchronises on ASCII bytes, so decoding
 * each line on its own gives exactly the text a whole-stream UTF-8 decode
 * would (invalid sequences become U+FFFD either way). A CR at the end of a
 * chunk ends the line at once; an LF that starts the next chunk is then
 * skipped, so CRLF split across chunks is one line end.
 *
 * The parser never throws into the transport. Its one limit,
 * `maxEventSize`, ends parsing with an `error` event whose `SseError` has
 * a stable `code`; everything after that is ignored.
 */
import { WebSocketError, type ErrorCode } from "../shared/errors.ts";
import { newTextDecoder } from "../shared/platform.ts";

/** Largest event held in memory by default: 2^26 - 1 bytes, as `maxLength`. */
export const DEFAULT_MAX_EVENT_SIZE = 0x3ffffff;

/** The SSE_ERR_* codes of the one error table (../shared/errors.ts). */
export type SseErrorCode = Extract<ErrorCode, `SSE_ERR_${string}`>;

/**
 * A failure of an event stream: a WebSocketError (one error vocabulary, one
 * code table) whose `code` is one of the SSE_ERR_* codes.
 */
export class SseError extends WebSocketError {
  /** Which failure: one of the SSE_ERR_* codes. */
  declare readonly code: SseErrorCode;
  /** An error with `code`; `options.cause` keeps the underlying failure (a network error, say). */
  constructor(code: SseErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message);
    this.name = "SseError";
    if (options && "cause" in options) Object.defineProperty(this, "cause", { value: options.cause, configurable: true, writable: true });
  }
}

/** What the parser reports: an event to dispatch, a new retry time, or an error. */
export type SseParserEvent =
  /** An event to dispatch: `event` is its type ("message" when none was set). */
  | { type: "message"; event: string; data: string; lastEventId: string }
  /** A valid `retry` field: the new reconnection time in milliseconds. */
  | { type: "retry"; retry: number }
  /** An event passed `maxEventSize`: parsing has stopped. */
  | { type: "error"; error: SseError };

/** Options of {@link SseParser}. */
export interface SseParserOptions {
  /**
   * The event source's last event ID string when this stream starts. The
   * spec starts each stream's buffer empty; browsers (and this library's
   * client) carry the ID over a reconnection, so an event without `id`
   * after reconnecting still reports the ID the client resumed from.
   */
  lastEventId?: string;
  /**
   * Most bytes one line, or the field lines of one event together, may
   * take before a blank line ends it (comments count only while pending).
   * Default 2^26 - 1.
   */
  maxEventSize?: number;
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * The WHATWG event-stream parser (html, "Parsing an event stream"), sans-I/O:
 * feed it bytes, drain the events it found.
 */
export class SseParser {
  readonly #decoder = newTextDecoder(false);
  readonly #maxEventSize: number;
  #events: SseParserEvent[] = [];

  // Bytes of a line not yet ended (only when a line spans chunks).
  #pending = new Uint8Array(0);
  #pendingLength = 0;
  // The previous chunk ended with CR: an LF at the start of this one
  // belongs to that line end.
  #skipLf = false;
  #firstLine = true;
  #eventBytes = 0;
  #failed = false;
  #ended = false;

  // "a data buffer, an event type buffer, and a last event ID buffer"
  #data = "";
  #eventType = "";
  #lastEventIdBuffer: string;
  // The event source's "last event ID string", set on each dispatch.
  #lastEventId: string;

  /** A parser for one stream; `options.lastEventId` carries over a reconnection. */
  constructor(options: SseParserOptions = {}) {
    this.#lastEventId = this.#lastEventIdBuffer = options.lastEventId ?? "";
    this.#maxEventSize = options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE;
  }

  /** The last event ID string: what a reconnection sends as `Last-Event-ID`. */
  get lastEventId(): string {
    return this.#lastEventId;
  }

  /** Feed the next bytes of the response body, in any chunking. */
  receiveData(chunk: Uint8Array): void {
    if (this.#failed || this.#ended) return;
    let start = 0;
    if (this.#skipLf && chunk.length > 0) {
      this.#skipLf = false;
      if (chunk[0] === LF) start = 1; // the LF of a CRLF split across chunks
    }
    for (let i = start; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte !== CR && byte !== LF) continue;
      // end-of-line = ( cr lf / cr / lf )
      this.#endLine(chunk, start, i);
      if (this.#failed) return;
      if (byte === CR) {
        if (i + 1 < chunk.length) {
          if (chunk[i + 1] === LF) i++;
        } else {
          this.#skipLf = true;
        }
      }
      start = i + 1;
    }
    if (start < chunk.length) this.#hold(chunk.subarray(start));
  }

  /**
   * The body ended. "Once the end of the file is reached, any pending data
   * must be discarded. (If the file ends in the middle of an event, before
   * the final empty line, the incomplete event is not dispatched.)"
   */
  receiveEof(): void {
    this.#ended = true;
    this.#pendingLength = 0;
    this.#data = "";
    this.#eventType = "";
  }

  /** Events parsed since the last call, in order. */
  eventsReceived(): SseParserEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  #hold(bytes: Uint8Array): void {
    const needed = this.#pendingLength + bytes.length;
    if (needed > this.#maxEventSize || this.#eventBytes + needed > this.#maxEventSize) {
      this.#fail();
      return;
    }
    if (needed > this.#pending.length) {
      const grown = new Uint8Array(Math.max(needed, this.#pending.length * 2, 64));
      grown.set(this.#pending.subarray(0, this.#pendingLength));
      this.#pending = grown;
    }
    this.#pending.set(bytes, this.#pendingLength);
    this.#pendingLength = needed;
  }

  #endLine(chunk: Uint8Array, start: number, end: number): void {
    let bytes = chunk.subarray(start, end);
    if (this.#pendingLength > 0) {
      this.#hold(bytes);
      if (this.#failed) return;
      bytes = this.#pending.subarray(0, this.#pendingLength);
      this.#pendingLength = 0;
    }
    let line = this.#decoder.decode(bytes);
    if (this.#firstLine) {
      this.#firstLine = false;
      // "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any."
      if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    }
    this.#processLine(line, bytes.length);
  }

  #processLine(line: string, byteLength: number): void {
    // "If the line is empty (a blank line): Dispatch the event, as defined below."
    if (line === "") {
      this.#eventBytes = 0;
      this.#dispatch();
      return;
    }
    // "If the line starts with a U+003A COLON character (:): Ignore the line."
    if (line.charCodeAt(0) === 0x3a) return;

    this.#eventBytes += byteLength;
    if (this.#eventBytes > this.#maxEventSize) {
      this.#fail();
      return;
    }
    const colon = line.indexOf(":");
    let field: string;
    let value: string;
    if (colon >= 0) {
      // "Collect the characters on the line before the first U+003A COLON
      // character (:), and let field be that string."
      field = line.slice(0, colon);
      // "Collect the characters on the line after the first U+003A COLON
      // character (:), and let value be that string. If value starts with a
      // U+0020 SPACE character, remove it from value."
      value = line.charCodeAt(colon + 1) === 0x20 ? line.slice(colon + 2) : line.slice(colon + 1);
    } else {
      // "Otherwise, the string is not empty but does not contain a U+003A
      // COLON character (:): Process the field using the whole line as the
      // field name, and the empty string as the field value."
      field = line;
      value = "";
    }
    this.#processField(field, value);
  }

  #processField(field: string, value: string): void {
    switch (field) {
      case "event":
        // "Set the event type buffer to the field value."
        this.#eventType = value;
        break;
      case "data":
        // "Append the field value to the data buffer, then append a single
        // U+000A LINE FEED (LF) character to the data buffer."
        this.#data += value + "\n";
        break;
      case "id":
        // "If the field value does not contain U+0000 NULL, then set the last
        // event ID buffer to the field value. Otherwise, ignore the field."
        if (!value.includes("\0")) this.#lastEventIdBuffer = value;
        break;
      case "retry":
        // "If the field value consists of only ASCII digits, then interpret
        // the field value as an integer in base ten, and set the event
        // stream's reconnection time to that integer. Otherwise, ignore the
        // field." An empty value is ignored, as browsers do (WPT
        // format-field-retry-empty).
        if (/^[0-9]+$/.test(value)) this.#events.push({ type: "retry", retry: Number(value) });
        break;
      default:
        // "Otherwise: The field is ignored."
        break;
    }
  }

  // "When the user agent is required to dispatch the event, the user agent
  // must process the data buffer, the event type buffer, and the last event
  // ID buffer using steps appropriate for the user agent."
  #dispatch(): void {
    // Step 1: "Set the last event ID string of the event source to the value
    // of the last event ID buffer. The buffer does not get reset."
    this.#lastEventId = this.#lastEventIdBuffer;
    // Step 2: "If the data buffer is an empty string, set the data buffer and
    // the event type buffer to the empty string and return."
    if (this.#data === "") {
      this.#eventType = "";
      return;
    }
    // Step 3: "If the data buffer's last character is a U+000A LINE FEED (LF)
    // character, then remove the last character from the data buffer."
    const data = this.#data.endsWith("\n") ? this.#data.slice(0, -1) : this.#data;
    // Steps 4-6: type "message" unless the event type buffer is not empty;
    // data and lastEventId from the buffers (origin is the caller's).
    const event = this.#eventType === "" ? "message" : this.#eventType;
    // Step 7: "Set the data buffer and the event type buffer to the empty string."
    this.#data = "";
    this.#eventType = "";
    // Step 8 (queue a task unless CLOSED) belongs to the caller.
    this.#events.push({ type: "message", event, data, lastEventId: this.#lastEventId });
  }

  #fail(): void {
    this.#failed = true;
    this.#pendingLength = 0;
    this.#data = "";
    this.#events.push({
      type: "error",
      error: new SseError("SSE_ERR_EVENT_TOO_LARGE", `event larger than maxEventSize (${this.#maxEventSize} bytes)`),
    });
  }
}
