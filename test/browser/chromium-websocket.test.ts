/**
 * Headless Chromium's own WebSocket against our server:
 *
 *   page (node:http "/") --browser WebSocket--> node:http upgrade
 *                                                -> new WebSocket(req, socket, head, protocols)  (faye style)
 *
 * The page script (PAGE_SCRIPT, plain JavaScript) keeps sockets by id and
 * describes every message as {kind, size, sha256}; playwright-core drives
 * it with page.evaluate. Chromium offers permessage-deflate; our server
 * declines it (it is given no extensions), so every frame is plain.
 * One browser per file; vitest only.
 */
import http from "node:http";
import type { Socket } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, itWithPeer } from "../harness.ts";
import { WebSocket } from "../../src/runtime/node/index.ts";
import { CHROMIUM_INSTALL_HINT as HINT, hasChromium, closeServerPage, openServerPage } from "../peers/chromium.ts";
import { byPath } from "../peers/observe.ts";
import { SIZES } from "../peers/payloads.ts";
import { payload, sha256 } from "../peers/python.ts";

const TIMEOUT = 60_000;

/** Runs in the page: window.t.open/send/next/close/closed, sockets by id. */
const PAGE_SCRIPT = `
const encoder = new TextEncoder();
function payload(kind, size) {
  if (kind === "text") return "abcdefghijklmnopqrstuvwxyz".repeat(Math.ceil(size / 26)).slice(0, size);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 7 + 3) & 0xff;
  return out;
}
async function describe(data) {
  let kind, bytes;
  if (typeof data === "string") { kind = "text"; bytes = encoder.encode(data); }
  else if (data instanceof ArrayBuffer) { kind = "arraybuffer"; bytes = new Uint8Array(data); }
  else if (data instanceof Blob) { kind = "blob"; bytes = new Uint8Array(await data.arrayBuffer()); }
  else return { kind: Object.prototype.toString.call(data) };
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return { kind, size: bytes.length, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("") };
}
const sockets = new Map();
window.t = {
  open(id, path, protocols, binaryType) {
    const ws = new WebSocket("ws://" + location.host + path, protocols);
    ws.binaryType = binaryType;
    const s = { ws, log: [], messages: [], waiters: [] };
    sockets.set(id, s);
    s.closed = new Promise((resolve) => {
      ws.onclose = (e) => { s.log.push("close"); resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean }); };
    });
    ws.onerror = () => s.log.push("error");
    ws.onmessage = (e) => {
      s.log.push("message");
      s.messages.push(describe(e.data));
      const waiter = s.waiters.shift();
      if (waiter) waiter();
    };
    return new Promise((resolve) => {
      ws.onopen = () => { s.log.push("open"); resolve({ opened: true, protocol: ws.protocol, extensions: ws.extensions }); };
      s.closed.then(() => resolve({ opened: false, protocol: ws.protocol, extensions: ws.extensions }));
    });
  },
  send(id, as, size) {
    const ws = sockets.get(id).ws;
    const data = as === "text" ? payload("text", size)
      : as === "arraybuffer" ? payload("binary", size).buffer
      : new Blob([payload("binary", size)]);
    ws.send(data);
    return size;
  },
  async next(id) {
    const s = sockets.get(id);
    if (s.messages.length === 0) await new Promise((resolve) => { s.waiters.push(resolve); s.closed.then(resolve); });
    if (s.messages.length === 0) throw new Error("closed before a message: " + s.log.join(", "));
    return s.messages.shift();
  },
  close(id, code, reason) { sockets.get(id).ws.close(code, reason); },
  async closed(id) {
    const s = sockets.get(id);
    const close = await s.closed;
    return { ...close, log: s.log };
  },
};
`;

const PAGE = `<!doctype html><title>websocket</title><script>${PAGE_SCRIPT}</script>`;

interface Opened { opened: boolean; protocol: string; extensions: string }
interface Described { kind: string; size?: number; sha256?: string }
interface Closed { code: number; reason: string; wasClean: boolean; log: string[] }

type PageApi = {
  open(id: string, path: string, protocols: string[], binaryType: string): Promise<Opened>;
  send(id: string, as: string, size: number): number;
  next(id: string): Promise<Described>;
  close(id: string, code?: number, reason?: string): void;
  closed(id: string): Promise<Closed>;
};
// The page's globalThis, as seen from the functions page.evaluate ships over.
type PageGlobal = typeof globalThis & { t: PageApi };

let ids = 0;

/** One WebSocket in the page, driven from the test. */
function pageSocket(page: Page) {
  const id = `s${ids++}`;
  return {
    open: (path: string, protocols: string[] = [], binaryType = "arraybuffer") =>
      page.evaluate(([id, path, protocols, binaryType]) => (globalThis as PageGlobal).t.open(id, path, protocols, binaryType), [id, path, protocols, binaryType] as const),
    send: (as: "text" | "arraybuffer" | "blob", size: number) =>
      page.evaluate(([id, as, size]) => (globalThis as PageGlobal).t.send(id, as, size), [id, as, size] as const),
    next: () => page.evaluate((id) => (globalThis as PageGlobal).t.next(id), id),
    close: (code?: number, reason?: string) =>
      page.evaluate(([id, code, reason]) => (globalThis as PageGlobal).t.close(id, code, reason), [id, code, reason] as const),
    closed: () => page.evaluate((id) => (globalThis as PageGlobal).t.closed(id), id),
  };
}

/** What the page should report for a message of `size` sent as `as`. */
async function expected(kind: string, size: number): Promise<Described> {
  const data = kind === "text" ? payload("text", size) : payload("binary", size);
  return { kind, size, sha256: await sha256(data) };
}

function label(size: number): string {
  return size >= 1024 * 1024 ? `${size / 1024 / 1024} MiB` : size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
}

describe("browser: headless Chromium's WebSocket -> our server", () => {
  const arrivals = byPath<WebSocket>();
  const server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(PAGE));
  const tcp = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    tcp.add(socket);
    socket.on("close", () => tcp.delete(socket));
  });
  server.on("upgrade", (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    if (req.url === "/reject") {
      // The application refuses before any WebSocket is made (faye style).
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    const ws = new WebSocket(req, socket, head, ["chat", "superchat"], { binaryType: "arraybuffer" });
    ws.addEventListener("message", (e) => ws.send((e as MessageEvent).data as string | ArrayBuffer));
    arrivals.onConnection(ws, req);
  });

  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    if (!hasChromium()) return;
    ({ browser, page } = await openServerPage(server));
  });

  afterAll(async () => {
    await closeServerPage(browser, server, tcp);
  });

  itWithPeer("negotiates a subprotocol and declines permessage-deflate", hasChromium, HINT, async () => {
    const accepted = arrivals.next("/protocol");
    const ws = pageSocket(page);
    expect(await ws.open("/protocol", ["mqtt", "superchat", "chat"])).toEqual({ opened: true, protocol: "superchat", extensions: "" });
    const { ws: ours, seen } = await accepted;
    expect(ours.protocol).toBe("superchat");
    expect(ours.extensions).toBe("");
    expect(ours.headers["sec-websocket-extensions"]).toMatch("permessage-deflate");
    await ws.close(1000);
    expect((await ws.closed()).wasClean).toBe(true);
    expect(await seen.closed).toEqual({ code: 1000, reason: "", wasClean: true });
  }, TIMEOUT);

  const kinds = [
    { as: "text", binaryType: "blob" },
    { as: "arraybuffer", binaryType: "arraybuffer" },
    { as: "blob", binaryType: "blob" },
  ] as const;
  for (const { as, binaryType } of kinds) {
    for (const size of SIZES) {
      itWithPeer(`${as} ${label(size)} echoed (binaryType ${binaryType})`, hasChromium, HINT, async () => {
        const path = `/data-${as}-${size}`;
        const accepted = arrivals.next(path);
        const ws = pageSocket(page);
        expect((await ws.open(path, [], binaryType)).opened).toBe(true);
        const { seen } = await accepted;
        await ws.send(as, size);
        const received = as === "text" ? "text" : binaryType;
        expect(await ws.next()).toEqual(await expected(received, size));
        // What our server got, byte for byte.
        const got = await seen.next();
        expect(typeof got === "string" ? "text" : got instanceof ArrayBuffer ? "binary" : "other").toBe(as === "text" ? "text" : "binary");
        expect(await sha256(got as string | ArrayBuffer)).toBe((await expected(received, size)).sha256!);
        await ws.close(1000, "done");
        expect(await seen.closed).toEqual({ code: 1000, reason: "done", wasClean: true });
      }, TIMEOUT);
    }
  }

  for (const [as, binaryType] of [["arraybuffer", "blob"], ["blob", "arraybuffer"]] as const) {
    itWithPeer(`${as} sent, received with binaryType ${binaryType}`, hasChromium, HINT, async () => {
      const ws = pageSocket(page);
      expect((await ws.open(`/cross-${as}`, [], binaryType)).opened).toBe(true);
      await ws.send(as, 126);
      expect(await ws.next()).toEqual(await expected(binaryType, 126));
      await ws.close();
      await ws.closed();
    }, TIMEOUT);
  }

  itWithPeer("the page closes with code and reason; our server sees them", hasChromium, HINT, async () => {
    const accepted = arrivals.next("/page-closes");
    const ws = pageSocket(page);
    await ws.open("/page-closes");
    const { seen } = await accepted;
    await ws.close(4000, "page says bye");
    expect(await seen.closed).toEqual({ code: 4000, reason: "page says bye", wasClean: true });
    // The page's close event reports our answering Close: the code echoed
    // (RFC 6455 section 5.5.1), no reason.
    expect(await ws.closed()).toEqual({ code: 4000, reason: "", wasClean: true, log: ["open", "close"] });
  }, TIMEOUT);

  itWithPeer("our server closes with code and reason; the page sees them", hasChromium, HINT, async () => {
    arrivals.on("/server-closes", (ours) => ours.addEventListener("open", () => ours.close(4001, "server says bye")));
    const accepted = arrivals.next("/server-closes");
    const ws = pageSocket(page);
    await ws.open("/server-closes");
    expect(await ws.closed()).toEqual({ code: 4001, reason: "server says bye", wasClean: true, log: ["open", "close"] });
    const { seen } = await accepted;
    expect(await seen.closed).toEqual({ code: 4001, reason: "server says bye", wasClean: true });
  }, TIMEOUT);

  itWithPeer("our server pings, the browser pongs, the callback runs", hasChromium, HINT, async () => {
    arrivals.on("/server-pings", (ours) => ours.addEventListener("open", () => {
      if (!ours.ping("are you there", () => ours.send("pong seen"))) ours.send("ping refused");
    }));
    const accepted = arrivals.next("/server-pings");
    const ws = pageSocket(page);
    await ws.open("/server-pings");
    expect(await ws.next()).toEqual({ kind: "text", size: 9, sha256: await sha256("pong seen") });
    const { seen } = await accepted;
    expect(seen.pongs).toEqual(["are you there"]);
    await ws.close();
    await ws.closed();
  }, TIMEOUT);

  itWithPeer("a refused handshake: error, then close 1006", hasChromium, HINT, async () => {
    const ws = pageSocket(page);
    expect((await ws.open("/reject")).opened).toBe(false);
    expect(await ws.closed()).toEqual({ code: 1006, reason: "", wasClean: false, log: ["error", "close"] });
  }, TIMEOUT);

  itWithPeer("no subprotocol in common: the page fails the connection", hasChromium, HINT, async () => {
    const accepted = arrivals.next("/no-protocol");
    const ws = pageSocket(page);
    expect((await ws.open("/no-protocol", ["mqtt"])).opened).toBe(false);
    expect(await ws.closed()).toEqual({ code: 1006, reason: "", wasClean: false, log: ["error", "close"] });
    // Our side had answered 101 with no protocol; the browser then dropped TCP.
    const { ws: ours, seen } = await accepted;
    expect(ours.protocol).toBe("");
    const closed = await seen.closed;
    expect(closed.code).toBe(1006);
    expect(closed.wasClean).toBe(false);
  }, TIMEOUT);
});
