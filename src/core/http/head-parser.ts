/**
 * Incremental HTTP/1.1 message-head parser (RFC 7230; serializer.ts writes heads), for
 * the opening handshake of a raw-socket client or listener.
 *
 *   feed(chunk) --> [line buffer] --LF--> start line --> header lines --> blank line
 *                        |                                                   |
 *                   limits checked                      { head, rest } <-----+
 *                   on every byte                  (rest = WebSocket stream bytes)
 *
 * Chunks may split the head anywhere, down to one byte at a time. The parser
 * never throws: `feed` returns "incomplete", the finished head with the bytes
 * that followed it, or a WebSocketError (`WS_ERR_HTTP_PARSE` for malformed
 * input, `WS_ERR_HTTP_LIMIT` for a limit), after which it stays failed.
 * Bodies are not parsed: an upgrade has none, and what follows the blank
 * line belongs to the next protocol (RFC 7230 section 6.7).
 *
 * The head is read as latin1 (one char per byte): field values may carry
 * obs-text (RFC 7230 section 3.2.6), and a string of such chars round-trips
 * through `encodeLatin1`.
 */
import { WebSocketError } from "../shared/errors.ts";
import { HttpHeaders } from "./headers.ts";
import { textDecoder } from "../shared/platform.ts";
import { isFieldChar, isOws, isRequestTarget, isToken, tryEncodeLatin1 } from "./tokens.ts";

/**
 * Bounds on an HTTP message head (an opening handshake, a proxy's answer to
 * CONNECT). A head past one fails with `WS_ERR_HTTP_LIMIT`
 * (`WS_ERR_PROXY_RESPONSE` for a proxy's answer).
 */
export interface HttpLimits {
  /** Longest start or header line, CRLF excluded (default 8 KiB). */
  maxLineLength: number;
  /** Most header fields (default 100). */
  maxHeaders: number;
  /** Largest head, blank line included (default 64 KiB). */
  maxHeadSize: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  maxLineLength: 8 * 1024,
  maxHeaders: 100,
  maxHeadSize: 64 * 1024,
});

// ----------------------------------------------------------------- heads --

interface HeadBase {
  /** "1.1" for HTTP/1.1. */
  version: string;
  versionMajor: number;
  versionMinor: number;
  headers: HttpHeaders;
}

export interface HttpRequestHead extends HeadBase {
  kind: "request";
  method: string;
  /** The request-target as sent, e.g. "/chat?x=1". */
  target: string;
}

export interface HttpResponseHead extends HeadBase {
  kind: "response";
  status: number;
  reason: string;
}

export type HttpHead = HttpRequestHead | HttpResponseHead;

/** The head type a parser of `kind` returns. */
export type HeadOf<K extends HttpHead["kind"]> = Extract<HttpHead, { kind: K }>;

export type HeadParseResult<H extends HttpHead> =
  | { status: "incomplete" }
  /** `rest`: the bytes after the blank line, a view of the last chunk fed (no copy). */
  | { status: "complete"; head: H; rest: Uint8Array }
  | { status: "error"; error: WebSocketError };

const INCOMPLETE = Object.freeze({ status: "incomplete" as const });
const EMPTY = new Uint8Array(0);

function parseError(message: string): WebSocketError {
  return new WebSocketError("WS_ERR_HTTP_PARSE", message);
}

function limitError(message: string): WebSocketError {
  return new WebSocketError("WS_ERR_HTTP_LIMIT", message);
}

/**
 * Reads one message head from a byte stream, `kind` deciding the start line:
 * a request-line or a status-line (RFC 7230 section 3.1).
 */
export class HttpHeadParser<K extends HttpHead["kind"]> {
  private readonly limits: HttpLimits;
  /** The start of a line that did not end in its chunk (grown as needed; most heads never need it). */
  private line = EMPTY;
  private lineLength = 0;
  private consumed = 0;
  private head: HttpHead | null = null;
  private headers = new HttpHeaders();
  private complete = false;
  private result: HeadParseResult<HeadOf<K>> | null = null;

  constructor(readonly kind: K, limits?: Partial<HttpLimits>) {
    this.limits = limits === undefined ? DEFAULT_HTTP_LIMITS : { ...DEFAULT_HTTP_LIMITS, ...limits };
  }

  /** Feeds the next bytes; see the module comment for the results. */
  feed(chunk: Uint8Array): HeadParseResult<HeadOf<K>> {
    if (this.result) {
      return this.result.status === "error"
        ? this.result
        : this.fail(new WebSocketError("WS_ERR_INVALID_STATE", "The HTTP head is already complete"));
    }
    const { maxLineLength, maxHeadSize } = this.limits;
    let i = 0;
    while (i < chunk.length) {
      const lf = chunk.indexOf(0x0a, i);
      const end = lf === -1 ? chunk.length : lf;
      const taken = end - i + (lf === -1 ? 0 : 1);
      if (this.consumed + taken > maxHeadSize) {
        return this.fail(limitError(`HTTP head exceeds ${maxHeadSize} bytes`));
      }
      // One byte over the line limit may be the CR of a CRLF.
      if (this.lineLength + (end - i) > maxLineLength + 1) {
        return this.fail(limitError(`HTTP line exceeds ${maxLineLength} bytes`));
      }
      this.consumed += taken;
      let error: WebSocketError | undefined;
      if (this.lineLength === 0 && lf !== -1) {
        // The whole line is in this chunk: parse it where it lies.
        error = this.endLine(chunk, i, end - i);
      } else {
        this.append(chunk, i, end);
        if (lf === -1) return INCOMPLETE;
        const length = this.lineLength;
        this.lineLength = 0;
        error = this.endLine(this.line, 0, length);
      }
      i = lf + 1;
      if (error) return this.fail(error);
      if (this.complete) {
        this.head!.headers = this.headers;
        this.line = EMPTY;
        return (this.result = {
          status: "complete",
          head: this.head as HeadOf<K>,
          rest: i === chunk.length ? EMPTY : chunk.subarray(i),
        });
      }
    }
    return INCOMPLETE;
  }

  private fail(error: WebSocketError): { status: "error"; error: WebSocketError } {
    const result = { status: "error" as const, error };
    this.result = result;
    this.line = EMPTY;
    return result;
  }

  private append(chunk: Uint8Array, start: number, end: number): void {
    const needed = this.lineLength + end - start;
    if (needed > this.line.length) {
      const grown = new Uint8Array(Math.max(needed, this.line.length * 2, 256));
      grown.set(this.line.subarray(0, this.lineLength));
      this.line = grown;
    }
    this.line.set(chunk.subarray(start, end), this.lineLength);
    this.lineLength = needed;
  }

  /**
   * A line ended at an LF: `length` bytes of `bytes` from `start`, its LF
   * left out. Parses it; returns an error, or sets `complete` at the blank line.
   */
  private endLine(bytes: Uint8Array, start: number, length: number): WebSocketError | undefined {
    // CRLF ends a line; a bare LF is tolerated (RFC 7230 section 3.5).
    if (length > 0 && bytes[start + length - 1] === 0x0d) length--;
    if (length > this.limits.maxLineLength) {
      return limitError(`HTTP line exceeds ${this.limits.maxLineLength} bytes`);
    }
    const stop = start + length;
    let high = 0;
    for (let j = start; j < stop; j++) {
      const byte = bytes[j]!;
      // A bare CR is invalid (RFC 7230 section 3.5); so is NUL, anywhere.
      if (byte === 0x0d) return parseError("Bare CR in HTTP head");
      if (byte === 0x00) return parseError("NUL in HTTP head");
      high |= byte;
    }
    // An ASCII line reads the same in latin1 and UTF-8; the decoder is the quicker way.
    const line = high < 0x80 ? textDecoder.decode(bytes.subarray(start, stop)) : latin1(bytes, start, stop);

    if (this.head === null) {
      // Empty lines before the start line are ignored (RFC 7230 section 3.5).
      if (length === 0) return undefined;
      const parsed = this.kind === "request" ? parseRequestLine(line, this.headers) : parseStatusLine(line, this.headers);
      if (parsed instanceof WebSocketError) return parsed;
      this.head = parsed;
      return undefined;
    }
    if (length === 0) {
      // The empty line ends the head (RFC 7230 section 3).
      this.complete = true;
      return undefined;
    }
    if (this.headers.size >= this.limits.maxHeaders) {
      return limitError(`More than ${this.limits.maxHeaders} HTTP header fields`);
    }
    return parseHeaderLine(line, this.headers);
  }
}

/** bytes[start, stop) as latin1 (one char per byte), in slices the argument list can hold. */
function latin1(bytes: Uint8Array, start: number, stop: number): string {
  let out = "";
  for (let i = start; i < stop; i += 4096) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(stop, i + 4096)) as unknown as number[]);
  }
  return out;
}

/** HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 7230 section 2.6); case-sensitive. */
function parseVersion(s: string): Pick<HeadBase, "version" | "versionMajor" | "versionMinor"> | null {
  if (s.length !== 8 || !s.startsWith("HTTP/") || s[6] !== ".") return null;
  const versionMajor = s.charCodeAt(5) - 0x30;
  const versionMinor = s.charCodeAt(7) - 0x30;
  if (!(versionMajor >= 0 && versionMajor <= 9 && versionMinor >= 0 && versionMinor <= 9)) return null;
  return { version: s.slice(5), versionMajor, versionMinor };
}

/** request-line = method SP request-target SP HTTP-version (RFC 7230 section 3.1.1). */
function parseRequestLine(line: string, headers: HttpHeaders): HttpRequestHead | WebSocketError {
  const sp1 = line.indexOf(" ");
  const sp2 = sp1 === -1 ? -1 : line.indexOf(" ", sp1 + 1);
  if (sp2 === -1) return parseError("Malformed HTTP request line");
  const method = line.slice(0, sp1);
  const target = line.slice(sp1 + 1, sp2);
  const version = parseVersion(line.slice(sp2 + 1));
  if (!isToken(method)) return parseError("Invalid HTTP method");
  if (!isRequestTarget(target)) return parseError("Invalid HTTP request target");
  if (!version) return parseError("Invalid HTTP version");
  return { kind: "request", method, target, ...version, headers };
}

/** status-line = HTTP-version SP status-code SP reason-phrase (RFC 7230 section 3.1.2). */
function parseStatusLine(line: string, headers: HttpHeaders): HttpResponseHead | WebSocketError {
  const version = parseVersion(line.slice(0, 8));
  if (!version || line[8] !== " ") return parseError("Malformed HTTP status line");
  const code = line.slice(9, 12);
  let status = 0;
  for (let i = 0; i < 3; i++) {
    const d = code.charCodeAt(i) - 0x30;
    if (!(d >= 0 && d <= 9)) return parseError("Invalid HTTP status code");
    status = status * 10 + d;
  }
  // The SP before an empty reason-phrase is often left out; accept that.
  if (line.length > 12 && line[12] !== " ") return parseError("Invalid HTTP status code");
  const reason = line.slice(13);
  for (let i = 0; i < reason.length; i++) {
    if (!isFieldChar(reason.charCodeAt(i))) return parseError("Invalid character in HTTP reason phrase");
  }
  return { kind: "response", status, reason, ...version, headers };
}

/** header-field = field-name ":" OWS field-value OWS (RFC 7230 section 3.2). */
function parseHeaderLine(line: string, headers: HttpHeaders): WebSocketError | undefined {
  // obs-fold: a line starting with SP or HTAB continues the previous one;
  // we reject it (RFC 7230 section 3.2.4 lets a server answer 400).
  if (isOws(line.charCodeAt(0))) return parseError("Obsolete line folding in HTTP head");
  const colon = line.indexOf(":");
  if (colon === -1) return parseError("HTTP header line without a colon");
  const name = line.slice(0, colon);
  // No whitespace between field-name and colon (RFC 7230 section 3.2.4): not a token.
  if (!isToken(name)) return parseError("Invalid HTTP header name");
  let start = colon + 1;
  let end = line.length;
  while (start < end && isOws(line.charCodeAt(start))) start++;
  while (end > start && isOws(line.charCodeAt(end - 1))) end--;
  for (let i = start; i < end; i++) {
    if (!isFieldChar(line.charCodeAt(i))) return parseError("Invalid character in HTTP header value");
  }
  headers.append(name, line.slice(start, end));
  return undefined;
}

/**
 * Parses a whole request head (string as latin1, or bytes). Returns the head,
 * or a WebSocketError when it is malformed, over a limit, or unfinished.
 */
export function parseRequestHead(input: string | Uint8Array, limits?: Partial<HttpLimits>): HttpRequestHead | WebSocketError {
  return parseWhole(new HttpHeadParser("request", limits), input);
}

/** Parses a whole response head; see parseRequestHead. */
export function parseResponseHead(input: string | Uint8Array, limits?: Partial<HttpLimits>): HttpResponseHead | WebSocketError {
  return parseWhole(new HttpHeadParser("response", limits), input);
}

function parseWhole<K extends HttpHead["kind"]>(
  parser: HttpHeadParser<K>,
  input: string | Uint8Array,
): HeadOf<K> | WebSocketError {
  let bytes: Uint8Array;
  if (typeof input === "string") {
    const encoded = tryEncodeLatin1(input);
    if (!encoded) return parseError("HTTP head holds a character above U+00FF");
    bytes = encoded;
  } else {
    bytes = input;
  }
  const result = parser.feed(bytes);
  if (result.status === "complete") return result.head;
  if (result.status === "error") return result.error;
  return parseError("Incomplete HTTP head");
}
