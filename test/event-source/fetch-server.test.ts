/**
 * EventSourceStream, the fetch-style server: in process (the Response body
 * read directly), and served by the runtime's own server (Deno.serve under
 * Deno, Bun.serve under Bun, a node:http adapter under Node) to our client
 * and undici's.
 */
import { afterAll, describe, expect, it, runtime, until } from "../harness.ts";
import { EventSourceStream, type EventSourceStreamOptions } from "../../src/web/event-source/stream.ts";
import { EventSource } from "../../src/web/event-source/client.ts";
import { serveFetch, type TestServer } from "./servers.ts";
import { UndiciEventSource } from "./undici.ts";

const sseRequest = (url = "http://example.test/events", headers: Record<string, string> = {}, init: RequestInit = {}) =>
  new Request(url, { ...init, headers: { accept: "text/event-stream", ...headers } });

const decoder = new TextDecoder();

/** Read the body until its text satisfies `done` (or it ends). */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, done: (text: string) => boolean, text = ""): Promise<string> {
  while (!done(text)) {
    const { done: end, value } = await reader.read();
    if (end) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

function stream(options: EventSourceStreamOptions = {}, request = sseRequest()): EventSourceStream {
  return new EventSourceStream(request, { ping: 0, ...options });
}

describe("event-source: fetch-style server (EventSourceStream)", () => {
  const servers: TestServer[] = [];
  const streams: EventSourceStream[] = [];
  afterAll(async () => {
    for (const s of streams) s.close();
    for (const s of servers) await s.close();
  });

  describe("in process", () => {
    it("isEventSource wants a GET that accepts text/event-stream", () => {
      expect(EventSourceStream.isEventSource(sseRequest())).toBe(true);
      expect(EventSourceStream.isEventSource(new Request("http://x/", { headers: { accept: "text/html" } }))).toBe(false);
      expect(EventSourceStream.isEventSource(sseRequest("http://x/", {}, { method: "POST" }))).toBe(false);
    });

    it("answers 200 text/event-stream with the retry preamble and exact events", async () => {
      const es = stream({ retry: 1.5, headers: { "X-Extra": "1" } });
      es.send("a\r\nb", { event: "e", id: "7" });
      expect(es.response.status).toBe(200);
      expect(es.response.headers.get("content-type")).toBe("text/event-stream");
      expect(es.response.headers.get("cache-control")).toBe("no-cache, no-store");
      expect(es.response.headers.get("x-extra")).toBe("1");
      const reader = es.response.body!.getReader();
      expect(await readUntil(reader, (t) => t.endsWith("\n\n"))).toBe("retry: 1500\nevent: e\nid: 7\ndata: a\ndata: b\n\n");
      es.close();
      expect((await reader.read()).done).toBe(true);
    });

    it("reports url and the UTF-8 Last-Event-ID", () => {
      const id = String.fromCharCode(...new TextEncoder().encode("9-ü"));
      const es = stream({}, sseRequest("http://example.test/feed?q=1", { "last-event-id": id }));
      expect(es.url).toBe("http://example.test/feed?q=1");
      expect(es.lastEventId).toBe("9-ü");
      es.close();
    });

    it("opens, then close() ends the body after everything queued", async () => {
      const es = stream();
      const log: string[] = [`state ${es.readyState}`];
      es.onopen = () => log.push(`open ${es.readyState}`);
      es.onclose = () => log.push(`close ${es.readyState}`);
      await until(() => log.length === 2);
      es.send("one");
      es.send("two");
      es.close();
      expect(es.send("three")).toBe(false);
      expect(await es.response.text()).toBe("retry: 5000\ndata: one\n\ndata: two\n\n");
      expect(log).toEqual(["state 0", "open 1", "close 3"]);
    });

    it("pings with comment lines", async () => {
      const es = stream({ ping: 0.02 });
      const reader = es.response.body!.getReader();
      expect(await readUntil(reader, (t) => t.split(":\n").length > 2)).toMatch(/^retry: 5000\n:\n:\n/);
      es.close();
    });

    it("bounds the queue: send() returns false and drops the event, then drain", async () => {
      const es = stream({ maxBufferedAmount: 100 });
      // The preamble is queued (12 bytes); each event is 18 bytes.
      const sent: string[] = [];
      for (let i = 10; i < 30; i++) {
        const accepted = es.send(`event-${i}`); // "data: event-NN\n\n"
        if (!accepted) break;
        sent.push(`event-${i}`);
      }
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.length).toBeLessThan(20);
      expect(es.bufferedAmount).toBeLessThanOrEqual(100);
      let drained = false;
      es.on("drain", () => (drained = true));
      const reader = es.response.body!.getReader();
      const first = await readUntil(reader, (t) => t.includes(`data: ${sent.at(-1)}\n\n`));
      expect(drained).toBe(true);
      expect(es.bufferedAmount).toBe(0);
      expect(es.send("after-drain")).toBe(true);
      const rest = await readUntil(reader, (t) => t.includes("after-drain\n\n"));
      // Every accepted event arrived, in order; the refused one never did.
      expect(first + rest).toBe("retry: 5000\n" + sent.map((s) => `data: ${s}\n\n`).join("") + "data: after-drain\n\n");
      es.close();
    });

    it("an event larger than the bound still goes through an empty queue", async () => {
      const es = stream({ maxBufferedAmount: 10 });
      const reader = es.response.body!.getReader();
      await readUntil(reader, (t) => t === "retry: 5000\n");
      const big = "x".repeat(100);
      expect(es.send(big)).toBe(true);
      expect(es.send("next")).toBe(false);
      expect(await readUntil(reader, (t) => t.endsWith("\n\n"))).toBe(`data: ${big}\n\n`);
      es.close();
    });

    it("a reader waiting for data gets each event at once", async () => {
      const es = stream({ maxBufferedAmount: 0 });
      const reader = es.response.body!.getReader();
      await readUntil(reader, (t) => t === "retry: 5000\n");
      const pending = reader.read();
      expect(es.send("now")).toBe(true);
      expect(es.bufferedAmount).toBe(0);
      expect(decoder.decode((await pending).value)).toBe("data: now\n\n");
      es.close();
    });

    it("fires close when the body is cancelled (the client went away)", async () => {
      const es = stream();
      let closed = 0;
      es.on("close", () => closed++);
      await es.response.body!.cancel();
      expect(closed).toBe(1);
      expect(es.readyState).toBe(3);
      expect(es.send("x")).toBe(false);
    });

    it("fires close when the signal option aborts", async () => {
      const abort = new AbortController();
      const es = stream({ signal: abort.signal });
      let closed = 0;
      es.onclose = () => closed++;
      abort.abort();
      await until(() => closed === 1);
      expect(es.readyState).toBe(3);
    });
  });

  describe(`served by ${runtime === "deno" ? "Deno.serve" : runtime === "bun" ? "Bun.serve" : "a node:http adapter"}`, () => {
    async function serveStreams(
      onStream: (es: EventSourceStream, n: number) => void,
      options: EventSourceStreamOptions & { useRequestSignal?: boolean } = {},
    ) {
      let n = 0;
      const server = await serveFetch((request) => {
        if (!EventSourceStream.isEventSource(request)) return new Response("not an event stream", { status: 406 });
        const signal = options.useRequestSignal ? request.signal : undefined;
        const es = new EventSourceStream(request, { ping: 0, ...options, signal });
        streams.push(es);
        onStream(es, n++);
        return es.response;
      });
      servers.push(server);
      return server;
    }

    it("our client: events, drop, reconnect with Last-Event-ID", async () => {
      const seen: string[] = [];
      const server = await serveStreams((es, n) => {
        seen.push(es.lastEventId);
        if (n === 0) {
          es.send("one", { id: "1" });
          es.send("two", { event: "named", id: "2-ß" });
          es.close();
        } else {
          es.send("three", { id: "3" });
        }
      }, { retry: 0.02 });
      const client = new EventSource(`${server.url}/feed`);
      const log: string[] = [];
      for (const type of ["message", "named"]) {
        client.addEventListener(type, (e) => log.push(`${type} ${(e as MessageEvent).data} ${(e as MessageEvent).lastEventId}`));
      }
      await until(() => log.length === 3, 15_000, "three events");
      client.close();
      expect(log).toEqual(["message one 1", "named two 2-ß", "message three 3"]);
      expect(seen).toEqual(["", "2-ß"]);
    });

    it("undici's EventSource: named events and reconnection", async () => {
      const seen: string[] = [];
      const server = await serveStreams((es, n) => {
        seen.push(es.lastEventId);
        if (n === 0) {
          es.send("hello", { event: "greet", id: "a" });
          es.close();
        } else {
          es.send("back");
        }
      }, { retry: 0.02 });
      const client = new UndiciEventSource(server.url);
      const log: string[] = [];
      const show = (e: Event) => log.push(`${e.type} ${(e as MessageEvent).data} ${(e as MessageEvent).lastEventId}`);
      client.addEventListener("greet", show);
      client.addEventListener("message", show);
      await until(() => log.length === 2, 15_000, "two events");
      client.close();
      expect(log).toEqual(["greet hello a", "message back a"]);
      expect(seen).toEqual(["", "a"]);
    });

    it("notices when the client goes away (on the next write)", async () => {
      let es: EventSourceStream | undefined;
      let closed = false;
      const server = await serveStreams((s) => {
        es = s;
        s.onclose = () => (closed = true);
        s.send("hi");
      });
      const client = new EventSource(server.url);
      let got = false;
      client.onmessage = () => (got = true);
      await until(() => got, 10_000, "message");
      client.close();
      // Some servers learn of the disconnect only on the next write.
      const poke = setInterval(() => es?.ping(), 20);
      try {
        await until(() => closed, 15_000, "server-side close");
      } finally {
        clearInterval(poke);
      }
      expect(es!.readyState).toBe(3);
    });

    it("notices at once with signal: request.signal", async () => {
      let es: EventSourceStream | undefined;
      let closed = false;
      const server = await serveStreams((s) => {
        es = s;
        s.onclose = () => (closed = true);
        s.send("hi");
      }, { useRequestSignal: true });
      const client = new EventSource(server.url);
      let got = false;
      client.onmessage = () => (got = true);
      await until(() => got, 10_000, "message");
      client.close(); // no write follows: only the signal can tell
      await until(() => closed, 15_000, "server-side close");
      expect(es!.readyState).toBe(3);
    });
  });
});
