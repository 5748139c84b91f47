/**
 * Client connections on Deno: Deno.connect for ws://, Deno.connectTls for
 * wss://, and an HTTP CONNECT tunnel (RFC 9110 section 9.3.6) when a proxy
 * is given, with Deno.startTls on top for wss://.
 *
 * TLS options take the node:tls names so the same code runs everywhere;
 * the ones Deno has no equivalent for are refused with a TypeError.
 */
import { WebSocketError } from "../../core/shared/errors.ts";
import { HttpHeadParser } from "../../core/http/head-parser.ts";
import { encodeLatin1, headerEntries } from "../../core/http/serializer.ts";
import type { ByteSocket, ConnectOptions, Connector, ProxyOptions } from "../../web/transport/byte-socket.ts";
import { deno, type DenoConn, type DenoConnectTlsOptions } from "./deno-types.ts";
import { DenoByteSocket } from "./socket.ts";

type TlsSettings = Omit<DenoConnectTlsOptions, "port">;

const TLS_KEYS = new Set(["ca", "cert", "key", "servername", "ALPNProtocols", "rejectUnauthorized"]);
const NET_KEYS = new Set(["autoSelectFamily", "autoSelectFamilyAttemptDelay"]);

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
  return net;
}

/** host:port as a CONNECT request-target (IPv6 literals in brackets). */
function authority(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Opens a CONNECT tunnel through `proxy` to host:port; rejects unless the proxy answers 2xx. */
async function tunnel(proxy: ProxyOptions, host: string, port: number, net: Record<string, unknown>): Promise<DenoConn> {
  const url = new URL(proxy.origin);
  if (url.protocol !== "http:") {
    throw new TypeError(`Only http: proxies are supported on Deno; got ${url.protocol}`);
  }
  const conn = await deno().connect({ ...net, hostname: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || 80) });
  try {
    const target = authority(host, port);
    let head = `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n`;
    for (const [name, value] of headerEntries(proxy.headers)) head += `${name}: ${value}\r\n`;
    const request = encodeLatin1(head + "\r\n");
    for (let off = 0; off < request.length;) off += await conn.write(request.subarray(off));
    const parser = new HttpHeadParser("response");
    const buffer = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) throw new WebSocketError("WS_ERR_HANDSHAKE", "The proxy closed the connection before answering CONNECT");
      const result = parser.feed(buffer.slice(0, n));
      if (result.status === "incomplete") continue;
      if (result.status === "error") throw result.error;
      const { status } = result.head;
      if (status < 200 || status > 299) {
        throw new WebSocketError("WS_ERR_HANDSHAKE", `The proxy refused CONNECT ${target}: ${status} ${result.head.reason}`);
      }
      // A tunnel carries nothing before our own first byte.
      if (result.rest.length > 0) throw new WebSocketError("WS_ERR_HANDSHAKE", "The proxy sent data after its CONNECT response");
      return conn;
    }
  } catch (err) {
    conn.close();
    throw err;
  }
}

async function open(options: ConnectOptions): Promise<DenoConn> {
  const { host, port, secure } = options;
  const net = netOptions(options.net);
  const tls = secure ? denoTlsOptions(host, options.tls) : undefined;
  if (options.proxy) {
    const conn = await tunnel(options.proxy, host, port, net);
    if (!tls) return conn;
    if (tls.cert !== undefined || tls.key !== undefined) {
      conn.close();
      throw new TypeError("Client certificates (tls.cert/key) are not supported through a proxy on Deno.");
    }
    return deno().startTls(conn, tls);
  }
  if (!tls) return deno().connect({ ...net, hostname: host, port });
  if (tls.hostname !== host) {
    // SNI and certificate checks for a name other than the address dialled.
    const conn = await deno().connect({ ...net, hostname: host, port });
    if (tls.cert !== undefined || tls.key !== undefined) {
      conn.close();
      throw new TypeError("tls.servername together with client certificates is not supported on Deno.");
    }
    return deno().startTls(conn, tls);
  }
  return deno().connectTls({ ...net, ...tls, port });
}

export const denoConnector: Connector = {
  async connect(options: ConnectOptions): Promise<ByteSocket> {
    return new DenoByteSocket(await open(options));
  },
};
