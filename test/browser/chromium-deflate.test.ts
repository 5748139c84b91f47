/**
 * Headless Chromium's own WebSocket against our server with
 * permessage-deflate (RFC 7692), for every server-side parameter:
 *
 *   page --new WebSocket()--> node:http upgrade
 *        (Chromium always offers "permessage-deflate; client_max_window_bits")
 *     -> new WebSocket(req, socket, head, null, { perMessageDeflate })   one setting per path
 *
 * In each case the page sends text (multi-byte UTF-8) and binary messages
 * big enough to compress, and one under the threshold; the server echoes;
 * the page checks every echo byte for byte. The test checks the extensions
 * string on both sides and the bytes on the server's TCP socket (compressed
 * when agreed, plain when not). One case uses faye's permessage-deflate npm
 * package (`extensions: [...]`) instead of our own. One browser for the
 * file; vitest only.
 */
import http from "node:http";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, itWithPeer } from "../harness.ts";
import { WebSocket } from "../../src/runtime/node/index.ts";
import { CHROMIUM_INSTALL_HINT as HINT, hasChromium, closeServerPage, openServerPage } from "../peers/chromium.ts";
import type { DeflateSetting } from "../peers/deflate-peers.ts";
import type { Extension } from "../../src/core/websocket/extensions/extension.ts";

const TIMEOUT = 60_000;

/** Runs in the page: opens a socket, sends four messages, checks the echoes. */
const PAGE_SCRIPT = `
function messages() {
  const text = "aé€😀 compressible ".repeat(3000);
  const binary = new Uint8Array(48 * 1024);
  for (let i = 0; i < binary.length; i++) binary[i] = (i * 7 + 3) & 0xff;
  return [text, binary, "tiny", text + "!"];
}
function same(a, b) {
  if (typeof b === "string") return a === b;
  const x = new Uint8Array(a);
  return x.length === b.length && x.every((v, i) => v === b[i]);
}
window.exchange = (path) => new Promise((resolve) => {
  const ws = new WebSocket("ws://" + location.host + path);
  ws.binaryType = "arraybuffer";
  const sent = messages();
  const results = [];
  let extensions = null;
  ws.onopen = () => { extensions = ws.extensions; for (const m of sent) ws.send(m); };
  ws.onmessage = (e) => {
    results.push(same(e.data, sent[results.length]));
    if (results.length === sent.length) ws.close(1000);
  };
  ws.onclose = (e) => resolve({ extensions, results, code: e.code, wasClean: e.wasClean });
});
`;
const PAGE = `<!doctype html><title>deflate</title><script>${PAGE_SCRIPT}</script>`;
/** What the page's four messages weigh, in bytes of payload. */
const APP_BYTES = new TextEncoder().encode("aé€😀 compressible ".repeat(3000)).length * 2 + 1 + 48 * 1024 + 4;

interface Exchange { extensions: string | null; results: boolean[]; code: number; wasClean: boolean }

interface Case {
  name: string;
  server: DeflateSetting | undefined;
  response: string;
  /** Use faye's permessage-deflate npm package (`extensions: [...]`) instead of the option. */
  faye?: boolean;
}

/** faye's permessage-deflate npm package, a websocket-extensions plugin, as users pass it. */
const fayeDeflate = createRequire(import.meta.url)("permessage-deflate") as Extension;

const CASES: Case[] = [
  { name: "perMessageDeflate: true", server: true, response: "permessage-deflate" },
  { name: "server_no_context_takeover", server: { serverNoContextTakeover: true }, response: "permessage-deflate; server_no_context_takeover" },
  { name: "client_no_context_takeover", server: { clientNoContextTakeover: true }, response: "permessage-deflate; client_no_context_takeover" },
  { name: "server_max_window_bits=10", server: { serverMaxWindowBits: 10 }, response: "permessage-deflate; server_max_window_bits=10" },
  { name: "server_max_window_bits=8 (compressed with 9)", server: { serverMaxWindowBits: 8 }, response: "permessage-deflate; server_max_window_bits=8" },
  { name: "client_max_window_bits=10", server: { clientMaxWindowBits: 10 }, response: "permessage-deflate; client_max_window_bits=10" },
  { name: "client_max_window_bits=8", server: { clientMaxWindowBits: 8 }, response: "permessage-deflate; client_max_window_bits=8" },
  {
    name: "all parameters",
    server: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 9, clientMaxWindowBits: 11 },
    response: "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=11",
  },
  { name: "threshold 0 (the small message compressed too)", server: { threshold: 0 }, response: "permessage-deflate" },
  { name: "serverNoContextTakeover: false (refuses a request Chromium never makes)", server: { serverNoContextTakeover: false }, response: "permessage-deflate" },
  { name: "faye's permessage-deflate npm package in `extensions`", server: undefined, response: "permessage-deflate", faye: true },
  { name: "off by default on a server", server: undefined, response: "" },
  { name: "off: perMessageDeflate false", server: false, response: "" },
];

describe("browser: headless Chromium's WebSocket -> our server, permessage-deflate", () => {
  const connections = new Map<string, { ws: WebSocket; socket: Socket; offer: string | undefined }>();
  const server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(PAGE));
  const tcp = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    tcp.add(socket);
    socket.on("close", () => tcp.delete(socket));
  });
  server.on("upgrade", (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const index = Number(/^\/case-(\d+)$/.exec(req.url ?? "")?.[1]);
    const c = CASES[index]!;
    const ws = new WebSocket(req, socket, head, null, c.faye
      ? { binaryType: "uint8array", extensions: [fayeDeflate] }
      : { binaryType: "uint8array", perMessageDeflate: c.server });
    ws.addEventListener("message", (e) => ws.send((e as MessageEvent).data as string | Uint8Array));
    connections.set(req.url!, { ws, socket, offer: req.headers["sec-websocket-extensions"] as string | undefined });
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

  CASES.forEach((c, index) => {
    const compressed = c.response !== "";
    itWithPeer(`${c.name}: "${c.response}" on both sides, echoes intact, ${compressed ? "compressed" : "plain"} on the wire`, hasChromium, HINT, async () => {
      const path = `/case-${index}`;
      const result = await page.evaluate((p) => (globalThis as unknown as { exchange(p: string): Promise<Exchange> }).exchange(p), path);
      const connection = connections.get(path)!;
      expect(connection.offer).toBe("permessage-deflate; client_max_window_bits");
      expect(result.extensions).toBe(c.response);
      expect(connection.ws.extensions).toBe(c.response);
      expect(result.results).toEqual([true, true, true, true]);
      expect({ code: result.code, wasClean: result.wasClean }).toEqual({ code: 1000, wasClean: true });
      const { bytesRead, bytesWritten } = connection.socket;
      if (compressed) {
        // The binary's 256-byte period is out of reach of a 9-bit window: about 50 KB stays.
        expect(bytesRead).toBeLessThan(APP_BYTES / 2);
        expect(bytesWritten).toBeLessThan(APP_BYTES / 2);
      } else {
        expect(bytesRead).toBeGreaterThan(APP_BYTES);
        expect(bytesWritten).toBeGreaterThan(APP_BYTES);
      }
    }, TIMEOUT);
  });
});
