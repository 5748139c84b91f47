/**
 * `Sec-WebSocket-Extensions` (RFC 6455 section 9.1, RFC 7692 section 5) and
 * `Sec-WebSocket-Protocol` (RFC 6455 section 4.1 point 10, section 11.3.4):
 * parsers and serializers.
 *
 *   "a; x=1; y, b; z=\"2\""  --scan-->  [{name:"a", params:{x:"1", y:true}},
 *                                         {name:"b", params:{z:"2"}}]
 *
 * Both parsers are one left-to-right scan with a cursor that only moves
 * forward: every character is looked at a bounded number of times, so any
 * input, however hostile (long runs of spaces, `;`, `=`, quotes,
 * backslashes), parses or fails in linear time. No regular expressions: the
 * ones ws (CVE-2021-32640) and websocket-extensions (CVE-2020-7662) used
 * backtracked for seconds on such inputs.
 *
 * The parsers return a WebSocketError (`WS_ERR_HANDSHAKE`) for malformed
 * input and never throw; the serializers throw a WebSocketError
 * (`WS_ERR_INVALID_ARGUMENT`) for values that cannot be sent.
 */
import { WebSocketError } from "../../shared/errors.ts";
import type { ExtensionOffer, ExtensionParams, ExtensionParamValue } from "../extensions/extension.ts";
import { isToken } from "../../http/tokens.ts";

const TCHAR = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TCHAR[ch.charCodeAt(0)] = 1;
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** A forward-only cursor over one header value. */
class Scanner {
  pos = 0;
  constructor(readonly text: string, readonly header: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): number {
    return this.text.charCodeAt(this.pos);
  }

  /** Skips OWS = *( SP / HTAB ) (RFC 7230 section 3.2.3). */
  skipSpace(): void {
    while (this.pos < this.text.length && isOws(this.text.charCodeAt(this.pos))) this.pos++;
  }

  /** Reads a token (RFC 7230 section 3.2.6), possibly empty. */
  token(): string {
    const { text } = this;
    const start = this.pos;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c >= 128 || TCHAR[c] !== 1) break;
      this.pos++;
    }
    return text.slice(start, this.pos);
  }

  /**
   * Reads a quoted-string at the cursor (RFC 7230 section 3.2.6) and returns
   * it unescaped, or an error for an unterminated string or a control char.
   */
  quoted(): string | WebSocketError {
    const { text } = this;
    let out = "";
    let start = ++this.pos; // after the opening DQUOTE
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x22) {
        out += text.slice(start, this.pos++);
        return out;
      }
      if (c === 0x5c) {
        // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
        out += text.slice(start, this.pos);
        if (this.pos + 1 >= text.length) break;
        const next = text.charCodeAt(this.pos + 1);
        if (!(next === 0x09 || (next >= 0x20 && next !== 0x7f && next <= 0xff))) {
          this.pos++;
          return this.error();
        }
        out += text[this.pos + 1];
        this.pos += 2;
        start = this.pos;
        continue;
      }
      // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
      if (!(c === 0x09 || (c >= 0x20 && c !== 0x7f && c <= 0xff))) return this.error();
      this.pos++;
    }
    return this.error("unterminated quoted-string");
  }

  error(what?: string): WebSocketError {
    const detail = what ??
      (this.done ? "unexpected end of input" : `unexpected character ${JSON.stringify(this.text[this.pos])}`);
    return new WebSocketError("WS_ERR_HANDSHAKE", `Invalid ${this.header} header: ${detail} at index ${this.pos}`);
  }
}

/** Several lines of a list-valued field are one list joined with commas (RFC 7230 section 3.2.2). */
function joinLines(header: string | readonly string[] | undefined): string {
  if (header === undefined) return "";
  return typeof header === "string" ? header : header.join(",");
}

/**
 * Parses `Sec-WebSocket-Extensions` (RFC 6455 section 9.1):
 *
 *   extension-list  = 1#extension
 *   extension       = extension-token *( ";" extension-param )
 *   extension-param = token [ "=" ( token / quoted-string ) ]
 *
 * OWS is allowed around `,`, `;` and `=`; empty list elements are skipped
 * (RFC 7230 section 7), so an empty header is an empty list. A quoted value
 * must unescape to a token (RFC 6455 section 9.1). A parameter named twice in
 * one offer is handed over as an array of its values: the extension decides
 * (RFC 7692 section 7.1 declines just that offer). Returns the offers in
 * order, or a WebSocketError.
 */
export function parseExtensions(header: string | readonly string[] | undefined): ExtensionOffer[] | WebSocketError {
  const s = new Scanner(joinLines(header), "Sec-WebSocket-Extensions");
  const offers: ExtensionOffer[] = [];
  for (;;) {
    s.skipSpace();
    if (s.done) return offers;
    if (s.peek() === 0x2c) {
      s.pos++;
      continue;
    }
    const name = s.token();
    if (!name) return s.error();
    const params: ExtensionParams = {};
    s.skipSpace();
    while (!s.done && s.peek() === 0x3b) {
      s.pos++;
      s.skipSpace();
      const key = s.token();
      if (!key) return s.error();
      s.skipSpace();
      let value: ExtensionParamValue = true;
      if (!s.done && s.peek() === 0x3d) {
        s.pos++;
        s.skipSpace();
        if (!s.done && s.peek() === 0x22) {
          const at = s.pos;
          const quoted = s.quoted();
          if (quoted instanceof WebSocketError) return quoted;
          // "the value after quoted-string unescaping MUST conform to the 'token' ABNF" (section 9.1)
          if (!isToken(quoted)) {
            s.pos = at;
            return s.error(`quoted value ${JSON.stringify(quoted)} is not a token`);
          }
          value = asNumber(quoted);
        } else {
          const token = s.token();
          if (!token) return s.error();
          value = asNumber(token);
        }
        s.skipSpace();
      }
      if (Object.prototype.hasOwnProperty.call(params, key)) {
        const prior = params[key]!;
        if (Array.isArray(prior)) prior.push(value);
        else params[key] = [prior, value];
        continue;
      }
      // defineProperty: a parameter named "__proto__" stays a plain own property.
      Object.defineProperty(params, key, { value, enumerable: true, writable: true, configurable: true });
    }
    if (!s.done && s.peek() !== 0x2c) return s.error();
    offers.push({ name, params });
  }
}

/**
 * A value written as a plain decimal number is handed over as that number,
 * as websocket-extensions does; only when it reads back the same (so "10"
 * is 10, while "010" and "10.0" stay strings for the extension to judge).
 */
function asNumber(value: string): ExtensionParamValue {
  if (!/^-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?$/.test(value)) return value;
  const n = Number(value);
  return String(n) === value ? n : value;
}

/**
 * Serializes offers or responses: `name; key=value; flag, other`. Values
 * must be tokens (RFC 6455 section 9.1), so none needs quoting; numbers are
 * written in decimal. Throws a WebSocketError (`WS_ERR_INVALID_ARGUMENT`)
 * for a name or value that is not a token.
 */
export function serializeExtensions(offers: readonly ExtensionOffer[]): string {
  const parts: string[] = [];
  for (const { name, params } of offers) {
    if (!isToken(name)) throw invalid(`Invalid extension name: ${JSON.stringify(name)}`);
    let part = name;
    for (const [key, raw] of Object.entries(params)) {
      if (!isToken(key)) throw invalid(`Invalid parameter name ${JSON.stringify(key)} in extension "${name}"`);
      if (raw === true) {
        part += `; ${key}`;
        continue;
      }
      const value = typeof raw === "number" ? String(raw) : raw;
      if (typeof value !== "string" || !isToken(value)) {
        throw invalid(`Invalid value for parameter "${key}" in extension "${name}"`);
      }
      part += `; ${key}=${value}`;
    }
    parts.push(part);
  }
  return parts.join(", ");
}

/**
 * Parses `Sec-WebSocket-Protocol`: a comma-separated list of tokens (RFC
 * 6455 section 4.1 point 10, section 11.3.4), OWS around commas, empty
 * elements skipped (RFC 7230 section 7). The client's values "MUST all be
 * unique strings" (section 4.1 point 10), so a duplicate is an error unless
 * `allowDuplicates`. Returns the protocols in order, or a WebSocketError.
 */
export function parseProtocols(
  header: string | readonly string[] | undefined,
  options: { allowDuplicates?: boolean } = {},
): string[] | WebSocketError {
  const s = new Scanner(joinLines(header), "Sec-WebSocket-Protocol");
  const protocols: string[] = [];
  const seen = new Set<string>();
  for (;;) {
    s.skipSpace();
    if (s.done) return protocols;
    if (s.peek() === 0x2c) {
      s.pos++;
      continue;
    }
    const at = s.pos;
    const protocol = s.token();
    if (!protocol) return s.error();
    s.skipSpace();
    if (!s.done && s.peek() !== 0x2c) return s.error();
    if (seen.has(protocol) && !options.allowDuplicates) {
      s.pos = at;
      return s.error(`subprotocol "${protocol}" is duplicated`);
    }
    seen.add(protocol);
    protocols.push(protocol);
  }
}

/**
 * Checks the protocols a client asks for: each a token, none twice (RFC 6455
 * section 4.1 point 10; WHATWG WebSocket constructor step 6). Returns an
 * error describing the first problem, or undefined.
 */
export function checkProtocols(protocols: readonly string[]): WebSocketError | undefined {
  const seen = new Set<string>();
  for (const protocol of protocols) {
    if (typeof protocol !== "string" || !isToken(protocol)) {
      return invalid(`Invalid subprotocol: ${JSON.stringify(protocol)}`);
    }
    if (seen.has(protocol)) return invalid(`Subprotocol "${protocol}" is duplicated`);
    seen.add(protocol);
  }
  return undefined;
}

/**
 * The `Sec-WebSocket-Protocol` value for `protocols`. Throws a WebSocketError
 * (`WS_ERR_INVALID_ARGUMENT`) for one that is not a token or a duplicate.
 */
export function serializeProtocols(protocols: readonly string[]): string {
  const error = checkProtocols(protocols);
  if (error) throw error;
  return protocols.join(", ");
}

function invalid(message: string): WebSocketError {
  return new WebSocketError("WS_ERR_INVALID_ARGUMENT", message);
}
