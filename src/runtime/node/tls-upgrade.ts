/**
 * TLS as a client over a connection that is already open: the second half
 * of a CONNECT tunnel to a wss:// origin (src/web/client/proxy-tunnel.ts).
 *
 *   NodeByteSocket (net or tls)  --release()-->  tls.connect({ socket })      Node's own socket, no copy
 *   any other ByteSocket         --Duplex bridge-->  tls.connect({ socket })   e.g. Deno's or Bun's TLS
 *                                                                            connection to an https: proxy
 *   -> secureConnect -> NodeByteSocket over the TLS socket
 *
 * node:tls runs on Node, Deno and Bun alike, so the bridge gives every
 * runtime TLS inside TLS (an https: proxy with a wss:// origin), which
 * Deno.startTls and Bun's upgradeTLS do not do.
 */
import { isIP } from "node:net";
import { Duplex } from "node:stream";
import * as tls from "node:tls";
import type { ByteSocket, StartTlsOptions } from "../../web/transport/byte-socket.ts";
import { NodeByteSocket } from "./socket.ts";

/** A node Duplex over a ByteSocket that someone handed over (paused, unattached). */
export function byteSocketDuplex(socket: ByteSocket): Duplex {
  let onDrain: (() => void) | null = null;
  let reading = false;
  const duplex: Duplex = new Duplex({
    read() {
      if (reading) return;
      reading = true;
      socket.attach(handler);
    },
    write(chunk: Uint8Array, _encoding, callback) {
      if (socket.write([new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)])) callback();
      else onDrain = callback;
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });
  const handler = {
    onData(chunk: Uint8Array) {
      // Backpressure: stop reading until node:tls asks for more.
      if (!duplex.push(chunk)) {
        reading = false;
        socket.pause();
      }
    },
    onEnd() {
      duplex.push(null);
    },
    onClose(error?: Error) {
      duplex.destroy(error);
    },
    onDrain() {
      const callback = onDrain;
      onDrain = null;
      callback?.();
    },
  };
  return duplex;
}

/** Starts TLS over `socket`; resolves after the handshake. Options take node:tls names. */
export function startTlsOverSocket(socket: ByteSocket, options: StartTlsOptions): Promise<ByteSocket> {
  const carrier = socket instanceof NodeByteSocket ? socket.release() : byteSocketDuplex(socket);
  return new Promise((resolve, reject) => {
    // SNI is not sent for IP literals (RFC 6066 section 3).
    const servername = isIP(options.host) ? undefined : options.host;
    const secure = tls.connect({ servername, host: options.host, ...options.tls, socket: carrier } as tls.ConnectionOptions);
    const onError = (error: Error) => {
      secure.destroy();
      carrier.destroy();
      reject(error);
    };
    secure.once("error", onError);
    secure.once("secureConnect", () => {
      secure.off("error", onError);
      resolve(new NodeByteSocket(secure));
    });
  });
}
