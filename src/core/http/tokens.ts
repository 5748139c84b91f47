/**
 * The character classes of HTTP/1.1 (RFC 7230): the one token table, field
 * values, list splitting, request targets and latin1 bytes.
 */

/** tchar (RFC 7230 section 3.2.6). */
const TCHAR = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;

/** True when `s` is a non-empty token (RFC 7230 section 3.2.6). */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TCHAR[c] !== 1) return false;
  }
  return true;
}

/** field-vchar, SP or HTAB: what a field value or reason phrase may hold (RFC 7230 sections 3.2, 3.1.2). */
export function isFieldChar(c: number): boolean {
  return c === 0x09 || (c >= 0x20 && c !== 0x7f && c <= 0xff);
}

/** True when `s` may be sent as a field value: no CR, LF, NUL or other CTL, nothing above U+00FF. */
export function isValidHeaderValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isFieldChar(s.charCodeAt(i))) return false;
  return true;
}

/** OWS: space or horizontal tab (RFC 7230 section 3.2.3). */
export function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Splits a comma-separated field value into trimmed, non-empty elements
 * (the #rule, RFC 7230 section 7: empty elements are ignored). For token
 * lists such as Connection and Upgrade; it does not understand quoted-string.
 */
export function splitList(value: string | undefined): string[] {
  const out: string[] = [];
  for (const part of (value ?? "").split(",")) {
    let start = 0;
    let end = part.length;
    while (start < end && isOws(part.charCodeAt(start))) start++;
    while (end > start && isOws(part.charCodeAt(end - 1))) end--;
    if (end > start) out.push(part.slice(start, end));
  }
  return out;
}

/**
 * True when the comma-separated `value` holds `token`, ASCII
 * case-insensitively (elements trimmed of OWS, as splitList makes them).
 * Scans in place: an upgrade request asks this of every connection.
 */
export function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined || token.length === 0) return false;
  const length = value.length;
  let start = 0;
  while (start <= length) {
    let end = value.indexOf(",", start);
    if (end < 0) end = length;
    let a = start;
    let b = end;
    while (a < b && isOws(value.charCodeAt(a))) a++;
    while (b > a && isOws(value.charCodeAt(b - 1))) b--;
    if (b - a === token.length && equalsIgnoringAsciiCase(value, a, token)) return true;
    start = end + 1;
  }
  return false;
}

/** True when `value` at `offset` holds `token`, letters compared without ASCII case. */
function equalsIgnoringAsciiCase(value: string, offset: number, token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    let x = value.charCodeAt(offset + i);
    let y = token.charCodeAt(i);
    if (x >= 0x41 && x <= 0x5a) x |= 0x20;
    if (y >= 0x41 && y <= 0x5a) y |= 0x20;
    if (x !== y) return false;
  }
  return true;
}

/** request-target: non-empty visible ASCII (RFC 7230 section 5.3, RFC 3986 section 2). */
export function isRequestTarget(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

/** Bytes of a latin1 string, or null when a char is above U+00FF. */
export function tryEncodeLatin1(s: string): Uint8Array | null {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return null;
    out[i] = c;
  }
  return out;
}
