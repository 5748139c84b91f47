/**
 * A TCP relay that counts the bytes on the wire, for tests that check what
 * a server of ours really sent and received (compressed or not) whatever
 * socket it runs on: node:http's, Deno.listen's or Bun.listen's.
 *
 *   client --TCP--> wire tap (node:net, counts) --TCP--> server
 *
 * Each relayed connection gets a Wire, in the order the tap accepted them;
 * FIN is passed on both ways, and a reset or close on one side closes the
 * other.
 */
import net from "node:net";

/** Byte counts of one connection, seen from the server: read = from the client. */
export interface Wire {
  bytesRead: number;
  bytesWritten: number;
}

export interface WireTap {
  /** ws://127.0.0.1:PORT of the tap (or wss://, as the target). */
  url: string;
  port: number;
  wires: Wire[];
  close(): Promise<void>;
}

/** Relays 127.0.0.1:(tap port) to 127.0.0.1:`targetPort`. */
export async function startWireTap(targetPort: number, scheme: "ws" | "wss" = "ws"): Promise<WireTap> {
  const wires: Wire[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
  };
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const wire: Wire = { bytesRead: 0, bytesWritten: 0 };
    wires.push(wire);
    const upstream = net.connect({ port: targetPort, host: "127.0.0.1", allowHalfOpen: true });
    track(client);
    track(upstream);
    client.on("data", (chunk: Uint8Array) => { wire.bytesRead += chunk.length; });
    upstream.on("data", (chunk: Uint8Array) => { wire.bytesWritten += chunk.length; });
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    wires,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
