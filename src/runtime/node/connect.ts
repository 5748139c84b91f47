/**
 * Client connections on Node: node:net for ws://, node:tls for wss:// and
 * for TLS inside a CONNECT tunnel (tls-upgrade.ts); the tunnel itself is
 * src/web/client/proxy-tunnel.ts.
 */
import * as net from "node:net";
import * as tls from "node:tls";
import type { ByteSocket, ConnectOptions, Connector } from "../../web/transport/byte-socket.ts";
import { NodeByteSocket } from "./socket.ts";
import { startTlsOverSocket } from "./tls-upgrade.ts";

function open(options: ConnectOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const { host, port } = options;
    let socket: net.Socket;
    if (options.secure) {
      // SNI is not sent for IP literals (RFC 6066 section 3).
      const servername = net.isIP(host) ? undefined : host;
      socket = tls.connect({ host, port, servername, ...options.net, ...options.tls } as tls.ConnectionOptions);
      socket.once("secureConnect", () => done(null));
    } else {
      socket = net.connect({ host, port, ...options.net } as net.NetConnectOpts);
      socket.once("connect", () => done(null));
    }
    socket.once("error", (err) => done(err));
    function done(err: Error | null): void {
      socket.removeAllListeners("error");
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        resolve(socket);
      }
    }
  });
}

export const nodeConnector: Connector = {
  async connect(options: ConnectOptions): Promise<ByteSocket> {
    return new NodeByteSocket(await open(options));
  },
  startTls: startTlsOverSocket,
  env: (name) => process.env[name],
};
