/**
 * faye-websocket's EventSource bytes, for the faye entry: what a client
 * sees on the wire is faye's, line ending for line ending.
 *
 *   HTTP/1.1 200 OK\r\n                          status line
 *   Content-Type: text/event-stream\r\n          faye's three headers, in faye's order,
 *   Cache-Control: no-cache, no-store\r\n        then the `headers` option's
 *   Connection: close\r\n                        (no Date, no chunked encoding:
 *   <headers option>\r\n                          the body ends when the socket does)
 *   \r\n
 *   retry: 5000\r\n\r\n                          `retry` seconds, in ms, first
 *   event: e\r\nid: 7\r\ndata: a\ndata: b\r\n\r\n   send(): line breaks inside data kept
 *   :\r\n\r\n                                    ping()
 *
 * One deliberate difference: a CR or LF in `event` or `id` throws a
 * TypeError (faye writes it, letting the data forge fields).
 */

/** faye's defaults, in seconds; 0 or absent means the default, as in faye. */
export const FAYE_DEFAULT_PING = 10;
export const FAYE_DEFAULT_RETRY = 5;

/** The response head's fields, in order. Later duplicates of a name are dropped (websocket-driver's Headers). */
export function fayeEventStreamHeaders(extra: Record<string, unknown> | undefined): [string, string][] {
  const fields: [string, string][] = [
    ["Content-Type", "text/event-stream"],
    ["Cache-Control", "no-cache, no-store"],
    ["Connection", "close"],
  ];
  if (!extra) return fields;
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) continue;
    const clean = name.replace(/^ +| +$/g, "");
    const key = clean.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    fields.push([clean, String(value).replace(/^ +| +$/g, "")]);
  }
  return fields;
}

/** The first bytes of the body: the reconnection delay, in milliseconds. */
export function fayeRetry(retrySeconds: number): string {
  return `retry: ${Math.floor(retrySeconds * 1000)}\r\n\r\n`;
}

/** faye's keep-alive comment. */
export const FAYE_PING = ":\r\n\r\n";

function singleLine(name: string, value: string): string {
  // WHATWG HTML 9.2.5: a line break would end the field and start another.
  if (/[\r\n]/.test(value)) throw new TypeError(`EventSource ${name} must not contain CR or LF`);
  return value;
}

/**
 * One event as faye writes it: `event:` and `id:` lines when given (a
 * falsy id is left out, as in faye), each line of the data as a `data:`
 * line keeping its own line break, CRLF after the fields.
 */
export function fayeEvent(message: unknown, options?: { event?: unknown; id?: unknown }): string {
  const data = String(message).replace(/(\r\n|\r|\n)/g, "$1data: ");
  let frame = "";
  if (options?.event) frame += `event: ${singleLine("event", String(options.event))}\r\n`;
  if (options?.id) frame += `id: ${singleLine("id", String(options.id))}\r\n`;
  return `${frame}data: ${data}\r\n\r\n`;
}

/** faye's EventSource.isEventSource: a GET whose Accept lists text/event-stream. */
export function isFayeEventSourceRequest(method: string | undefined, accept: string | undefined): boolean {
  if (method !== "GET") return false;
  return (accept ?? "").split(/\s*,\s*/).includes("text/event-stream");
}
