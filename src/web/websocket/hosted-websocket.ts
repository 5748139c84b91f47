/**
 * Our WebSocket API over a runtime's own server socket, for the servers
 * that never hand over raw bytes (Deno.serve, Bun.serve): the runtime runs
 * the protocol, and the one WebSocket class (./websocket.ts) drives it
 * through a HostDriver (./host-driver.ts).
 *
 *   runtime adapter --HostEvents (opened/message/ping/pong/closed)--> WebSocket
 *   WebSocket --HostDriver--> HostSocket (sendText/sendBinary/close/ping...) --> runtime socket
 *
 * What the runtime cannot do is refused loudly: ping()/pong() throw a
 * TypeError when the runtime neither sends pings nor reports pongs.
 */
import { createHostedWebSocket, WebSocket } from "./websocket.ts";

export type { HostEvents, HostSocket } from "./host-driver.ts";
export type { HostedInit } from "./options.ts";
export { createHostedWebSocket };

/**
 * The class of sockets from Deno.serve's `upgrade()` and Bun.serve's
 * handler: the one WebSocket class (kept under this name for existing code).
 */
export const HostedWebSocket: typeof WebSocket = WebSocket;
/** A socket from Deno.serve's `upgrade()` or Bun.serve's handler: a WebSocket. */
export type HostedWebSocket = WebSocket;

/**
 * Throws a TypeError for every option in `options` that `host` cannot
 * honour: a runtime-run socket must not silently ignore a limit or an
 * extension the caller asked for. `why` explains the known ones.
 */
export function refuseUnsupportedOptions(
  options: object,
  supported: readonly string[],
  host: string,
  why: Readonly<Record<string, string>> = {},
): void {
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || supported.includes(key)) continue;
    const reason = why[key] ?? "it is not an option of this server integration";
    throw new TypeError(`The option "${key}" cannot be honoured by ${host}: ${reason}. Supported here: ${supported.join(", ")}.`);
  }
}
