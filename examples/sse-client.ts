/**
 * The browser's EventSource on Node, Deno and Bun, plus the options
 * browsers lack (headers, an initial retry, a custom fetch).
 *
 *   npx tsx examples/sse-client.ts http://127.0.0.1:8000/
 */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { EventSource } from "../src/web/event-source/client.ts"; // from "omnisocket" once installed

/** Collect `count` events (messages and "notification"s), then close. */
export function follow(url: string, count: number, log: (...args: unknown[]) => void = console.log): Promise<string[]> {
  return new Promise((resolve) => {
    const seen: string[] = [];
    const es = new EventSource(url, {
      headers: { Authorization: "Bearer example-token" },
      retry: 1000, // ms until the server sends its own retry
    });
    const collect = (event: Event) => {
      const { type, data, lastEventId } = event as MessageEvent;
      seen.push(`${type}: ${data} (last id ${lastEventId || "none"})`);
      if (seen.length === count) {
        es.close();
        resolve(seen);
      }
    };
    es.onopen = () => log("open", es.url);
    es.onmessage = collect;
    es.addEventListener("notification", collect);
    // Fired on every reconnection (readyState CONNECTING) and when the
    // connection fails for good (CLOSED: a 204, another status, a wrong type).
    es.onerror = () => log("error, readyState", es.readyState);
  });
}

function runDirectly(): boolean {
  try {
    return !!process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (runDirectly()) {
  for (const line of await follow(process.argv[2] ?? "http://127.0.0.1:8000/", 6)) console.log(line);
}
