/**
 * listen(), the standalone server that runs our own engine end to end on
 * the runtime's own listener (Deno.listen / Deno.listenTls, Bun.listen,
 * node:net / node:tls): its options and limits, the same tests on every
 * runtime.
 *
 *   raw / our / the runtime's client --TCP--> listen() --> onSocket(ws, request)
 */
import net from "node:net";
import { afterAll, describe, expect, it, itWithPeer, until } from "../harness.ts";
import { bun, deno, node, WebSocket } from "../entry.ts";
import { hasOpenssl, localCertificate, OPENSSL_INSTALL_HINT } from "../peers/certificate.ts";
import { observe } from "../peers/observe.ts";
import { clientFrame, rawClient } from "../peers/raw.ts";
import { nativeWebSocket } from "../peers/our-server.ts";

const listen = deno?.listen ?? bun?.listen ?? node?.listen;

/** Sends a handshake with `fields` (header lines) on a raw connection; resolves with the answer's head. */
function rawHead(port: number, path: string, fields: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    let answer = "";
    socket.on("data", (chunk: Uint8Array) => {
      answer += new TextDecoder("latin1").decode(chunk);
      const end = answer.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.destroy();
      resolve(answer.slice(0, end));
    });
    socket.on("error", reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${fields}\r\n`);
  });
}

describe(`listen() on ${deno ? "Deno.listen" : bun ? "Bun.listen" : "node:net"}: our engine's options and limits`, () => {
  const servers: { close(): Promise<void> }[] = [];
  const start = async (...args: Parameters<NonNullable<typeof listen>>) => {
    const server = (listen as (...a: typeof args) => ReturnType<NonNullable<typeof listen>>)(...args);
    servers.push(server);
    await server.ready;
    return server;
  };
  afterAll(async () => { for (const s of servers) await s.close(); });

  it("maxLength: a larger message closes with 1009 (the runtime's own client)", async () => {
    const server = await start({ hostname: "127.0.0.1", port: 0, maxLength: 100 }, () => {});
    const client = new nativeWebSocket(server.url);
    const seen = observe(client);
    await seen.opened;
    client.send("x".repeat(101));
    expect((await seen.closed).code).toBe(1009);
  });

  it("maxLength: a client still sending a large message reads the 1009 Close before the connection goes", async () => {
    const server = await start({ hostname: "127.0.0.1", port: 0, maxLength: 1000, closeTimeout: 2_000 }, () => {});
    const raw = await rawClient(server.port);
    let failed: Error | null = null;
    raw.socket.on("error", (err) => { failed = err; });
    // A 16 MiB binary message, sent in 64 KiB pieces for as long as the
    // connection takes them: the server is still receiving when it fails.
    const size = 16 * 1024 * 1024;
    raw.socket.write(clientFrame(0x2, new Uint8Array(0), { claimedLength: size }));
    const piece = new Uint8Array(64 * 1024);
    let sent = 0;
    const pump = () => {
      while (sent < size && !raw.closed() && !raw.socket.destroyed) {
        sent += piece.length;
        if (!raw.socket.write(piece)) return void raw.socket.once("drain", pump);
      }
    };
    pump();
    await until(() => raw.log.close !== undefined || raw.closed(), 10_000, "a Close or the end of the connection");
    expect({ close: raw.log.close?.code, error: (failed as Error | null)?.message }).toEqual({ close: 1009, error: undefined });
    raw.socket.destroy();
  });

  it("verify(request): false answers 403 and the client fails; true lets it in with the request", async () => {
    const paths: string[] = [];
    const server = await start({
      hostname: "127.0.0.1",
      port: 0,
      verify: (request) => new URL(request.url).pathname !== "/forbidden",
    }, (_ws, request) => paths.push(new URL(request.url).pathname));
    const refused = new WebSocket(server.url + "/forbidden");
    expect((await observe(refused).closed).code).toBe(1006);
    expect(refused.statusCode).toBe(403);
    await observe(new WebSocket(server.url + "/fine")).opened;
    expect(paths).toEqual(["/fine"]);
    expect(server.clients.size).toBe(1);
  });

  it("perMessageDeflate (node:zlib's compressor, registered by this entry) is negotiated and used", async () => {
    const server = await start({ hostname: "127.0.0.1", port: 0, perMessageDeflate: true }, (ws) => {
      ws.onmessage = (event) => ws.send(event.data);
    });
    const client = new WebSocket(server.url);
    const seen = observe(client);
    await seen.opened;
    expect(client.extensions).toMatch(/^permessage-deflate/);
    const text = "compressible ".repeat(1000);
    client.send(text);
    expect(await seen.next()).toBe(text);
    client.close();
    await seen.closed;
  });

  it("refuses options that cannot work before listening", () => {
    expect(() => listen!({ port: 0, perMessageDeflate: "yes" as never }, () => {})).toThrow(/perMessageDeflate/);
  });

  it("ready: resolves once listening (port and url known); a port in use is refused", async () => {
    const server = await start({ hostname: "127.0.0.1", port: 0 }, () => {});
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`ws://127.0.0.1:${server.port}`);
    expect(server.hostname).toBe("127.0.0.1");
    let refusal: unknown = null;
    try {
      // Deno and Bun refuse inside listen(); Node through ready.
      await listen!({ hostname: "127.0.0.1", port: server.port }, () => {}).ready;
    } catch (err) {
      refusal = err;
    }
    expect(String((refusal as { code?: string; name?: string })?.code ?? (refusal as Error)?.name)).toMatch(/EADDRINUSE|AddrInUse/);
    if (node) {
      // node:net binds a named host after a DNS step: before ready, a port-0 server cannot say its port.
      const early = node.listen({ hostname: "127.0.0.1", port: 0 }, () => {});
      expect(() => early.port).toThrow({ code: "WS_ERR_INVALID_STATE" });
      await early.ready;
      expect(early.port).toBeGreaterThan(0);
      await early.close();
    }
  });

  it("limits: a request head past maxHeadSize gets 431; handshakeTimeout drops a silent client", async () => {
    const server = await start({ hostname: "127.0.0.1", port: 0, limits: { maxHeadSize: 1024 }, handshakeTimeout: 200 }, () => {});
    const response = await fetch(`http://127.0.0.1:${server.port}/`, { headers: { "X-Big": "x".repeat(2000) } });
    expect(response.status).toBe(431);
    await response.body?.cancel();
    // Nothing sent: the server closes the connection once the timeout passes.
    const silent = net.connect({ port: server.port, host: "127.0.0.1" });
    const received: Uint8Array[] = [];
    let closed = false;
    silent.on("data", (chunk: Uint8Array) => received.push(chunk));
    silent.on("error", () => {});
    silent.on("close", () => { closed = true; });
    await until(() => closed, 10_000, "the server dropping the silent client");
    expect(received).toEqual([]);
  });

  it("answers a plain HTTP request with 400 and closes", async () => {
    const server = await start({ hostname: "127.0.0.1", port: 0 }, () => {});
    const response = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(response.status).toBe(400);
    await response.body?.cancel();
  });

  it("the request verify and onSocket get is a whole fetch Request, readable long after the handshake", async () => {
    let verified: Request | null = null;
    let request: Request | null = null;
    const server = await start({
      hostname: "127.0.0.1",
      port: 0,
      verify: (req) => { verified = req; return true; },
    }, (_ws, req) => { request = req; });
    const answer = await rawHead(server.port, "/room?id=7", "X-Two: a\r\nX-Two: b\r\nCookie: c=1\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 101 /);
    await until(() => request !== null, 5_000, "onSocket");
    await new Promise((resolve) => setTimeout(resolve, 20)); // read later, not inside the callback
    const req = request! as Request;
    expect(verified).toBe(req);
    expect(req).toBeInstanceOf(Request);
    expect(Object.prototype.toString.call(req)).toBe("[object Request]");
    expect(Object.getPrototypeOf(req)).toBe(Request.prototype);
    expect(req.url).toBe("http://127.0.0.1/room?id=7");
    expect(new URL(req.url).searchParams.get("id")).toBe("7");
    expect(req.method).toBe("GET");
    expect(req.headers).toBeInstanceOf(Headers);
    expect(req.headers.get("x-two")).toBe("a, b");
    expect(req.headers.get("sec-websocket-key")).toBe("dGhlIHNhbXBsZSBub25jZQ==");
    expect([...req.headers.keys()]).toContain("upgrade");
    expect(req.signal).toBeInstanceOf(AbortSignal);
    expect(req.signal.aborted).toBe(false);
    expect(req.body).toBe(null);
    expect(req.bodyUsed).toBe(false);
    expect(req.text).toBe(req.text);
    expect(await req.text()).toBe("");
    const clone = req.clone();
    expect([clone instanceof Request, clone.url, clone.headers.get("cookie")]).toEqual([true, req.url, "c=1"]);
    const copy = new Request(req);
    expect([copy.url, copy.method, copy.headers.get("x-two")]).toEqual([req.url, "GET", "a, b"]);
    const changed = new Request(req, { method: "POST", body: "x" });
    expect([changed.method, await changed.text(), changed.headers.get("cookie")]).toEqual(["POST", "x", "c=1"]);
    expect(new Response(null, { headers: req.headers }).headers.get("x-two")).toBe("a, b");
  });

  it("a Host that makes no URL is answered 400 before verify or onSocket runs", async () => {
    let called = 0;
    const server = await start({ hostname: "127.0.0.1", port: 0, verify: () => { called++; return true; } }, () => { called++; });
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ port: server.port, host: "127.0.0.1" });
      let text = "";
      socket.on("data", (chunk: Uint8Array) => { text += new TextDecoder("latin1").decode(chunk); });
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
      socket.write("GET /chat HTTP/1.1\r\nHost: exa mple\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(called).toBe(0);
  });

  it("a head of 100,000 header fields (limits raised) is answered, with every field on the request, while other connections are served", async () => {
    const FIELDS = 100_000;
    const requests = new Map<string, Request>();
    const server = await start({
      hostname: "127.0.0.1",
      port: 0,
      limits: { maxHeaders: FIELDS + 10, maxHeadSize: 8 * 1024 * 1024 },
    }, (ws, req) => {
      requests.set(new URL(req.url).pathname, req);
      ws.onmessage = (event) => ws.send(event.data);
    });
    // Distinct names (the worst case for a Headers filled field by field),
    // and as many lines of one name.
    const distinct = Array.from({ length: FIELDS }, (_, i) => `X-Field-${i}: value ${i}\r\n`).join("") + "X-Field-7: again\r\n";
    const same = Array.from({ length: FIELDS }, (_, i) => `X-Same: ${i}\r\n`).join("");
    const answers = [rawHead(server.port, "/many", distinct), rawHead(server.port, "/same", same)];
    // Meanwhile an ordinary client connects and is echoed.
    const other = new WebSocket(server.url + "/other");
    const seen = observe(other);
    await seen.opened;
    other.send("not starved");
    expect(await seen.next()).toBe("not starved");
    other.close();
    for (const answer of await Promise.all(answers)) expect(answer).toMatch(/^HTTP\/1\.1 101 /);

    const many = requests.get("/many")!;
    expect(many.headers).toBeInstanceOf(Headers);
    expect(many.headers.get("x-field-0")).toBe("value 0");
    expect(many.headers.get("X-FIELD-99999")).toBe("value 99999");
    expect(many.headers.get("x-field-7")).toBe("value 7, again");
    expect(many.headers.has("x-field-100000")).toBe(false);
    expect([...many.headers.keys()].length).toBe(FIELDS + 5);
    expect(many.clone().headers.get("x-field-42")).toBe("value 42");
    expect(() => many.headers.set("x-field-0", "changed")).toThrow(TypeError);

    // One name: an ordinary Request, its lines joined (RFC 9110 section 5.3).
    const sameRequest = requests.get("/same")!;
    expect(sameRequest.headers.get("x-same")!.split(", ").length).toBe(FIELDS);
    expect(new Request(sameRequest).headers.get("x-same")).toBe(sameRequest.headers.get("x-same"));
    expect(requests.get("/other")!.headers.get("upgrade")).toBe("websocket");
  }, 30_000);

  itWithPeer("serves wss:// with cert and key", hasOpenssl, OPENSSL_INSTALL_HINT, async () => {
    const { cert, key } = localCertificate();
    const server = await start({ hostname: "127.0.0.1", port: 0, cert, key }, (ws) => {
      ws.onmessage = (event) => ws.send(event.data);
    });
    expect(server.url).toMatch(/^wss:\/\//);
    const client = new WebSocket(server.url.replace("127.0.0.1", "localhost"), undefined, { ca: cert });
    const seen = observe(client);
    await seen.opened;
    client.send("secure");
    expect(await seen.next()).toBe("secure");
    client.close();
    await seen.closed;
  });
});
