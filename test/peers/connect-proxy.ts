/**
 * A minimal HTTP CONNECT proxy (RFC 9110 section 9.3.6) on node:net, for
 * testing a client's tunnelling without an outside proxy: it answers
 * "200 Connection Established" and pipes bytes both ways, or refuses with
 * `refuse` as the status. It records each CONNECT request head.
 */
import net from "node:net";

export interface ConnectProxy {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** The head of each CONNECT request received (latin1). */
  requests: string[];
  close(): Promise<void>;
}

export async function startConnectProxy(options: { refuse?: number } = {}): Promise<ConnectProxy> {
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => {});
    let head = "";
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      client.off("data", onData);
      requests.push(head.slice(0, end + 4));
      const [method, target] = head.split(" ");
      if (options.refuse || method !== "CONNECT" || !target) {
        client.end(`HTTP/1.1 ${options.refuse ?? 405} Refused\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      const colon = target.lastIndexOf(":");
      const host = target.slice(0, colon).replace(/^\[|\]$/g, "");
      const upstream = net.connect(Number(target.slice(colon + 1)), host, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        const rest = head.slice(end + 4);
        if (rest) upstream.write(Buffer.from(rest, "latin1"));
        client.pipe(upstream);
        upstream.pipe(client);
      });
      sockets.add(upstream);
      upstream.on("close", () => { sockets.delete(upstream); client.destroy(); });
      upstream.on("error", () => client.destroy());
      client.on("close", () => upstream.destroy());
    };
    client.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
