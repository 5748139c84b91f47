/**
 * Records what one of our WebSockets sees, for interop tests:
 *
 *   const seen = observe(ws);
 *   await seen.opened;  const data = await seen.next();  const close = await seen.closed;
 *   seen.pings / seen.pongs (payloads as text), seen.errors, seen.order
 *
 * Works for client and server sockets on every runtime (plain EventTarget).
 */
import { until } from "../harness.ts";

interface Target {
  addEventListener(type: string, listener: (event: Event) => void): void;
}

export interface CloseSeen {
  code: number;
  reason: string;
  wasClean: boolean;
}

export interface Observed {
  /** Resolves on "open"; rejects when the socket closes first. */
  opened: Promise<void>;
  /** Resolves with the close event's code, reason and wasClean. */
  closed: Promise<CloseSeen>;
  /** Message data in arrival order. */
  messages: unknown[];
  /** Ping and pong payloads, decoded as UTF-8. */
  pings: string[];
  pongs: string[];
  /** Error events (their message). */
  errors: string[];
  /** Event types in dispatch order ("open", "message", "error", "close", ...). */
  order: string[];
  /** The next message not yet taken by next(). */
  next(ms?: number): Promise<unknown>;
}

const decoder = new TextDecoder();

export function observe(ws: Target): Observed {
  const seen = {
    messages: [] as unknown[],
    pings: [] as string[],
    pongs: [] as string[],
    errors: [] as string[],
    order: [] as string[],
  };
  let taken = 0;
  let isClosed = false;
  const opened = new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve());
    ws.addEventListener("close", () => reject(new Error("closed before open")));
  });
  opened.catch(() => {}); // a test that expects a refusal never awaits it
  const closed = new Promise<CloseSeen>((resolve) => {
    ws.addEventListener("close", (event) => {
      isClosed = true;
      const e = event as Event & CloseSeen;
      resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean });
    });
  });
  for (const type of ["open", "message", "error", "close", "ping", "pong"]) {
    ws.addEventListener(type, (event) => {
      seen.order.push(type);
      const data = (event as Event & { data?: unknown }).data;
      if (type === "message") seen.messages.push(data);
      if (type === "ping") seen.pings.push(decoder.decode(data as Uint8Array));
      if (type === "pong") seen.pongs.push(decoder.decode(data as Uint8Array));
      if (type === "error") seen.errors.push((event as Event & { message?: string }).message ?? "");
    });
  }
  return {
    ...seen,
    opened,
    closed,
    async next(ms = 30_000) {
      await until(() => seen.messages.length > taken || isClosed, ms, "a message");
      if (seen.messages.length <= taken) throw new Error(`closed before message #${taken + 1} (${seen.order.join(", ")})`);
      return seen.messages[taken++];
    },
  };
}

/**
 * Server-side sockets by request path, observed from their construction:
 *
 *   const arrivals = byPath<WebSocket>();
 *   startOurServer({ onConnection: arrivals.onConnection });
 *   const { ws, seen } = await arrivals.next("/path");   // before the client connects
 */
export interface Arrival<W> {
  ws: W;
  seen: Observed;
}

export interface ByPath<W> {
  /** The next connection to `path` (call before the client connects). */
  next(path: string): Promise<Arrival<W>>;
  /** Runs `fn` on every connection to `path`, before next() resolves. */
  on(path: string, fn: (ws: W) => void): void;
  /** For startOurServer's onConnection. */
  onConnection(ws: W, req: { url?: string }): void;
}

export function byPath<W extends Target>(): ByPath<W> {
  const waiting = new Map<string, (a: Arrival<W>) => void>();
  const handlers = new Map<string, (ws: W) => void>();
  return {
    next: (path) => new Promise((resolve) => waiting.set(path, resolve)),
    on: (path, fn) => void handlers.set(path, fn),
    onConnection(ws, req) {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      const seen = observe(ws);
      handlers.get(path)?.(ws);
      const resolve = waiting.get(path);
      waiting.delete(path);
      resolve?.({ ws, seen });
    },
  };
}
