/**
 * Test servers for the event-source suites, on 127.0.0.1 and port 0:
 *
 *   listenNode(handler)  node:http (Node, and node:http on Deno and Bun)
 *   serveFetch(handler)  the runtime's own fetch-style server: Deno.serve,
 *                        Bun.serve, or on Node a small node:http adapter
 *
 * Each returns `{ url, close }`; `close` ends every open connection so no
 * event stream keeps a runner alive.
 */
import http from "node:http";
import { runtime } from "../harness.ts";

export interface TestServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

export type NodeHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
export type FetchHandler = (request: Request) => Response | Promise<Response>;

export async function listenNode(handler: NodeHandler): Promise<TestServer> {
  const server = http.createServer(handler);
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface DenoServe {
  serve(
    options: { port: number; hostname: string; onListen?: () => void },
    handler: FetchHandler,
  ): { addr: { port: number }; shutdown(): Promise<void> };
}
interface BunServe {
  serve(options: { port: number; hostname: string; idleTimeout?: number; fetch: FetchHandler }): {
    port: number;
    stop(force?: boolean): void | Promise<void>;
  };
}

/** node:http in front of a fetch handler, for Node (whose http has no fetch-style server). */
function nodeAdapter(handler: FetchHandler): Promise<TestServer> {
  return listenNode(async (req, res) => {
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, signal: abort.signal });
    const response = await handler(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) {
      res.end();
      return;
    }
    const reader = response.body.getReader();
    res.on("close", () => void reader.cancel().catch(() => {}));
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        // Read the next chunk only when node took this one: backpressure.
        if (!res.write(value)) await new Promise((resolve) => res.once("drain", resolve).once("close", resolve));
      }
      res.end();
    } catch {
      res.destroy();
    }
  });
}

/** The runtime's fetch-style server: Deno.serve, Bun.serve, or node:http on Node. */
export async function serveFetch(handler: FetchHandler): Promise<TestServer> {
  const g = globalThis as unknown as { Deno?: DenoServe; Bun?: BunServe };
  if (runtime === "deno") {
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const server = g.Deno!.serve({ port: 0, hostname: "127.0.0.1", onListen: () => listening() }, handler);
    await ready;
    return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
  }
  if (runtime === "bun") {
    // Bun.serve ends a response idle for 10 s by default; streams may idle longer.
    const server = g.Bun!.serve({ port: 0, hostname: "127.0.0.1", idleTimeout: 0, fetch: handler });
    return { url: `http://127.0.0.1:${server.port}`, close: async () => void (await server.stop(true)) };
  }
  return nodeAdapter(handler);
}
