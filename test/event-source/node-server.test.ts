/**
 * EventSourceServer (faye-websocket's server EventSource on node:http):
 * exact bytes on the wire, options, lifecycle, and clients nobody here
 * wrote (undici's EventSource, the `eventsource` package).
 */
import type http from "node:http";
import net from "node:net";
import { UndiciEventSource } from "./undici.ts";
import { EventSource as NpmEventSource } from "eventsource";
import { afterAll, describe, expect, it, until } from "../harness.ts";
import { EventSourceServer, type EventSourceServerOptions } from "../../src/runtime/node/event-source-server.ts";
import { listenNode, type TestServer } from "./servers.ts";

const servers: TestServer[] = [];

/** A server whose every event-stream request makes an EventSourceServer handed to `onStream`. */
async function sseServer(
  onStream: (es: EventSourceServer, req: http.IncomingMessage) => void,
  options: EventSourceServerOptions = {},
): Promise<TestServer> {
  const server = await listenNode((req, res) => {
    if (!EventSourceServer.isEventSource(req)) {
      res.writeHead(404).end();
      return;
    }
    onStream(new EventSourceServer(req, res, options), req);
  });
  servers.push(server);
  return server;
}

/** Read a body until its text satisfies `done`. */
async function readUntil(body: ReadableStream<Uint8Array>, done: (text: string) => boolean): Promise<{ text: string; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!done(text)) {
    const { done: end, value } = await reader.read();
    if (end) break;
    text += decoder.decode(value, { stream: true });
  }
  return { text, reader };
}

const latin1OfUtf8 = (s: string) => String.fromCharCode(...new TextEncoder().encode(s));
const sse = { accept: "text/event-stream" };

describe("event-source: node:http server", () => {
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  describe("EventSourceServer: isEventSource", () => {
    const req = (method: string, accept?: string) => ({ method, headers: accept === undefined ? {} : { accept } }) as http.IncomingMessage;
    it("accepts a GET that lists text/event-stream", () => {
      expect(EventSourceServer.isEventSource(req("GET", "text/event-stream"))).toBe(true);
      expect(EventSourceServer.isEventSource(req("GET", "text/html, Text/Event-Stream;q=0.9"))).toBe(true);
    });
    it("refuses other methods and other types", () => {
      expect(EventSourceServer.isEventSource(req("POST", "text/event-stream"))).toBe(false);
      expect(EventSourceServer.isEventSource(req("GET", "text/html"))).toBe(false);
      expect(EventSourceServer.isEventSource(req("GET"))).toBe(false);
      expect(EventSourceServer.isEventSource(req("GET", "text/event-streamx"))).toBe(false);
    });
  });

  describe("EventSourceServer: the wire", () => {
    it("writes the head, the retry preamble, and events as exact bytes", async () => {
      const server = await sseServer(
        (es) => {
          es.send("a\nb", { event: "news", id: "1" });
          es.send("plain");
        },
        { headers: { "Access-Control-Allow-Origin": "*" }, retry: 2.5, ping: 0 },
      );
      const res = await fetch(`${server.url}/events`, { headers: sse });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/event-stream");
      expect(res.headers.get("cache-control")).toBe("no-cache, no-store");
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      const expected = "retry: 2500\nevent: news\nid: 1\ndata: a\ndata: b\n\ndata: plain\n\n";
      const { text, reader } = await readUntil(res.body!, (t) => t.length >= expected.length);
      expect(text).toBe(expected);
      await reader.cancel();
    });

    it("defaults to retry 5 s, and headers may replace the defaults", async () => {
      const server = await sseServer(() => {}, { headers: { "content-type": "text/event-stream; charset=utf-8" }, ping: 0 });
      const res = await fetch(`${server.url}/`, { headers: sse });
      expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
      const { text, reader } = await readUntil(res.body!, (t) => t.includes("\n"));
      expect(text).toBe("retry: 5000\n");
      await reader.cancel();
    });

    it("pings with comment lines; ping: 0 turns them off", async () => {
      let quiet: EventSourceServer | undefined;
      const pinging = await sseServer(() => {}, { ping: 0.02 });
      const silent = await sseServer((es) => (quiet = es), { ping: 0 });
      const b = await fetch(silent.url, { headers: sse });
      await until(() => quiet !== undefined);
      const a = await fetch(pinging.url, { headers: sse });
      const readA = await readUntil(a.body!, (t) => t.split(":\n").length > 3);
      expect(readA.text.startsWith("retry: 5000\n:\n:\n:\n")).toBe(true);
      // `silent` has been open longer than three ping intervals of the other.
      quiet!.send("end");
      const readB = await readUntil(b.body!, (t) => t.includes("data: end\n\n"));
      expect(readB.text).toBe("retry: 5000\ndata: end\n\n");
      await readA.reader.cancel();
      await readB.reader.cancel();
    });

    it("ping() writes a comment line at any time", async () => {
      const server = await sseServer((es) => {
        expect(es.ping()).toBe(true);
        es.ping("keep alive");
      }, { ping: 0 });
      const res = await fetch(server.url, { headers: sse });
      const { text, reader } = await readUntil(res.body!, (t) => t.includes("alive\n"));
      expect(text).toBe("retry: 5000\n:\n: keep alive\n");
      await reader.cancel();
    });

    it("refuses CR/LF in event and id (no field injection)", async () => {
      const errors: unknown[] = [];
      const server = await sseServer((es) => {
        for (const opts of [{ event: "a\ndata: x" }, { id: "1\r\nevent: evil" }, { id: "a\0" }]) {
          try {
            es.send("payload", opts);
          } catch (e) {
            errors.push(e);
          }
        }
        es.send("ok");
      }, { ping: 0 });
      const res = await fetch(server.url, { headers: sse });
      const { text, reader } = await readUntil(res.body!, (t) => t.includes("data: ok\n\n"));
      expect(errors).toHaveLength(3);
      for (const e of errors) expect(e).toBeInstanceOf(TypeError);
      expect(text).toBe("retry: 5000\ndata: ok\n\n");
      await reader.cancel();
    });

    it("reports url and a UTF-8 Last-Event-ID", async () => {
      let seen: EventSourceServer | undefined;
      const server = await sseServer((es) => (seen = es), { ping: 0 });
      const res = await fetch(`${server.url}/events?x=1`, { headers: { ...sse, "Last-Event-ID": latin1OfUtf8("42-é€") } });
      await until(() => seen !== undefined);
      expect(seen!.url).toBe(`${server.url}/events?x=1`);
      expect(seen!.lastEventId).toBe("42-é€");
      await res.body!.cancel();
    });
  });

  describe("EventSourceServer: lifecycle", () => {
    it("goes CONNECTING -> OPEN with an open event, and closes on close()", async () => {
      const log: string[] = [];
      const server = await sseServer((es) => {
        log.push(`state ${es.readyState}`);
        es.onopen = () => {
          log.push(`open ${es.readyState}`);
          es.send("bye");
          expect(es.close()).toBe(true);
          expect(es.close()).toBe(false);
          expect(es.send("late")).toBe(false);
        };
        es.on("close", () => log.push(`close ${es.readyState}`));
      }, { ping: 0 });
      const res = await fetch(server.url, { headers: sse });
      // The body ends: close() finished the response.
      const text = await res.text();
      expect(text).toBe("retry: 5000\ndata: bye\n\n");
      expect(log).toEqual(["state 0", "open 1", "close 3"]);
    });

    it("fires close (on/onclose) when the client goes away", async () => {
      let es: EventSourceServer | undefined;
      let closes = 0;
      const server = await sseServer((s) => {
        es = s;
        s.on("close", () => closes++);
        s.onclose = () => closes++;
      }, { ping: 0 });
      const client = new UndiciEventSource(server.url);
      await until(() => es?.readyState === 1, 10_000, "open");
      client.close();
      await until(() => closes === 2, 10_000, "close events");
      expect(es!.readyState).toBe(3);
      expect(es!.send("nobody")).toBe(false);
    });

    it("off() removes a listener", async () => {
      let es: EventSourceServer | undefined;
      let calls = 0;
      const server = await sseServer((s) => (es = s), { ping: 0 });
      const res = await fetch(server.url, { headers: sse });
      await until(() => es !== undefined);
      const listener = () => calls++;
      es!.on("close", listener).off("close", listener);
      es!.once("close", () => calls += 10);
      es!.close();
      expect(calls).toBe(10);
      await res.body!.cancel().catch(() => {});
    });

    it("signals backpressure: send() false when the client does not read, then drain", async () => {
      let es: EventSourceServer | undefined;
      const server = await sseServer((s) => (es = s), { ping: 0 });
      const { port } = new URL(server.url);
      const socket = net.connect(Number(port), "127.0.0.1");
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
      socket.pause(); // a client that does not read
      await until(() => es?.readyState === 1, 10_000, "open");
      const chunk = "x".repeat(64 * 1024);
      let sent = 0;
      while (es!.send(chunk) && sent < 4096) sent++; // at most 256 MiB
      expect(sent).toBeLessThan(4096);
      expect(es!.bufferedAmount).toBeGreaterThan(0);
      let drained = false;
      es!.once("drain", () => (drained = true));
      socket.resume();
      await until(() => drained, 15_000, "drain");
      socket.destroy();
    }, 30_000);
  });

  describe("EventSourceServer with clients nobody here wrote", () => {
    for (const [name, Client] of [
      ["undici EventSource", UndiciEventSource],
      ["eventsource package", NpmEventSource],
    ] as const) {
      it(`${name}: messages, named events, ids, and reconnect with Last-Event-ID`, async () => {
        const seenIds: string[] = [];
        const server = await sseServer((es) => {
          seenIds.push(es.lastEventId);
          if (es.lastEventId === "") {
            es.send("one\ntwo", { id: "1" });
            es.send("breaking", { event: "news", id: "2-é" });
            es.close(); // drop the stream: the client reconnects
          } else {
            es.send("after", { id: "3" });
          }
        }, { retry: 0.05, ping: 0 });
        const client = new Client(`${server.url}/events`);
        const got: string[] = [];
        client.onmessage = (e: MessageEvent) => got.push(`message ${JSON.stringify(e.data)} id=${e.lastEventId}`);
        client.addEventListener("news", (e: Event) => {
          const m = e as MessageEvent;
          got.push(`news ${m.data} id=${m.lastEventId} origin=${m.origin}`);
        });
        await until(() => got.length === 3, 15_000, "three events");
        client.close();
        expect(got).toEqual([
          `message "one\\ntwo" id=1`,
          `news breaking id=2-é origin=${server.url}`,
          `message "after" id=3`,
        ]);
        expect(seenIds).toEqual(["", "2-é"]);
      });
    }
  });
});
