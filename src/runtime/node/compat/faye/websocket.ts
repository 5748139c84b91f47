/**
 * faye-websocket's server socket: `new WebSocket(request, socket, body,
 * protocols, options)` inside node:http's `upgrade` event, answered by the
 * shared accept path (RFC 6455, and with `allowDrafts` the hixie drafts and
 * hybi-08) and run by the shared engine.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FayeSocketOptions } from "../../../../web/compat/faye/driver.ts";
import { protocolList, SERVER_OPTIONS, validateOptions } from "../../../../web/compat/faye/options.ts";
import { acceptNodeUpgrade, isWebSocketRequest } from "../../upgrade.ts";
import { FayeSocket } from "./api.ts";
import { isSecureRequest, requestUrl } from "./request.ts";
import "../../setup.ts";

/** Server options: faye's (headers, extensions, maxLength, ping, proxy, tls, ca) and allowDrafts. */
export type FayeServerOptions = Pick<FayeSocketOptions, "headers" | "extensions" | "maxLength" | "ping" | "proxy" | "tls" | "ca" | "allowDrafts" | "heartbeat">;

/** faye-websocket's server socket: `new WebSocket(request, socket, body, protocols, options)`. */
export class FayeServerSocket extends FayeSocket {
  /** True for a request asking to be upgraded to a WebSocket. */
  static isWebSocket(request: IncomingMessage): boolean {
    return isWebSocketRequest(request);
  }

  /** faye's option check, for code that validates its own options with it. */
  static validateOptions(options: object | null | undefined, validKeys: readonly string[]): void {
    validateOptions(options, validKeys);
  }

  /**
   * Answers the upgrade on `socket` (`body`: the bytes node:http read past
   * the head). An unknown option throws, as faye's validateOptions does.
   */
  constructor(
    request: IncomingMessage,
    socket: Duplex,
    body?: Uint8Array | null,
    protocols?: string | readonly string[] | null,
    options?: FayeServerOptions | null,
  ) {
    validateOptions(options, SERVER_OPTIONS);
    super(requestUrl(request, "ws:", "wss:"), options ?? undefined);
    const opts = options ?? {};
    const accepted = acceptNodeUpgrade(request, socket, body ?? undefined, {
      protocols: protocolList(protocols),
      extensions: opts.extensions,
      maxLength: opts.maxLength,
      headers: opts.headers,
      allowDrafts: opts.allowDrafts,
      secure: isSecureRequest(request),
    });
    this.driver.startServer(accepted);
  }
}
