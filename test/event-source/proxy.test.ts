/**
 * EventSource through tinyproxy. The client runs on fetch, not on our
 * socket connector, so the proxy is fetch's (docs/proxies.md,
 * examples/event-source-proxy.ts): undici's ProxyAgent on Node,
 * Deno.createHttpClient on Deno, fetch's `proxy` option on Bun. tinyproxy's
 * log shows the request went through it. Runs under vitest, deno test and bun test.
 */
import { afterAll, describe, expect, itWithPeer, runtime, until } from "../harness.ts";
import { EventSourceServer } from "../../src/runtime/node/event-source-server.ts";
import { EventSource } from "../../src/web/event-source/client.ts";
import { hasTinyproxy, startTinyproxy, TINYPROXY_INSTALL_HINT, type Tinyproxy } from "../peers/proxies.ts";
import { bunProxyFetch, denoProxyFetch, nodeProxyFetch } from "../../examples/event-source-proxy.ts";
import { listenNode, type TestServer } from "./servers.ts";

describe(`EventSource (${runtime}) through tinyproxy, with the runtime's proxied fetch`, () => {
  let proxy: Tinyproxy | undefined;
  let server: TestServer | undefined;
  afterAll(async () => {
    await proxy?.close();
    await server?.close();
  });

  itWithPeer("receives events; the proxy saw the request", hasTinyproxy, TINYPROXY_INSTALL_HINT, async () => {
    proxy = await startTinyproxy();
    server = await listenNode((req, res) => {
      const es = new EventSourceServer(req, res, { ping: 0 });
      es.send("through the proxy", { id: "7" });
    });
    const proxied = runtime === "deno" ? denoProxyFetch(proxy.origin) : runtime === "bun" ? bunProxyFetch(proxy.origin) : await nodeProxyFetch(proxy.origin);
    const es = new EventSource(`${server.url}/events`, { fetch: proxied });
    try {
      const event = await new Promise<MessageEvent>((resolve, reject) => {
        es.onmessage = (e) => resolve(e as MessageEvent);
        es.onerror = (e) => reject(new Error(`EventSource error: ${String((e as { message?: string }).message)}`));
      });
      expect([event.data, event.lastEventId]).toEqual(["through the proxy", "7"]);
    } finally {
      es.close();
    }
    const port = new URL(server.url).port;
    // tinyproxy's log comes through a pipe: wait for the line.
    const line = new RegExp(`Request \\(file descriptor \\d+\\): (CONNECT |GET http://)127\\.0\\.0\\.1:${port}`);
    await until(() => line.test(proxy!.output()), 10_000, "tinyproxy's log of the request");
  });
});
