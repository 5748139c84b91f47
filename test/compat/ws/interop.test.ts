/**
 * omnisocket/ws against peers nobody here wrote, with and without
 * permessage-deflate:
 *
 *   Python websockets client  --->  omnisocket/ws WebSocketServer (echo)
 *   omnisocket/ws WebSocket   --->  Python websockets server (echo)
 *   undici's WebSocket        --->  omnisocket/ws WebSocketServer (echo)
 *   headless Chromium         --->  omnisocket/ws WebSocketServer (echo; Node only, playwright drives it)
 *
 * (The real `ws`, both ways, is in client.test.ts and server.test.ts.)
 */
import { Buffer } from "node:buffer";
import { createServer, type IncomingMessage } from "node:http";
import type { Browser } from "playwright-core";
import { WebSocket as UndiciWebSocket } from "undici/index.js";
import { afterAll, beforeAll, describe, expect, itWithPeer, it, runtime } from "../../harness.ts";
import { CHROMIUM_INSTALL_HINT, hasChromium, launchChromium } from "../../peers/chromium.ts";
import { runPythonDeflateClient, startPythonDeflateServer, type ClientDeflateReport, type PythonDeflateServer } from "../../peers/python-deflate.ts";
import { describe as describeMessage, hasPythonWebsockets, payload, PYTHON_WEBSOCKETS_INSTALL_HINT } from "../../peers/python.ts";
import { closeServer, listen, next, WebSocket, WebSocketServer } from "./entry.ts";

function echo(wss: WebSocketServer): void {
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
}

const TEXT = payload("text", 3000);
const BINARY = payload("binary", 5000);

describe("omnisocket/ws interop: Python websockets", () => {
  for (const deflate of [false, true]) {
    itWithPeer(`a Python client echoes through our server (deflate ${deflate})`, hasPythonWebsockets, PYTHON_WEBSOCKETS_INSTALL_HINT, async () => {
      const { wss, url } = await listen({ perMessageDeflate: deflate });
      echo(wss);
      const report = await runPythonDeflateClient({
        url: url + "/py",
        deflate: deflate ? {} : null,
        steps: [
          { op: "send", kind: "text", size: 3000 },
          { op: "recv" },
          { op: "send", kind: "binary", size: 5000 },
          { op: "recv" },
          { op: "close", code: 1000 },
        ],
      });
      if ("error" in report) throw new Error(report.message);
      const r = report as ClientDeflateReport;
      expect(r.steps).toEqual([
        { sent: 3000 },
        { message: await describeMessage(TEXT) },
        { sent: 5000 },
        { message: await describeMessage(BINARY) },
        { closed: true },
      ]);
      expect(r.extensions ?? "").toBe(deflate ? "permessage-deflate" : "");
      expect(r.compressed_in > 0).toBe(deflate);
      await closeServer(wss);
    }, 60_000);
  }

  let python: PythonDeflateServer | undefined;
  beforeAll(async () => {
    if (hasPythonWebsockets()) python = await startPythonDeflateServer();
  });
  afterAll(async () => {
    await python?.close();
  });

  for (const deflate of [false, true]) {
    itWithPeer(`our client echoes through a Python server (deflate ${deflate})`, hasPythonWebsockets, PYTHON_WEBSOCKETS_INSTALL_HINT, async () => {
      const path = `/ours-${deflate}`;
      const ws = new WebSocket(python!.url(path, deflate ? {} : null), { perMessageDeflate: deflate });
      await next(ws, "open");
      expect(ws.extensions).toBe(deflate ? "permessage-deflate" : "");
      ws.send(TEXT);
      const [text, textBinary] = await next(ws, "message");
      expect([String(text) === TEXT, textBinary]).toEqual([true, false]);
      ws.send(BINARY);
      const [bin, isBinary] = await next(ws, "message");
      expect([Buffer.compare(bin as Buffer, Buffer.from(BINARY)), isBinary]).toEqual([0, true]);
      const closed = next(ws, "close");
      ws.close(1000);
      expect((await closed)[0]).toBe(1000);
      const report = await python!.report(path);
      expect(report.compressed_in > 0).toBe(deflate);
    }, 60_000);
  }
});

describe("omnisocket/ws interop: undici", () => {
  it("undici's WebSocket echoes through our server, compressed when the server agrees", async () => {
    for (const perMessageDeflate of [false, true]) {
      const { wss, url } = await listen({ perMessageDeflate });
      echo(wss);
      const offers: string[] = [];
      wss.on("headers", (_h: string[], req: IncomingMessage) => offers.push(String(req.headers["sec-websocket-extensions"] ?? "")));
      const client = new UndiciWebSocket(url);
      client.binaryType = "arraybuffer";
      const got: Array<string | number> = [];
      await new Promise<void>((resolve, reject) => {
        client.onerror = () => reject(new Error("undici error"));
        client.onopen = () => {
          client.send(TEXT);
          client.send(BINARY);
        };
        client.onmessage = (event) => {
          got.push(typeof event.data === "string" ? event.data.length : (event.data as ArrayBuffer).byteLength);
          if (got.length === 2) client.close(1000);
        };
        client.onclose = () => resolve();
      });
      expect(got).toEqual([3000, 5000]);
      expect(client.extensions).toBe(perMessageDeflate && offers[0]!.includes("permessage-deflate") ? "permessage-deflate" : "");
      await closeServer(wss);
    }
  });
});

// Chromium is driven by playwright, under Node.
if (runtime === "node") {
  describe("omnisocket/ws interop: headless Chromium", () => {
    const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>ws</title>"));
    const wss = new WebSocketServer({ server, perMessageDeflate: true });
    echo(wss);
    let browser: Browser | undefined;
    beforeAll(async () => {
      if (!hasChromium()) return;
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      for (const client of wss.clients) client.terminate();
      wss.close();
      if (server.listening) await new Promise((resolve) => server.close(resolve));
    });

    itWithPeer("Chromium's WebSocket echoes text and binary through our server with permessage-deflate", hasChromium, CHROMIUM_INSTALL_HINT, async () => {
      const page = await browser!.newPage();
      const { port } = server.address() as { port: number };
      await page.goto(`http://127.0.0.1:${port}/`);
      // A string, so the page's own WebSocket is used (not this module's import).
      const result = await page.evaluate(`new Promise((resolve) => {
        const ws = new WebSocket("ws://" + location.host + "/chromium");
        ws.binaryType = "arraybuffer";
        const echoes = [];
        ws.onopen = () => {
          ws.send("h\u00e9llo ".repeat(1000));
          ws.send(new Uint8Array([1, 2, 3]));
        };
        ws.onmessage = (e) => {
          echoes.push(typeof e.data === "string" ? e.data.length : Array.from(new Uint8Array(e.data)));
          if (echoes.length === 2) ws.close(1000);
        };
        ws.onclose = (e) => resolve({ extensions: ws.extensions, echoes, code: e.code });
      })`);
      expect(result).toEqual({ extensions: "permessage-deflate", echoes: [6000, [1, 2, 3]], code: 1000 });
      await page.close();
    }, 60_000);
  });
}
