/**
 * Client connections on Deno: Deno.connect for ws://, Deno.connectTls for
 * wss://, and Deno.startTls for TLS inside an HTTP CONNECT tunnel (the
 * tunnel itself is src/web/client/proxy-tunnel.ts).
 *
 * TLS options take the node:tls names so the same code runs everywhere;
 * the ones Deno has no equivalent for are refused with a TypeError.
 */
import type { ByteSocket, ConnectOptions, Connector, StartTlsOptions } from "../../web/transport/byte-socket.ts";
import { deno, type DenoConn, type DenoConnectTlsOptions } from "./deno-types.ts";
import { DenoByteSocket } from "./socket.ts";
import { addressForFamily } from "../node/address-family.ts";

type TlsSettings = Omit<DenoConnectTlsOptions, "port">;

const TLS_KEYS = new Set(["ca", "cert", "key", "servername", "ALPNProtocols", "rejectUnauthorized"]);
const NET_KEYS = new Set(["autoSelectFamily", "autoSelectFamilyAttemptDelay", "family"]);

function pem(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === "string" ? v : new TextDecoder().decode(v as Uint8Array)));
}

/** node:tls-style options -> Deno.connectTls / startTls options. */
export function denoTlsOptions(host: string, tls: Record<string, unknown> = {}): TlsSettings {
  for (const key of Object.keys(tls)) {
    if (tls[key] === undefined) continue;
    if (!TLS_KEYS.has(key)) {
      throw new TypeError(`The TLS option "${key}" is not supported on Deno (supported: ${[...TLS_KEYS].join(", ")}).`);
    }
  }
  if (tls.rejectUnauthorized === false) {
    throw new TypeError(
      'tls.rejectUnauthorized: false is not supported on Deno; pass the server\'s CA as "ca" (or run Deno with --unsafely-ignore-certificate-errors).',
    );
  }
  const out: TlsSettings = { hostname: typeof tls.servername === "string" ? tls.servername : host };
  if (tls.ca !== undefined) out.caCerts = pem(tls.ca);
  if (tls.cert !== undefined) out.cert = pem(tls.cert).join("\n");
  if (tls.key !== undefined) out.key = pem(tls.key).join("\n");
  if (Array.isArray(tls.ALPNProtocols)) out.alpnProtocols = tls.ALPNProtocols.map(String);
  return out;
}

function netOptions(net: Record<string, unknown> = {}): Record<string, unknown> {
  for (const key of Object.keys(net)) {
    if (net[key] !== undefined && !NET_KEYS.has(key)) {
      throw new TypeError(`The net option "${key}" is not supported on Deno (supported: ${[...NET_KEYS].join(", ")}).`);
    }
  }
  const { family: _family, ...rest } = net; // family picks the address dialled (addressForFamily)
  return rest;
}

/** Connections this connector opened with TLS (TLS inside them needs node:tls, see startTls). */
const overTls = new WeakSet<ByteSocket>();

async function open(options: ConnectOptions): Promise<DenoConn> {
  const { host, port, secure } = options;
  const net = netOptions(options.net);
  const tls = secure ? denoTlsOptions(host, options.tls) : undefined;
  const address = await addressForFamily(host, options.net?.family);
  if (!tls) return deno().connect({ ...net, hostname: address, port });
  if (tls.hostname !== address) {
    // SNI and certificate checks for a name other than the address dialled.
    const conn = await deno().connect({ ...net, hostname: address, port });
    if (tls.cert !== undefined || tls.key !== undefined) {
      conn.close();
      throw new TypeError("tls.servername together with client certificates is not supported on Deno.");
    }
    return deno().startTls(conn, tls);
  }
  return deno().connectTls({ ...net, ...tls, port });
}

/**
 * TLS over a CONNECT tunnel: Deno.startTls on our own TCP connection; over
 * a TLS connection (an https: proxy), or with client certificates, which
 * Deno.startTls cannot do, node:tls on a bridge (runtime/node/tls-upgrade.ts).
 */
async function startTls(socket: ByteSocket, options: StartTlsOptions): Promise<ByteSocket> {
  const settings = options.tls ?? {};
  const native = socket instanceof DenoByteSocket && !overTls.has(socket) && settings.cert === undefined && settings.key === undefined;
  if (!native) {
    // Loaded on first use: plain Deno sockets need no node: module.
    const { startTlsOverSocket } = await import("../node/tls-upgrade.ts");
    return startTlsOverSocket(socket, options);
  }
  let tls: TlsSettings;
  try {
    tls = denoTlsOptions(options.host, settings);
  } catch (err) {
    socket.destroy();
    throw err;
  }
  return new DenoByteSocket(await deno().startTls(socket.release(), tls));
}

/**
 * The client's sockets on Deno: Deno.connect / Deno.connectTls, Deno.startTls
 * for TLS inside a proxy tunnel, Deno.env for `proxy: "env"` (it needs
 * --allow-env). The entry installs it.
 */
export const denoConnector: Connector = {
  async connect(options: ConnectOptions): Promise<ByteSocket> {
    const socket = new DenoByteSocket(await open(options));
    if (options.secure) overTls.add(socket);
    return socket;
  },
  startTls,
  env(name) {
    // Throws when Deno runs without --allow-env for `name`: "env" asked for it.
    return (globalThis as { Deno?: { env: { get(name: string): string | undefined } } }).Deno?.env.get(name);
  },
};
