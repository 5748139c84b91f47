/**
 * A CONNECT tunnel over any runtime's ByteSocket, and the dial that uses it.
 *
 *   dial(target, proxy)
 *     no proxy:  connector.connect(target)                      TCP, or TLS for wss://
 *     proxy:     connector.connect(proxy)                       TCP, or TLS for an https: proxy
 *                -> CONNECT host:port (core/http/connect.ts)    bytes out, the proxy's answer in
 *                -> 2xx: connector.startTls(socket, origin)     wss:// only: TLS inside the tunnel, with SNI
 *                -> the socket, paused, for the WebSocket handshake
 *
 * A refused or broken CONNECT rejects with a ProxyError (`WS_ERR_PROXY_*`)
 * that carries the proxy's status code and headers; the WebSocket reports
 * it with "error" and then "close" 1006.
 */
import { ConnectTunnel, ProxyError } from "../../core/http/connect.ts";
import { getConnector } from "../transport/runtime.ts";
import type { ByteSocket, ConnectOptions, Connector } from "../transport/byte-socket.ts";
import { resolveProxy, type ProxySetting, type ResolvedProxy } from "./proxy-options.ts";

/**
 * Runs `tunnel` over `socket`: writes the CONNECT request and resolves once
 * the proxy answered 2xx, leaving the socket paused with no bytes read past
 * the answer. Rejects (and destroys the socket) otherwise, or when `signal` aborts.
 */
export function openTunnel(socket: ByteSocket, tunnel: ConnectTunnel, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const onAbort = () => fail(new ProxyError("WS_ERR_PROXY_CLOSED", "The connection was closed while the proxy tunnel was opening"));
    const finish = () => {
      settled = true;
      signal?.removeEventListener("abort", onAbort);
    };
    const fail = (error: Error) => {
      if (settled) return;
      finish();
      socket.destroy();
      reject(error);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.attach({
      onData(chunk) {
        if (settled) return;
        const result = tunnel.receiveData(chunk);
        if (result.status === "incomplete") return;
        if (result.status === "error") return fail(result.error);
        // ws:// and TLS both have the client speak first: a byte from the
        // origin before ours is the proxy's mistake, and would be lost here.
        if (result.rest.length > 0) {
          return fail(new ProxyError("WS_ERR_PROXY_RESPONSE", "The proxy sent data after its CONNECT response, before the client spoke"));
        }
        finish();
        socket.pause();
        resolve();
      },
      onEnd() {
        fail(tunnel.receiveEof());
      },
      onClose(error) {
        fail(error ?? tunnel.receiveEof());
      },
      onDrain() {},
    });
    socket.write([tunnel.request]);
  });
}

export interface DialOptions extends ConnectOptions {
  proxy?: ProxySetting;
}

/** Opens a connection to the origin, through the proxy when there is one (see the diagram above). */
export async function dial(options: DialOptions, signal?: AbortSignal, connector: Connector = getConnector()): Promise<ByteSocket> {
  const { proxy, ...direct } = options;
  const resolved = resolveProxy(proxy, direct, (name) => connector.env(name));
  if (!resolved) return connector.connect(direct);
  return throughProxy(connector, resolved, direct, signal);
}

async function throughProxy(connector: Connector, proxy: ResolvedProxy, target: ConnectOptions, signal?: AbortSignal): Promise<ByteSocket> {
  // Built first: a bad header or port throws before anything is dialled.
  const tunnel = new ConnectTunnel({ host: target.host, port: target.port, credentials: proxy.credentials, headers: proxy.headers });
  const socket = await connector.connect({ host: proxy.host, port: proxy.port, secure: proxy.secure, tls: proxy.tls, net: target.net });
  await openTunnel(socket, tunnel, signal);
  if (!target.secure) return socket;
  if (signal?.aborted) {
    socket.destroy();
    throw new ProxyError("WS_ERR_PROXY_CLOSED", "The connection was closed while the proxy tunnel was opening");
  }
  return connector.startTls(socket, { host: target.host, tls: target.tls });
}
