/**
 * The running runtime's `omnisocket/ws` entry (what package.json's
 * deno / bun / default conditions pick), and the real `ws` as a peer.
 */
import { runtime } from "../../harness.ts";

const path = runtime === "deno"
  ? "../../../src/runtime/deno/ws.ts"
  : runtime === "bun"
    ? "../../../src/runtime/bun/ws.ts"
    : "../../../src/runtime/node/compat/ws/index.ts";

const mod = (await import(path)) as typeof import("../../../src/runtime/node/compat/ws/index.ts");

export const WebSocket = mod.default;
export const { WebSocketServer, createWebSocketStream } = mod;
export type WebSocket = import("../../../src/runtime/node/compat/ws/index.ts").WebSocket;
export type WebSocketServer = import("../../../src/runtime/node/compat/ws/index.ts").WebSocketServer;
export { ws as RealWs } from "../../peers/ws.ts";

/** An omnisocket/ws server on 127.0.0.1 and a free port, listening. */
export async function listen(options: Record<string, unknown> = {}): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", ...options });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", () => resolve());
    wss.once("error", reject);
  });
  const { port } = wss.address() as { port: number };
  return { wss, url: `ws://127.0.0.1:${port}` };
}

/** Resolves with the arguments of the next `event` of `emitter`. */
export function next(emitter: { once(event: string, listener: (...args: any[]) => void): unknown }, event: string): Promise<any[]> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args)));
}

export function closeServer(wss: { close(cb?: () => void): void; clients?: Set<{ terminate(): void }> }): Promise<void> {
  for (const client of wss.clients ?? []) client.terminate();
  return new Promise((resolve) => wss.close(() => resolve()));
}
