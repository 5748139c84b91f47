/**
 * Every code example of faye-websocket 0.11's README, run twice as its own
 * program: once on the real faye-websocket, once with only the module name
 * changed to omnisocket/faye; their outputs must match. Each runs as
 * CommonJS (the README's form) and as an ES module, on the runtime running
 * this suite (Node under vitest, Deno under deno test, Bun under bun test).
 *
 *   test/compat/faye/readme/<example>.cjs   README code + a test driver (peer.cjs)
 *        | module name: 'faye-websocket' or 'omnisocket/faye'
 *        | 8000 / www.example.com -> loopback (both variants alike)
 *        v
 *   consumer project (support/consumer.ts) --spawn--> stdout, compared
 *
 * Client examples talk to a neutral server here (the real `ws` package);
 * server examples are driven from inside the program by a `ws` client; the
 * proxy example goes through tinyproxy (test/peers/proxies.ts) with Basic auth.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, itWithPeer } from "../../harness.ts";
import { hasTinyproxy, startTinyproxy, TINYPROXY_INSTALL_HINT, type Tinyproxy } from "../../peers/proxies.ts";
import { hasOpenssl, localCertificate, OPENSSL_INSTALL_HINT } from "../../peers/certificate.ts";
import { ws as wsModule } from "../../peers/ws.ts";
import { makeConsumer, readFixture, ROOT, toEsm, type Consumer } from "./support/consumer.ts";

/** Example -> a line both outputs must contain (so two empty outputs cannot pass). */
const EXAMPLES: Record<string, string> = {
  "echo-server.cjs": 'peer: message binary [1,2,3]',
  "pipe-server.cjs": 'peer: message text "two"',
  "ping.cjs": "pong received",
  "client.cjs": "message Hello, world!",
  "client-status.cjs": "statusCode 101",
  "client-refused.cjs": "statusCode 403 x-test no",
  "subprotocols-server.cjs": "server protocol amqp",
  "subprotocols-client.cjs": "client protocol irc",
  "extensions.cjs": "permessage-deflate",
  "server-options.cjs": "close 1009",
  "client-options.cjs": "close 1009",
  "event-source.cjs": "data: Hello\\r\\n\\r\\n",
  "event-source-options.cjs": "id: 99\\r\\n",
  // Not a README example: faye's rules side by side (send before open, close codes, errors ...).
  "behaviours.cjs": "e close 1002 Error during WebSocket handshake: Unexpected response code: 404",
};

/** The neutral server client examples talk to (over TLS with `tls`). */
function startNeutralServer(tls?: { key: string; cert: string }): Promise<{ url: string; close(): void }> {
  const wss = new wsModule.WebSocketServer({ noServer: true, perMessageDeflate: false });
  wss.on("headers", (headers) => headers.push("X-Test: yes"));
  const server = tls ? https.createServer(tls) : http.createServer();
  server.on("upgrade", (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (request.url === "/refuse") {
      socket.end("HTTP/1.1 403 Forbidden\r\nX-Test: no\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (request.url === "/options") {
        // The X-Client header back, then (after the client's first keep-alive ping) 17 bytes.
        ws.send(String(request.headers["x-client"]));
        ws.once("ping", () => ws.send("seventeen bytes!!"));
        return;
      }
      ws.on("message", (data, isBinary) => {
        ws.send(data, { binary: isBinary });
        ws.close(1000, "bye");
      });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: tls ? `wss://localhost:${port}/` : `ws://127.0.0.1:${port}/`,
        close() {
          for (const client of wss.clients) client.terminate();
          server.close();
        },
      });
    });
  });
}

function normalise(output: string): string {
  return output.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT").replace(/localhost:\d+/g, "localhost:PORT");
}

describe("faye-websocket's README examples with only the module name changed", () => {
  let consumer: Consumer;
  let neutral: { url: string; close(): void };

  beforeAll(async () => {
    consumer = makeConsumer();
    const peer = readFixture("peer.cjs");
    // The driver lives next to the programs; so does the proxy example's client.crt.
    writeFileSync(join(consumer.dir, "peer.cjs"), peer);
    writeFileSync(join(consumer.dir, "client.crt"), "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
    neutral = await startNeutralServer();
  });

  let proxy: Tinyproxy | undefined;
  afterAll(async () => {
    neutral?.close();
    await proxy?.close();
    consumer?.remove();
  });

  /** Runs `example` on faye and on ours; the outputs must match and contain `marker`. */
  async function compare(example: string, format: "cjs" | "mjs", marker: string, replace: (source: string) => string = (s) => s): Promise<void> {
    const source = replace(readFixture(example))
      .replace(/server\.listen\(8000\)/g, "server.listen(0, '127.0.0.1')")
      .replace(/ws:\/\/www\.example\.com\//g, neutral.url);
    const program = format === "cjs" ? source : toEsm(source);
    const base = example.replace(/\.cjs$/, "");
    const theirs = await consumer.run(`${base}.faye.${format}`, program);
    const ours = await consumer.run(`${base}.ours.${format}`, program.replace(/(['"])faye-websocket\1/g, "$1omnisocket/faye$1"));
    expect(normalise(ours)).toBe(normalise(theirs));
    expect(theirs).toContain(marker);
  }

  it("our README's \"Coming from faye-websocket\" example is the echo server program with only the module name changed", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = /## Coming from faye-websocket[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    const program = readFixture("echo-server.cjs").split("\n// ---- test driver")[0]!.split("\n").slice(1).join("\n");
    expect(block?.trim()).toBe(program.replace("require('faye-websocket')", "require('omnisocket/faye')").trim());
  });

  const formats = [["cjs", "CommonJS"], ["mjs", "ES module"]] as const;
  for (const [example, marker] of Object.entries(EXAMPLES)) {
    for (const [format, label] of formats) {
      it(`${example.replace(/\.cjs$/, "")} (${label})`, () => compare(example, format, marker), 30_000);
    }
  }

  for (const [format, label] of formats) {
    itWithPeer(`client-tls (${label})`, hasOpenssl, OPENSSL_INSTALL_HINT, async () => {
      const certificate = localCertificate();
      writeFileSync(join(consumer.dir, "ca.pem"), certificate.cert);
      const secure = await startNeutralServer(certificate);
      try {
        await compare("client-tls.cjs", format, "ca message ca", (s) => s.replace("wss://www.example.com/", secure.url));
      } finally {
        secure.close();
      }
    }, 30_000);
  }

  for (const [format, label] of formats) {
    itWithPeer(`proxy-client (${label})`, hasTinyproxy, TINYPROXY_INSTALL_HINT, async () => {
      proxy ??= await startTinyproxy({ auth: { user: "username", password: "password" } });
      const origin = proxy.origin.replace("http://", "http://username:password@");
      await compare("proxy-client.cjs", format, "message through the proxy", (s) => s.replace("http://username:password@proxy.example.com", origin));
    }, 30_000);
  }
});
