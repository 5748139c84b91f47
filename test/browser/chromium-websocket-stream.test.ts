/**
 * Headless Chromium's own WebSocketStream (Chromium 156 exposes it) against
 * our node:http server, whose sockets are streams too:
 *
 *   page --Chromium WebSocketStream--> node:http upgrade
 *          -> new WebSocket(req, socket, head) -> WebSocketStream.from(ws)
 *
 * Per path the server: /echo pipes its readable side into its writable
 * side; /bye writes one message then closes with 4010; /hang never answers
 * the handshake; /drop drops TCP once open; /slow reads one message per
 * 10 ms (Chromium's writer must wait). vitest only, one browser per file.
 */
import http from "node:http";
import type { Socket } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, itWithPeer } from "../harness.ts";
import { WebSocket, WebSocketStream } from "../../src/runtime/node/index.ts";
import { CHROMIUM_INSTALL_HINT as HINT, hasChromium, closeServerPage, openServerPage } from "../peers/chromium.ts";
import { baseRss, peakGrowth } from "../peers/memory.ts";

const TIMEOUT = 60_000;
const MiB = 1024 * 1024;

/** Runs in the page: window.t, one function per scenario, each returning plain data. */
const PAGE_SCRIPT = `
const kind = (v) => typeof v === "string" ? "string" : Object.prototype.toString.call(v);
const bytesOf = (v) => Array.from(v instanceof ArrayBuffer ? new Uint8Array(v) : v);
const url = (path) => "ws://" + location.host + path;
window.t = {
  exposed: () => typeof WebSocketStream,
  async echo() {
    const wss = new WebSocketStream(url("/echo"), { protocols: ["chat"] });
    const { readable, writable, protocol, extensions } = await wss.opened;
    const writer = writable.getWriter();
    const reader = readable.getReader();
    await writer.write("hello from chromium");
    await writer.write(new Uint8Array([1, 2, 3, 250]));
    const text = (await reader.read()).value;
    const binary = (await reader.read()).value;
    wss.close({ closeCode: 4000, reason: "chromium done" });
    const closed = await wss.closed;
    return { protocol, extensions, text, binaryKind: kind(binary), binary: bytesOf(binary), closed };
  },
  async bye() {
    const wss = new WebSocketStream(url("/bye"));
    const { readable } = await wss.opened;
    const got = [];
    for await (const chunk of readable) got.push(chunk);
    return { got, closed: await wss.closed };
  },
  async hang() {
    const controller = new AbortController();
    const wss = new WebSocketStream(url("/hang"), { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const opened = await wss.opened.then(() => "opened", (e) => e.name);
    const closed = await wss.closed.then(() => "closed", (e) => e.name);
    return { opened, closed };
  },
  async drop() {
    const wss = new WebSocketStream(url("/drop"));
    await wss.opened;
    return await wss.closed.then((info) => ({ clean: info }), (e) => ({ name: e.name, closeCode: e.closeCode }));
  },
  async slow(total, size) {
    const wss = new WebSocketStream(url("/slow"));
    const { writable } = await wss.opened;
    const writer = writable.getWriter();
    const chunk = new Uint8Array(size);
    for (let sent = 0; sent < total; sent += size) {
      await writer.ready;
      writer.write(chunk);
    }
    await writer.ready;
    return total;
  },
};
`;

const PAGE = `<!doctype html><title>websocketstream</title><script>${PAGE_SCRIPT}</script>`;

type PageApi = Record<string, (...args: number[]) => Promise<unknown>>;
type PageGlobal = typeof globalThis & { t: PageApi };

describe("browser: headless Chromium's WebSocketStream -> our server's WebSocketStream", () => {
  const server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(PAGE));
  const tcp = new Set<Socket>();
  const streams = new Map<string, WebSocketStream>();
  let slowConsumed = 0;
  server.on("connection", (socket: Socket) => {
    tcp.add(socket);
    socket.on("close", () => tcp.delete(socket));
  });
  server.on("upgrade", (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const path = req.url ?? "/";
    if (path === "/hang") return; // never answers
    const ws = new WebSocket(req, socket, head, ["chat"]);
    const stream = WebSocketStream.from(ws);
    streams.set(path, stream);
    void stream.opened.then(async ({ readable, writable }) => {
      if (path === "/echo") await readable.pipeTo(writable as WritableStream<string | Uint8Array>).catch(() => {});
      if (path === "/bye") {
        await writable.getWriter().write("last words");
        stream.close({ closeCode: 4010, reason: "server done" });
      }
      if (path === "/drop") setTimeout(() => ws.terminate(), 20);
      if (path === "/slow") {
        for await (const message of readable as unknown as AsyncIterable<Uint8Array>) {
          slowConsumed += message.length;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    }).catch(() => {});
  });

  let browser: Browser | undefined;
  let page: Page;
  const run = <T>(name: string, ...args: number[]) =>
    page.evaluate(([name, args]) => (globalThis as PageGlobal).t[name as string]!(...(args as number[])), [name, args] as const) as Promise<T>;

  beforeAll(async () => {
    if (!hasChromium()) return;
    ({ browser, page } = await openServerPage(server));
  });

  afterAll(async () => {
    await closeServerPage(browser, server, tcp);
  });

  itWithPeer("Chromium exposes WebSocketStream", hasChromium, HINT, async () => {
    expect(await run("exposed")).toBe("function");
  }, TIMEOUT);

  itWithPeer("text and binary round-trip; Chromium closes with a code", hasChromium, HINT, async () => {
    const result = await run<Record<string, unknown>>("echo");
    expect(result.protocol).toBe("chat");
    expect(result.extensions).toBe("");
    expect(result.text).toBe("hello from chromium");
    expect(result.binary).toEqual([1, 2, 3, 250]);
    // Chromium 156 hands binary messages over as ArrayBuffer; ours gives Uint8Array (docs/flow-control.md).
    expect(result.binaryKind).toBe("[object ArrayBuffer]");
    // Chromium reports the Close it received: our engine echoes the code (RFC 6455 section 5.5.1), not the reason.
    expect(result.closed).toEqual({ closeCode: 4000, reason: "" });
    expect(await streams.get("/echo")!.closed).toEqual({ closeCode: 4000, reason: "chromium done" });
  }, TIMEOUT);

  itWithPeer("our server closes: Chromium's readable ends and its closed resolves", hasChromium, HINT, async () => {
    expect(await run("bye")).toEqual({ got: ["last words"], closed: { closeCode: 4010, reason: "server done" } });
    expect(await streams.get("/bye")!.closed).toEqual({ closeCode: 4010, reason: "server done" });
  }, TIMEOUT);

  itWithPeer("Chromium aborts the handshake of a server that never answers", hasChromium, HINT, async () => {
    expect(await run("hang")).toEqual({ opened: "AbortError", closed: "AbortError" });
  }, TIMEOUT);

  itWithPeer("our server drops TCP: Chromium's closed rejects (1006); ours rejects too", hasChromium, HINT, async () => {
    const result = await run<{ name?: string; closeCode?: number }>("drop");
    expect(result.closeCode).toBe(1006);
    let ours: unknown;
    await streams.get("/drop")!.closed.catch((e: unknown) => { ours = e; });
    expect((ours as { closeCode: number }).closeCode).toBe(1006);
  }, TIMEOUT);

  itWithPeer("Chromium's writer floods our slow reader: our memory stays bounded", hasChromium, HINT, async () => {
    // Without flow control all of it would wait in our readable queue: growth >= 128 MiB.
    const total = 128 * MiB;
    const base = baseRss();
    const growth = await peakGrowth(base, (async () => {
      await run("slow", total, 512 * 1024);
      while (slowConsumed < total) await new Promise((resolve) => setTimeout(resolve, 10));
    })());
    expect(slowConsumed).toBe(total);
    expect(growth).toBeLessThan(96 * MiB);
  }, TIMEOUT);
});
