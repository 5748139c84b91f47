/**
 * Bun.listen as the raw-listener port (src/web/server/raw-listener.ts):
 * each accepted connection becomes a BunByteSocket.
 */
import { familyOf, type RawListen } from "../../web/server/raw-listener.ts";
import { bun, type BunSocket } from "./bun-types.ts";
import { BunByteSocket, byteSocketHandlers } from "./socket.ts";

export const bunRawListen: RawListen = (options, onConnection) => {
  const listener = bun().listen<BunByteSocket>({
    hostname: options.host ?? "0.0.0.0",
    port: options.port,
    allowHalfOpen: true,
    socket: {
      ...byteSocketHandlers,
      open(socket: BunSocket<BunByteSocket>) {
        const { remoteAddress = "", remotePort = 0 } = socket as unknown as { remoteAddress?: string; remotePort?: number };
        onConnection({ socket: new BunByteSocket(socket), remoteAddress, remotePort, remoteFamily: familyOf(remoteAddress) });
      },
    },
  });
  let closed = false;
  return {
    address: { address: listener.hostname, family: familyOf(listener.hostname), port: listener.port },
    close() {
      if (!closed) {
        closed = true;
        listener.stop(false); // open connections stay
      }
      return Promise.resolve();
    },
  };
};
