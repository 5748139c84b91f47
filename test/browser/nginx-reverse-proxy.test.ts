/**
 * Headless Chromium through nginx, configured with the reverse-proxy
 * recipe of docs/proxies.md (examples/nginx/websocket.conf), to our server:
 *
 *   page https://localhost:NGINX/ --wss:// and EventSource--> nginx (TLS ends here)
 *        --HTTP/1.1, Upgrade/Connection passed on--> node:http + our faye-style hook / EventSourceServer
 *
 * The browser is told to accept the test's self-signed certificate
 * (playwright's ignoreHTTPSErrors); nginx checks nothing upstream. One
 * browser per file; vitest only.
 */
import type http from "node:http";
import type { Browser } from "playwright-core";
import { afterAll, describe, expect, itWithPeer } from "../harness.ts";
import { EventSourceServer } from "../../src/runtime/node/event-source-server.ts";
import { hasOpenssl, localCertificate } from "../peers/certificate.ts";
import { CHROMIUM_INSTALL_HINT, hasChromium, launchChromium } from "../peers/chromium.ts";
import { hasNginx, NGINX_INSTALL_HINT, startNginx, type RunningPeer } from "../peers/proxies.ts";
import { startHookServer, type HookServer } from "../peers/servers.ts";

const PAGE = "<!doctype html><title>behind nginx</title>";
const available = () => hasChromium() && hasNginx() && hasOpenssl();
const HINT = `${CHROMIUM_INSTALL_HINT}; ${NGINX_INSTALL_HINT}; apt-get install -y openssl`;

describe("Chromium -> nginx (TLS, docs/proxies.md recipe) -> our server", () => {
  let browser: Browser | undefined;
  let nginx: RunningPeer | undefined;
  let server: HookServer | undefined;
  const upgrades: http.IncomingHttpHeaders[] = [];
  afterAll(async () => {
    await browser?.close();
    await nginx?.close();
    await server?.close();
  });

  itWithPeer("a browser WebSocket and EventSource reach our server through nginx", available, HINT, async () => {
    server = await startHookServer({
      protocols: ["chat"],
      onConnection: (_ws, req) => { upgrades.push(req.headers); },
      onRequest: (req, res) => {
        if (req.url === "/events" && EventSourceServer.isEventSource(req)) {
          const es = new EventSourceServer(req, res, { ping: 0 });
          es.send("first", { id: "1" });
          es.send("second", { event: "news", id: "2" });
        } else {
          res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
        }
      },
    });
    nginx = await startNginx(server.port, localCertificate());
    browser = await launchChromium();
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`https://localhost:${nginx.port}/`);

    const ws = await page.evaluate(async () => {
      const socket = new WebSocket(`wss://${location.host}/chat`, ["chat"]);
      const log: string[] = [];
      await new Promise<void>((resolve, reject) => {
        socket.onopen = () => { log.push(`open ${socket.protocol}`); socket.send("hello"); socket.send(new Uint8Array([1, 2, 3])); };
        socket.binaryType = "arraybuffer";
        socket.onmessage = (e) => {
          log.push(typeof e.data === "string" ? `text ${e.data}` : `binary ${Array.from(new Uint8Array(e.data as ArrayBuffer)).join(",")}`);
          if (log.length === 3) socket.close(1000, "done");
        };
        socket.onerror = () => reject(new Error("WebSocket error"));
        socket.onclose = (e) => { log.push(`close ${e.code} ${e.wasClean}`); resolve(); };
      });
      return log;
    });
    expect(ws).toEqual(["open chat", "text hello", "binary 1,2,3", "close 1000 true"]);
    // What nginx passed on: the upgrade itself, and who the client was.
    const headers = upgrades.at(-1)!;
    expect(String(headers.upgrade).toLowerCase()).toBe("websocket");
    expect(headers["x-forwarded-proto"]).toBe("https");
    expect(headers["x-forwarded-for"]).toBe("127.0.0.1");

    const sse = await page.evaluate(async () => {
      const source = new EventSource("/events");
      const log: string[] = [];
      await new Promise<void>((resolve) => {
        source.onmessage = (e) => log.push(`message ${e.data} ${e.lastEventId}`);
        source.addEventListener("news", (e) => {
          log.push(`news ${(e as MessageEvent).data} ${(e as MessageEvent).lastEventId}`);
          source.close();
          resolve();
        });
      });
      return log;
    });
    expect(sse).toEqual(["message first 1", "news second 2"]);
  }, 60_000);
});
