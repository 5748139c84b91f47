/**
 * Client connections on Bun: Bun.connect, with `tls` for wss://.
 *
 * TLS options take the node:tls names so the same code runs everywhere
 * (`servername` becomes Bun's `serverName`); names Bun has no equivalent
 * for are refused with a TypeError, as are proxies (not supported on Bun yet).
 */
import type { ByteSocket, ConnectOptions, Connector } from "../../web/transport/byte-socket.ts";
import { bun, type BunSocket, type BunTlsOptions } from "./bun-types.ts";
import { BunByteSocket, byteSocketHandlers } from "./socket.ts";

const TLS_KEYS = new Set(["ca", "cert", "key", "servername", "rejectUnauthorized", "ALPNProtocols"]);

/** node:tls-style options -> Bun's tls options. */
export function bunTlsOptions(host: string, tls: Record<string, unknown> = {}): BunTlsOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tls)) {
    if (value === undefined) continue;
    if (!TLS_KEYS.has(key)) {
      throw new TypeError(`The TLS option "${key}" is not supported on Bun (supported: ${[...TLS_KEYS].join(", ")}).`);
    }
    out[key === "servername" ? "serverName" : key] = value;
  }
  // SNI is not sent for IP literals (RFC 6066 section 3).
  if (out.serverName === undefined && !/^[\d.]+$|:/.test(host)) out.serverName = host;
  return out as BunTlsOptions;
}

export const bunConnector: Connector = {
  connect(options: ConnectOptions): Promise<ByteSocket> {
    if (options.proxy) return Promise.reject(new TypeError("HTTP proxies are not supported by the Bun connector yet."));
    const net = options.net ?? {};
    for (const key of Object.keys(net)) {
      if (net[key] !== undefined) return Promise.reject(new TypeError(`The net option "${key}" is not supported on Bun.`));
    }
    let tls: BunTlsOptions | undefined;
    try {
      tls = options.secure ? bunTlsOptions(options.host, options.tls) : undefined;
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      let failure: Error | undefined;
      bun().connect<BunByteSocket>({
        hostname: options.host,
        port: options.port,
        tls,
        allowHalfOpen: true,
        socket: {
          ...byteSocketHandlers,
          open(socket: BunSocket<BunByteSocket>) {
            new BunByteSocket(socket);
          },
          connectError(_socket, error) {
            failure = error;
            reject(error);
          },
          handshake(socket, success, authorizationError) {
            // A certificate Bun will not trust: the socket closes with this error.
            if (!success || authorizationError) socket.data?.failed(authorizationError ?? new Error("TLS handshake failed"));
          },
        },
      }).then((socket) => {
        if (failure) return;
        resolve(socket.data);
      }, reject);
    });
  },
};
