/**
 * Headless Chromium's own EventSource against our servers: named events,
 * ids, reconnection with Last-Event-ID after the server drops the stream,
 * and the server's retry honoured.
 */
import type http from "node:http";
import type { Browser, Page } from "playwright-core";
import { afterAll, describe, expect, itWithPeer, until } from "../harness.ts";
import { CHROMIUM_INSTALL_HINT, hasChromium, launchChromium } from "../peers/chromium.ts";
import { EventSourceServer, type EventSourceServerOptions } from "../../src/runtime/node/event-source-server.ts";
import { EventSourceStream } from "../../src/web/event-source/stream.ts";
import { listenNode, serveFetch, type TestServer } from "./servers.ts";

const PAGE = "<!doctype html><title>sse</title>";

interface Stream {
  lastEventId: string;
  send(data: string, options?: { event?: string; id?: string }): boolean;
  close(): boolean;
}

type OnStream = (es: Stream, n: number) => void;

/** node:http: "/" is a page, "/events" an EventSourceServer. */
async function nodeServer(onStream: OnStream, options: EventSourceServerOptions): Promise<TestServer> {
  let n = 0;
  return listenNode((req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url === "/events" && EventSourceServer.isEventSource(req)) {
      onStream(new EventSourceServer(req, res, { ping: 0, ...options }), n++);
    } else {
      res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
    }
  });
}

/** The runtime's fetch-style server: "/" is a page, "/events" an EventSourceStream. */
async function fetchServer(onStream: OnStream, options: EventSourceServerOptions): Promise<TestServer> {
  let n = 0;
  return serveFetch((request) => {
    if (new URL(request.url).pathname === "/events" && EventSourceStream.isEventSource(request)) {
      const es = new EventSourceStream(request, { ping: 0, ...options });
      onStream(es, n++);
      return es.response;
    }
    return new Response(PAGE, { headers: { "content-type": "text/html" } });
  });
}

/** Open an EventSource in the page; its events collect in `window.sseLog`. */
async function openInPage(page: Page, types: string[]): Promise<void> {
  await page.evaluate((types) => {
    const log: string[] = [];
    (globalThis as unknown as { sseLog: string[] }).sseLog = log;
    const es = new EventSource("/events");
    (globalThis as unknown as { es: EventSource }).es = es;
    es.onopen = () => log.push(`open ${es.readyState}`);
    es.onerror = () => log.push(`error ${es.readyState}`);
    for (const type of types) {
      es.addEventListener(type, (e) => {
        const m = e as MessageEvent;
        log.push(`${m.type} ${m.data} ${m.lastEventId} ${m.origin === location.origin}`);
      });
    }
  }, types);
}

/** The page's log once it has `count` entries (polled; rejects after `ms`). */
async function pageLog(page: Page, count: number, ms = 15_000): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const log = await page.evaluate(() => (globalThis as unknown as { sseLog: string[] }).sseLog.slice());
    if (log.length >= count) return log;
    if (Date.now() > deadline) throw new Error(`timed out with page log ${JSON.stringify(log)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("event-source: headless Chromium's EventSource", () => {
  let browser: Browser | undefined;
  const servers: TestServer[] = [];
  const browserOnce = async () => (browser ??= await launchChromium());
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
  });

  for (const [name, start] of [
    ["node:http EventSourceServer", nodeServer],
    ["fetch-style EventSourceStream", fetchServer],
  ] as const) {
    itWithPeer(`${name}: named events, ids, reconnect with Last-Event-ID`, hasChromium, CHROMIUM_INSTALL_HINT, async () => {
      const seen: string[] = [];
      const server = await start((es, n) => {
        seen.push(es.lastEventId);
        if (n === 0) {
          es.send("first", { id: "1" });
          es.send("multi\nline", { event: "news", id: "2-é€" });
          es.close(); // drop the stream
        } else {
          es.send("third"); // no id: Chromium keeps the last one
        }
      }, { retry: 0.05 });
      servers.push(server);
      const page = await (await browserOnce()).newPage();
      try {
        await page.goto(`${server.url}/`);
        await openInPage(page, ["message", "news"]);
        const log = await pageLog(page, 6);
        expect(log).toEqual([
          "open 1",
          "message first 1 true",
          "news multi\nline 2-é€ true",
          "error 0",
          "open 1",
          "message third 2-é€ true",
        ]);
        expect(seen).toEqual(["", "2-é€"]);
      } finally {
        await page.evaluate(() => (globalThis as unknown as { es: EventSource }).es.close()).catch(() => {});
        await page.close();
      }
    }, 40_000);
  }

  itWithPeer("waits the server's retry (4 s, above Chromium's 3 s default) before reconnecting", hasChromium, CHROMIUM_INSTALL_HINT, async () => {
    const at: number[] = [];
    let droppedAt = 0;
    const server = await nodeServer((es, n) => {
      at.push(Date.now());
      if (n === 0) {
        es.send("x");
        setTimeout(() => {
          droppedAt = Date.now();
          es.close();
        }, 50);
      }
    }, { retry: 4 });
    servers.push(server);
    const page = await (await browserOnce()).newPage();
    try {
      await page.goto(`${server.url}/`);
      await openInPage(page, ["message"]);
      await until(() => at.length === 2, 20_000, "reconnection");
      expect(at[1]! - droppedAt).toBeGreaterThanOrEqual(3900);
    } finally {
      await page.evaluate(() => (globalThis as unknown as { es: EventSource }).es.close()).catch(() => {});
      await page.close();
    }
  }, 40_000);
});
