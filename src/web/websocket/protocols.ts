/**
 * The subprotocol list of `new WebSocket(url, protocols)` (websockets
 * standard, constructor steps 7-8).
 */
import { isToken } from "../../core/http/tokens.ts";

function syntaxError(message: string): DOMException {
  return new DOMException(message, "SyntaxError");
}

/**
 * Step 7: a string is a list of one. Step 8: every entry a token
 * (RFC 6455 section 4.1 point 10), none twice, compared ASCII
 * case-insensitively as browsers do.
 */
export function validateProtocols(protocols: unknown): string[] {
  if (protocols === undefined) return [];
  // WebIDL (DOMString or sequence<DOMString>): an iterable object is a sequence, anything else a string.
  const iterable = typeof protocols === "object" && protocols !== null &&
    typeof (protocols as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
  const list = iterable ? Array.from(protocols as Iterable<unknown>, (p) => `${p}`) : [`${protocols}`];
  const seen = new Set<string>();
  for (const p of list) {
    if (!isToken(p)) throw syntaxError(`Invalid subprotocol "${p}".`);
    const key = p.toLowerCase();
    if (seen.has(key)) throw syntaxError(`Duplicate subprotocol "${p}".`);
    seen.add(key);
  }
  return list;
}
