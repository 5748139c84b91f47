/**
 * Client connections on Bun: Bun.connect, with `tls` for wss://, and
 * socket.upgradeTLS for TLS inside an HTTP CONNECT tunnel (the tunnel
 * itself is src/web/client/proxy-tunnel.ts).
 *
 * TLS options take the node:tls names so the same code runs everywhere
 * (`servername` becomes Bun's `serverName`); names Bun has no equivalent
 * for are refused with a TypeError.
 */
import type { ByteSocket, ConnectOptions, Connector, StartTlsOptions } from "../../web/transport/byte-socket.ts";
import { bun, type BunSocket, type BunTlsOptions } from "./bun-types.ts";
import { BunByteSocket, byteSocketHandlers } from "./socket.ts";
import { addressForFamily } from "../node/address-family.ts";

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

/**
 * The client's sockets on Bun: Bun.connect (with TLS for wss://), Bun's
 * upgradeTLS for TLS inside a proxy tunnel, process.env for `proxy: "env"`.
 * The entry installs it.
 */
export const bunConnector: Connector = {
  async connect(options: ConnectOptions): Promise<ByteSocket> {
    const net = options.net ?? {};
    for (const key of Object.keys(net)) {
      if (net[key] !== undefined && key !== "family") throw new TypeError(`The net option "${key}" is not supported on Bun (supported: family).`);
    }
    const address = await addressForFamily(options.host, net.family);
    const tls = options.secure ? bunTlsOptions(options.host, options.tls) : undefined;
    return new Promise((resolve, reject) => {
      let failure: Error | undefined;
      bun().connect<BunByteSocket>({
        hostname: address,
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
        if (tls) overTls.add(socket.data);
        resolve(socket.data);
      }, reject);
    });
  },
  startTls,
  env: (name) => (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[name],
};

/** Connections opened with TLS: TLS inside them needs node:tls (see startTls). */
const overTls = new WeakSet<ByteSocket>();

/**
 * TLS over a CONNECT tunnel: Bun's upgradeTLS on our own TCP socket; over a
 * TLS connection (an https: proxy), where upgradeTLS gives nothing, node:tls
 * on a bridge (runtime/node/tls-upgrade.ts).
 */
async function startTls(socket: ByteSocket, options: StartTlsOptions): Promise<ByteSocket> {
  if (!(socket instanceof BunByteSocket) || overTls.has(socket) || !socket.socket.upgradeTLS) {
    // Loaded on first use: plain Bun sockets need no node: module.
    const { startTlsOverSocket } = await import("../node/tls-upgrade.ts");
    return startTlsOverSocket(socket, options);
  }
  let tls: BunTlsOptions;
  try {
    tls = bunTlsOptions(options.host, options.tls);
  } catch (err) {
    socket.destroy();
    throw err;
  }
  const raw = socket.release();
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    const pair = raw.upgradeTLS!<BunByteSocket>({
      tls,
      socket: {
        ...byteSocketHandlers,
        handshake(secure, success, authorizationError) {
          if (settled) return;
          if (!success || authorizationError) {
            fail(authorizationError ?? new Error("TLS handshake failed"));
            secure.end();
            return;
          }
          settled = true;
          // Created only now: a paused socket would stall the handshake.
          resolve(new BunByteSocket(secure));
        },
        connectError(_secure, error) {
          fail(error);
        },
        close(secure, error) {
          if (secure.data) byteSocketHandlers.close(secure, error);
          else fail(error ?? new Error("The connection closed during the TLS handshake"));
        },
        error(secure, error) {
          if (secure.data) byteSocketHandlers.error(secure, error);
          else fail(error);
        },
      },
    });
    if (!pair) {
      raw.end();
      fail(new Error("Bun could not start TLS on this socket"));
    }
  });
}
