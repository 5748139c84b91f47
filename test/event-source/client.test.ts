/**
 * Our WHATWG EventSource client against our node:http server, raw node:http
 * handlers that write exact bytes, and a better-sse endpoint.
 */
import type http from "node:http";
import { createSession } from "better-sse";
import { afterAll, describe, expect, it, until } from "../harness.ts";
import { EventSource, EventSourceErrorEvent, type EventSourceFetch } from "../../src/web/event-source/client.ts";
import { WebSocketError } from "../../src/core/shared/errors.ts";
import { EventSourceServer, type EventSourceServerOptions } from "../../src/runtime/node/event-source-server.ts";
import { listenNode, type NodeHandler, type TestServer } from "./servers.ts";

const servers: TestServer[] = [];
const clients: EventSource[] = [];

async function serve(handler: NodeHandler): Promise<TestServer> {
  const server = await listenNode(handler);
  servers.push(server);
  return server;
}

/** A server that hands each stream (with its connection number, from 0) to `onStream`. */
function sseServer(onStream: (es: EventSourceServer, n: number, req: http.IncomingMessage) => void, options: EventSourceServerOptions = {}) {
  let n = 0;
  return serve((req, res) => onStream(new EventSourceServer(req, res, { ping: 0, ...options }), n++, req));
}

function client(url: string, init?: ConstructorParameters<typeof EventSource>[1]): EventSource {
  const es = new EventSource(url, init);
  clients.push(es);
  return es;
}

/**
 * Waits until a canary client, told to retry after 10 ms as the client
 * under test was, has reconnected `times` times: by then a client that was
 * going to reconnect would have done so too (no fixed sleep).
 */
async function retriesElapsed(times = 3): Promise<void> {
  let connections = 0;
  const server = await sseServer((es) => {
    connections++;
    es.close();
  }, { retry: 0.01 });
  const canary = client(`${server.url}/canary`);
  await until(() => connections > times, 10_000, "the canary's reconnections");
  canary.close();
}

/** Every event of the given types as "type data id" strings. */
function record(es: EventSource, ...types: string[]): string[] {
  const log: string[] = [];
  for (const type of types) {
    es.addEventListener(type, (e) => {
      if (e instanceof MessageEvent) log.push(`${e.type} ${e.data} ${e.lastEventId}`);
      else log.push(`${e.type} state=${es.readyState}`);
    });
  }
  return log;
}

describe("event-source: our client", () => {
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.close();
  });

  describe("against our node:http server", () => {
    it("opens, then delivers messages and named events as MessageEvents", async () => {
      const server = await sseServer((es) => {
        es.send("hello", { id: "1" });
        es.send("line 1\nline 2", { event: "news" });
      });
      const es = client(`${server.url}/events`);
      expect(es.readyState).toBe(EventSource.CONNECTING);
      expect(es.url).toBe(`${server.url}/events`);
      expect(es.withCredentials).toBe(false);
      const got: MessageEvent[] = [];
      let opened = -1;
      es.onopen = () => (opened = es.readyState);
      es.onmessage = (e) => got.push(e as MessageEvent);
      es.addEventListener("news", (e) => got.push(e as MessageEvent));
      await until(() => got.length === 2, 10_000, "two events");
      expect(opened).toBe(EventSource.OPEN);
      expect(got[0]).toBeInstanceOf(MessageEvent);
      expect(got.map((e) => [e.type, e.data, e.lastEventId, e.origin])).toEqual([
        ["message", "hello", "1", server.url],
        ["news", "line 1\nline 2", "1", server.url],
      ]);
    });

    it("reconnects after the server drops the stream, sending Last-Event-ID", async () => {
      const seen: string[] = [];
      const server = await sseServer((es, n) => {
        seen.push(es.lastEventId);
        if (n === 0) {
          es.send("first", { id: "1" });
          es.send("second", { id: "2-é€" });
          es.close();
        } else {
          es.send("third"); // no id: the ID resumed from carries over
        }
      }, { retry: 0.02 });
      const es = client(server.url);
      const log = record(es, "open", "message", "error");
      await until(() => log.length === 6, 10_000, "events after reconnecting");
      expect(log).toEqual([
        "open state=1",
        "message first 1",
        "message second 2-é€",
        "error state=0", // reestablishing: CONNECTING
        "open state=1",
        "message third 2-é€",
      ]);
      expect(seen).toEqual(["", "2-é€"]);
    });

    it("an id-only event updates the ID sent on reconnection", async () => {
      const seen: string[] = [];
      const server = await serve((req, res) => {
        seen.push(String(req.headers["last-event-id"] ?? ""));
        res.writeHead(200, { "content-type": "text/event-stream" });
        if (seen.length === 1) res.end("retry: 10\ndata: x\n\nid: 77\n\n");
        else res.write("data: y\n\n");
      });
      const es = client(server.url);
      const log = record(es, "message");
      await until(() => log.length === 2, 10_000, "second stream");
      expect(log).toEqual(["message x ", "message y 77"]);
      expect(seen).toEqual(["", "77"]);
    });

    it("honours the server's retry over the initial retry option", async () => {
      let connections = 0;
      const server = await sseServer((es, n) => {
        connections++;
        if (n === 0) es.close();
      }, { retry: 0.05 });
      // Had the client kept its own 60 s, the wait below would time out.
      client(server.url, { retry: 60_000 });
      await until(() => connections === 2, 15_000, "reconnection after retry: 50");
    });

    it("waits the reconnection time the server asked for", async () => {
      const at: number[] = [];
      let droppedAt = 0;
      const server = await sseServer((es, n) => {
        at.push(Date.now());
        if (n === 0) {
          setTimeout(() => {
            droppedAt = Date.now();
            es.close();
          }, 20);
        }
      }, { retry: 1 });
      client(server.url, { retry: 10 });
      await until(() => at.length === 2, 15_000, "reconnection");
      expect(at[1]! - droppedAt).toBeGreaterThanOrEqual(950);
    });

    it("uses the initial retry option until the server sends one", async () => {
      const at: number[] = [];
      const server = await serve((_req, res) => {
        at.push(Date.now());
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end("data: bye\n\n");
      });
      const es = client(server.url, { retry: 800 });
      let endedAt = 0;
      es.onerror = () => (endedAt ||= Date.now());
      await until(() => at.length === 2, 15_000, "reconnection");
      expect(at[1]! - endedAt).toBeGreaterThanOrEqual(750);
    });

    it("close() in a listener stops delivery and reconnection", async () => {
      let connections = 0;
      const server = await sseServer((es) => {
        connections++;
        es.send("a");
        es.send("b");
        es.send("c");
        es.close();
      }, { retry: 0.01 });
      const es = client(server.url);
      const got: string[] = [];
      es.onmessage = (e) => {
        got.push((e as MessageEvent).data);
        es.close();
      };
      await until(() => got.length === 1);
      expect(es.readyState).toBe(EventSource.CLOSED);
      // With retry 10 ms a reconnection would have happened by now.
      await retriesElapsed();
      expect(got).toEqual(["a"]);
      expect(connections).toBe(1);
    });

    it("sends the headers option, Accept and Cache-Control on every request", async () => {
      const seen: http.IncomingHttpHeaders[] = [];
      const server = await sseServer((es, n, req) => {
        seen.push(req.headers);
        es.send(String(req.headers.authorization));
        if (n === 0) es.close();
      }, { retry: 0.01 });
      const es = client(server.url, { headers: { Authorization: "Bearer t0k3n", Accept: "text/html" } });
      const log = record(es, "message");
      await until(() => log.length === 2);
      expect(log).toEqual(["message Bearer t0k3n ", "message Bearer t0k3n "]);
      for (const h of seen) {
        expect(h.accept).toBe("text/event-stream");
        expect(h["cache-control"]).toBe("no-cache");
      }
    });

    it("uses the fetch option", async () => {
      const calls: { url: string; init: RequestInit }[] = [];
      const fetchSpy: EventSourceFetch = (url, init) => {
        calls.push({ url, init });
        return fetch(url, init);
      };
      const server = await sseServer((es) => es.send("via spy"));
      const es = client(server.url, { fetch: fetchSpy, withCredentials: true });
      const log = record(es, "message");
      await until(() => log.length === 1);
      expect(log).toEqual(["message via spy "]);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.init.cache).toBe("no-store");
      expect(calls[0]!.init.credentials).toBe("include");
      expect(es.withCredentials).toBe(true);
    });
  });

  describe("failing the connection", () => {
    for (const [what, status, type] of [
      ["HTTP 204", 204, "text/event-stream"],
      ["HTTP 500", 500, "text/event-stream"],
      ["HTTP 301 without Location", 301, "text/event-stream"],
      ["a wrong content type", 200, "text/plain"],
      ["a missing content type", 200, ""],
    ] as const) {
      it(`stops on ${what}: CLOSED, one error, no reconnection`, async () => {
        let requests = 0;
        const server = await serve((_req, res) => {
          requests++;
          res.writeHead(status, type ? { "content-type": type } : {});
          res.end(status === 204 ? undefined : "data: never\n\n");
        });
        const es = client(server.url, { retry: 10 });
        const log = record(es, "open", "message", "error");
        let error: Event | undefined;
        es.addEventListener("error", (e) => (error = e));
        await until(() => log.length > 0, 10_000, "error event");
        expect(log).toEqual(["error state=2"]);
        expect(error).toBeInstanceOf(EventSourceErrorEvent);
        expect((error as EventSourceErrorEvent).status).toBe(status);
        // One error vocabulary: a WebSocketError with a code from the one table.
        expect((error as EventSourceErrorEvent).error).toBeInstanceOf(WebSocketError);
        expect((error as EventSourceErrorEvent).error.code).toBe(status === 200 ? "SSE_ERR_CONTENT_TYPE" : "SSE_ERR_STATUS");
        // With retry 10 ms a reconnection would have happened by now.
        await retriesElapsed();
        expect(requests).toBe(1);
        expect(log).toHaveLength(1);
      });
    }

    it("accepts text/event-stream with parameters", async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { "content-type": "Text/Event-Stream; charset=utf-8" });
        res.write("data: ok\n\n");
      });
      const log = record(client(server.url), "message");
      await until(() => log.length === 1);
      expect(log).toEqual(["message ok "]);
    });

    it("fails on an event larger than maxEventSize", async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("data: small\n\n");
        res.write(`data: ${"x".repeat(100)}\n\n`);
      });
      const es = client(server.url, { maxEventSize: 64, retry: 10 });
      const log = record(es, "message", "error");
      await until(() => log.length === 2);
      expect(log).toEqual(["message small ", "error state=2"]);
    });

    it("keeps reconnecting after network errors", async () => {
      const server = await serve(() => {});
      await server.close(); // nothing listens on this port any more
      const es = client(server.url, { retry: 10 });
      const log = record(es, "error");
      await until(() => log.length >= 3, 10_000, "three attempts");
      expect(log.slice(0, 3)).toEqual(["error state=0", "error state=0", "error state=0"]);
      es.close();
      expect(es.readyState).toBe(EventSource.CLOSED);
    });

    it("throws a SyntaxError DOMException for an invalid URL", () => {
      expect(() => new EventSource("http://[not a url")).toThrow({ name: "SyntaxError" });
      expect(() => new EventSource("relative/path")).toThrow(DOMException);
    });

    it("throws a TypeError for bad options, at construction", () => {
      expect(() => new EventSource("http://127.0.0.1/", { headers: { "bad name": "x" } })).toThrow(TypeError);
      expect(() => new EventSource("http://127.0.0.1/", { retry: -1 })).toThrow(TypeError);
    });
  });

  describe("event stream bytes", () => {
    it("parses a BOM, CR / LF / CRLF and comments written byte by byte", async () => {
      const wire = new TextEncoder().encode("\uFEFFretry: 10\r\n: comment\rdata: a\r\ndata: é\n\revent: x\rdata: b\r\r");
      const server = await serve(async (_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        for (const byte of wire) {
          res.write(Uint8Array.of(byte));
          await new Promise((r) => setImmediate(r));
        }
      });
      const es = client(server.url);
      const log = record(es, "message", "x");
      await until(() => log.length === 2);
      expect(log).toEqual(["message a\né ", "x b "]);
    });
  });

  describe("against better-sse", () => {
    it("receives named events with ids and resumes with Last-Event-ID", async () => {
      const seen: string[] = [];
      const server = await serve(async (req, res) => {
        const session = await createSession(req, res, { retry: 20, keepAlive: null });
        seen.push(session.lastId);
        if (seen.length === 1) {
          session.push("hello", "greeting", "b-1");
          session.push({ n: 2 }, "message", "b-2");
          setTimeout(() => res.end(), 20); // drop the stream
        } else {
          session.push("again", "greeting", "b-3");
        }
      });
      const es = client(server.url);
      const log = record(es, "greeting", "message");
      await until(() => log.length === 3, 10_000, "three events");
      expect(log).toEqual(['greeting "hello" b-1', 'message {"n":2} b-2', 'greeting "again" b-3']);
      expect(seen).toEqual(["", "b-2"]);
    });
  });
});
