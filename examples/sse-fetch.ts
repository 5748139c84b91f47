/**
 * Server-sent events from a fetch-style handler: the same function serves
 * Deno.serve, Bun.serve, or any other `(Request) => Response` server.
 *
 *   deno run -A examples/sse-fetch.ts
 *   bun examples/sse-fetch.ts
 *   curl -N -H "Accept: text/event-stream" http://127.0.0.1:8000/
 */
import { EventSourceStream } from "../src/web/event-source/stream.ts"; // from "omnisocket" once installed

/** Answers an event-stream request with a clock; anything else with "Hello". */
export function handler(request: Request, interval = 1000): Response {
  if (!EventSourceStream.isEventSource(request)) return new Response("Hello");
  const es = new EventSourceStream(request, { retry: 10, ping: 5 });
  let n = Number(es.lastEventId) || 0;
  const tick = () => {
    n++;
    // A slow client: send() returns false and drops the tick; the next
    // one goes out once "drain" says the queue emptied.
    es.send(`${n} at ${new Date().toISOString()}`, { id: String(n) });
  };
  const loop = setInterval(tick, interval);
  es.onclose = () => clearInterval(loop);
  return es.response;
}

interface Runtimes {
  Deno?: { serve(options: { port: number; hostname: string }, handler: (r: Request) => Response): unknown };
  Bun?: { serve(options: { port: number; hostname: string; idleTimeout: number; fetch: (r: Request) => Response }): unknown };
}

if ((import.meta as ImportMeta & { main?: boolean }).main) {
  const { Deno, Bun } = globalThis as Runtimes;
  if (Deno) Deno.serve({ port: 8000, hostname: "127.0.0.1" }, (req) => handler(req));
  // idleTimeout 0: Bun.serve would otherwise end a stream idle for 10 s.
  else if (Bun) Bun.serve({ port: 8000, hostname: "127.0.0.1", idleTimeout: 0, fetch: (req) => handler(req) });
  else console.error("run with deno or bun (on Node, use examples/sse-node.ts)");
}
