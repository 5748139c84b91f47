/**
 * faye-websocket's option rules: every constructor checks its options
 * against a list of names and throws for any other name, with faye's
 * message ("Unrecognized option: name"), before anything else happens.
 */

/** Options both socket classes take (faye's API list). */
export const SOCKET_OPTIONS: readonly string[] = ["headers", "extensions", "maxLength", "ping", "proxy", "tls", "ca", "heartbeat"];

/**
 * The server also takes `allowDrafts` (hixie-75/76 and hybi-08 clients;
 * websocket-driver's name, which faye 0.11 itself does not pass on).
 */
export const SERVER_OPTIONS: readonly string[] = [...SOCKET_OPTIONS, "allowDrafts"];

/**
 * The client also takes `net`, which faye's README documents and its
 * option check forgets (faye 0.11 throws for it).
 */
export const CLIENT_OPTIONS: readonly string[] = [...SOCKET_OPTIONS, "net", "handshakeTimeout"];

/** Throws faye's error for the first name not in `valid`. */
export function validateOptions(options: object | null | undefined, valid: readonly string[]): void {
  if (!options) return;
  for (const key in options) {
    if (!valid.includes(key)) throw new Error(`Unrecognized option: ${key}`);
  }
}

/**
 * faye's close() check: 1000 or an application code (3000-4999); no check
 * of the reason. The message is faye's, word for word, so code matching on
 * it keeps working.
 */
export function checkCloseCode(code: number): void {
  if (code !== 1000 && (code < 3000 || code > 4999)) {
    throw new Error(
      "Failed to execute 'close' on WebSocket: " +
        `The code must be either 1000, or between 3000 and 4999. ${code} is neither.`,
    );
  }
}

/** faye's protocols argument: a list, a comma-separated string, or null. */
export function protocolList(protocols: string | readonly string[] | null | undefined): string[] {
  if (protocols === null || protocols === undefined) return [];
  if (typeof protocols === "string") return protocols.split(/ *, */).filter((p) => p !== "");
  return [...protocols];
}
