/**
 * The event stream encoder (WHATWG HTML section 9.2.5 "Parsing an event
 * stream", the ABNF the parser accepts), sans I/O: a message in, the bytes
 * of one whole event out.
 *
 *   { data, event, id, retry } --encodeEvent()--> "event: e\nid: 7\ndata: l1\ndata: l2\n\n"
 *   comment text                --encodeComment()--> ": text\n"
 *
 * Every field line is written "name: value" with one space, which the
 * parser strips, so a value that starts with a space keeps it. `data` is
 * split on CRLF, CR and LF into one `data:` line each; the parser joins them
 * back with LF. `event` and `id` are single lines: a CR or LF in them would
 * let a caller inject fields, so they are refused with a TypeError, as is a
 * NUL in `id` (the parser would ignore the whole field).
 */
import { textEncoder } from "../shared/platform.ts";

/** One event to encode: its data, and optionally its type, id and retry. */
export interface SseMessage {
  /** The event's data; may hold several lines. */
  data: string;
  /** The event type; the client's default is "message". */
  event?: string;
  /** The event ID the client reports as `lastEventId` and `Last-Event-ID`. */
  id?: string;
  /** Reconnection time in milliseconds (a non-negative integer). */
  retry?: number;
}

const LINE_BREAK = /\r\n|\r|\n/;

function checkSingleLine(name: string, value: string, allowNul: boolean): void {
  // end-of-line = ( cr lf / cr / lf ): a value with one would end the field.
  if (value.includes("\r") || value.includes("\n")) {
    throw new TypeError(`SSE ${name} must not contain CR or LF`);
  }
  // "If the field value does not contain U+0000 NULL, then set the last event
  // ID buffer to the field value. Otherwise, ignore the field."
  if (!allowNul && value.includes("\0")) throw new TypeError(`SSE ${name} must not contain NUL`);
}

function checkRetry(retry: number): void {
  // "If the field value consists of only ASCII digits ..."
  if (!Number.isSafeInteger(retry) || retry < 0) {
    throw new TypeError(`SSE retry must be a non-negative integer of milliseconds, got ${retry}`);
  }
}

/** The text of one event, ending with the blank line that dispatches it. */
export function formatEvent(message: SseMessage): string {
  let out = "";
  if (message.retry !== undefined) {
    checkRetry(message.retry);
    out += `retry: ${message.retry}\n`;
  }
  if (message.event !== undefined) {
    checkSingleLine("event", message.event, true);
    out += `event: ${message.event}\n`;
  }
  if (message.id !== undefined) {
    checkSingleLine("id", message.id, false);
    out += `id: ${message.id}\n`;
  }
  // "data": "Append the field value to the data buffer, then append a single
  // U+000A LINE FEED (LF) character": one line per line of data.
  for (const line of String(message.data).split(LINE_BREAK)) out += `data: ${line}\n`;
  // "If the line is empty (a blank line): Dispatch the event."
  return out + "\n";
}

/** The bytes of one event. */
export function encodeEvent(message: SseMessage): Uint8Array {
  return textEncoder.encode(formatEvent(message));
}

/**
 * Comment lines: "If the line starts with a U+003A COLON character (:):
 * Ignore the line." Used as a keep-alive ping; multi-line text becomes one
 * comment line each. No blank line follows: a blank line would dispatch,
 * and a client that starts each stream with an empty last event ID buffer
 * would then forget the ID it resumed from.
 */
export function encodeComment(text = ""): Uint8Array {
  let out = "";
  for (const line of text.split(LINE_BREAK)) out += line === "" ? ":\n" : `: ${line}\n`;
  return textEncoder.encode(out);
}

/**
 * A lone `retry` field, as a stream's preamble sends it. It takes effect
 * when its line ends ("set the event stream's reconnection time"); no blank
 * line follows, for the reason given at `encodeComment`.
 */
export function encodeRetry(retry: number): Uint8Array {
  checkRetry(retry);
  return textEncoder.encode(`retry: ${retry}\n`);
}
