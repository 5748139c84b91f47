/**
 * faye-websocket's client: `new WebSocket.Client(url, protocols, options)`,
 * over the shared client handshake (and the `proxy` option's tunnel) and
 * the shared engine. `statusCode` and `headers` are the handshake
 * response's, also when it was refused.
 */
import type { FayeSocketOptions } from "../../../../web/compat/faye/driver.ts";
import { CLIENT_OPTIONS, protocolList, validateOptions } from "../../../../web/compat/faye/options.ts";
import { parseWebSocketUrl } from "../../../../web/websocket/url.ts";
import { FayeSocket } from "./api.ts";
import "../../setup.ts";

/** Client options: faye's (headers, extensions, maxLength, ping, proxy, tls, ca) and net. */
export type FayeClientOptions = Pick<FayeSocketOptions, "headers" | "extensions" | "maxLength" | "ping" | "proxy" | "tls" | "ca" | "net" | "heartbeat" | "handshakeTimeout">;

function checkUrl(url: string): void {
  let scheme = "";
  try {
    scheme = new URL(url).protocol;
    parseWebSocketUrl(url); // the finer checks (no fragment ...)
  } catch {
    scheme = "";
  }
  // websocket-driver: only ws: and wss: URLs, in its words.
  if (scheme !== "ws:" && scheme !== "wss:") throw new Error(`${url} is not a valid WebSocket URL`);
}

/** faye-websocket's client socket: `new WebSocket.Client(url, protocols, options)`. */
export class FayeClient extends FayeSocket {
  /**
   * Connects to `url` (ws: or wss:; anything else throws an Error, as
   * websocket-driver does). An unknown option throws, as faye's
   * validateOptions does.
   */
  constructor(url: string, protocols?: string | readonly string[] | null, options?: FayeClientOptions | null) {
    validateOptions(options, CLIENT_OPTIONS);
    checkUrl(String(url));
    super(String(url), options ?? undefined);
    this.driver.startClient(protocolList(protocols));
  }

  /** The handshake response's status code, once it arrived. */
  get statusCode(): number | undefined { return this.driver.statusCode; }
  /** The handshake response's headers (lower-case names), once they arrived. */
  get headers(): Record<string, string> | undefined { return this.driver.headers; }
}
