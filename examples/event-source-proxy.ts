// examples/event-source-proxy.ts: EventSource through an HTTP proxy. The client runs on
// fetch, so the proxy is fetch's: give it a fetch that uses one, the runtime's own way.
import type { EventSourceInit } from "../src/runtime/node/index.ts"; // from "omnisocket" once installed

type Fetch = NonNullable<EventSourceInit["fetch"]>;

/** Node: undici's ProxyAgent (npm install undici). */
export async function nodeProxyFetch(proxyUrl: string): Promise<Fetch> {
  const { fetch, ProxyAgent } = await import("undici");
  const dispatcher = new ProxyAgent(proxyUrl);
  return (url, init) => fetch(url, { ...(init as object), dispatcher }) as ReturnType<Fetch>;
}

/** Deno: an HTTP client with a proxy (Deno's fetch also reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY itself). */
export function denoProxyFetch(proxyUrl: string): Fetch {
  const { Deno } = globalThis as unknown as { Deno: { createHttpClient(options: { proxy: { url: string } }): unknown } };
  const client = Deno.createHttpClient({ proxy: { url: proxyUrl } });
  return (url, init) => fetch(url, { ...init, client } as RequestInit);
}

/** Bun: fetch's `proxy` option (Bun's fetch also reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY itself). */
export function bunProxyFetch(proxyUrl: string): Fetch {
  return (url, init) => fetch(url, { ...init, proxy: proxyUrl } as RequestInit);
}

// Then, on any of them:
//   const es = new EventSource("https://example.com/events", { fetch: await nodeProxyFetch("http://proxy:3128") });
