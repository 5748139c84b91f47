/**
 * Deno.listen as the raw-listener port (src/web/server/raw-listener.ts):
 * each accepted connection becomes a DenoByteSocket.
 */
import { familyOf, type RawListen } from "../../web/server/raw-listener.ts";
import { deno } from "./deno-types.ts";
import { DenoByteSocket } from "./socket.ts";

export const denoRawListen: RawListen = (options, onConnection) => {
  const listener = deno().listen({ hostname: options.host ?? "0.0.0.0", port: options.port });
  let closed = false;
  const accepting = (async () => {
    while (!closed) {
      let conn;
      try {
        conn = await listener.accept();
      } catch (err) {
        // Closed: stop. Anything else (a client gone before accept) must not end the server.
        if (closed || (err as Error)?.name === "BadResource") return;
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      const remote = conn.remoteAddr;
      onConnection({ socket: new DenoByteSocket(conn), remoteAddress: remote.hostname, remotePort: remote.port, remoteFamily: familyOf(remote.hostname) });
    }
  })();
  const { hostname, port } = listener.addr;
  return {
    address: { address: hostname, family: familyOf(hostname), port },
    async close() {
      if (!closed) {
        closed = true;
        try {
          listener.close();
        } catch {
          // already closed
        }
      }
      await accepting;
    },
  };
};
