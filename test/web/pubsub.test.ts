/**
 * Pub/sub on every server form of the running runtime (the node:http hook,
 * listen(), omnisocket/ws's WebSocketServer, Deno.serve's upgrade(),
 * Bun.serve's createBunHandler), with and without permessage-deflate: one
 * publisher, 1,000 subscribers, messages in order, `except`, subscribers
 * that close around and during a publish, and frame once proven by the
 * hub's counters (one framing per publish, whatever the number of
 * subscribers, on every connection our engine runs without compression).
 */
import { describe, expect, it, runtime, until } from "../harness.ts";
import { bun, deno, WebSocket } from "../entry.ts";
import { PubSub } from "../../src/web/pubsub/hub.ts";
import { startHookServer } from "../peers/servers.ts";
import { ourListen } from "../peers/our-server.ts";
import type { BunServer } from "../../src/runtime/bun/index.ts";

const SUBSCRIBERS = 1000;
const BATCH = 100;
const TIMEOUT = 180_000;

interface Started {
  url: string;
  /** Server-side sockets, in arrival order. */
  sockets: object[];
  /** True once the server side of every connection is open. */
  allOpen(n: number): boolean;
  close(): Promise<void>;
}

interface Form {
  name: string;
  /** Our engine frames (shared frames possible); false where the runtime runs the protocol. */
  engine: boolean;
  /** Delivered through the runtime's native topics (Bun.serve). */
  native?: boolean;
  /** permessage-deflate can be negotiated (ours, or the runtime's own on Bun.serve). */
  deflate: boolean;
  start(deflate: Deflate): Promise<Started>;
}

/**
 * The compression of a variant: none; permessage-deflate with context
 * takeover (each connection compresses for itself); or with
 * server_no_context_takeover (compressed once per publish). Threshold 0:
 * every message is compressed.
 */
type Deflate = "none" | "takeover" | "no-takeover";

/** The server's perMessageDeflate option for a variant (ws's names, as every form of ours takes them). */
function deflateOption(deflate: Deflate): false | { threshold: number; serverNoContextTakeover?: boolean } {
  if (deflate === "none") return false;
  return deflate === "takeover" ? { threshold: 0 } : { threshold: 0, serverNoContextTakeover: true };
}

const isOpen = (ws: object) => (ws as { readyState: number }).readyState === 1;

function collecting(): { sockets: object[]; allOpen(n: number): boolean } {
  const sockets: object[] = [];
  return { sockets, allOpen: (n) => sockets.length >= n && sockets.every(isOpen) };
}

const hookForm: Form = {
  name: "node:http upgrade hook",
  engine: true,
  deflate: true,
  async start(deflate) {
    const c = collecting();
    const server = await startHookServer({ echo: false, options: { perMessageDeflate: deflateOption(deflate) }, onConnection: (ws) => c.sockets.push(ws) });
    return { url: server.url, ...c, close: () => server.close() };
  },
};

const listenForm: Form = {
  name: "listen()",
  engine: true,
  deflate: true,
  async start(deflate) {
    const c = collecting();
    const server = await ourListen({ hostname: "127.0.0.1", port: 0, perMessageDeflate: deflateOption(deflate) }, (ws) => c.sockets.push(ws));
    return { url: server.url, ...c, close: () => server.close() };
  },
};

const wsServerForm: Form = {
  name: "omnisocket/ws WebSocketServer",
  engine: true,
  deflate: true,
  async start(deflate) {
    const { listen, closeServer } = await import("../compat/ws/entry.ts");
    const c = collecting();
    const { wss, url } = await listen({ perMessageDeflate: deflateOption(deflate) });
    wss.on("connection", (ws: object) => c.sockets.push(ws));
    return { url, ...c, close: () => closeServer(wss) };
  },
};

const denoServeForm: Form = {
  name: "upgrade() in Deno.serve",
  engine: false,
  // Deno.upgradeWebSocket does not compress.
  deflate: false,
  start() {
    const c = collecting();
    const api = (globalThis as unknown as { Deno: { serve(o: object, h: (r: Request) => Response): { addr: { port: number }; shutdown(): Promise<void> } } }).Deno;
    const server = api.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
      const { socket, response } = deno!.upgrade(request);
      c.sockets.push(socket);
      return response;
    });
    return Promise.resolve({ url: `ws://127.0.0.1:${server.addr.port}`, ...c, close: () => server.shutdown() });
  },
};

const bunServeForm: Form = {
  name: "Bun.serve, createBunHandler",
  engine: false,
  native: true,
  deflate: true,
  start(deflate) {
    const c = collecting();
    const handler = bun!.createBunHandler({ open: (ws) => c.sockets.push(ws) });
    const api = (globalThis as unknown as { Bun: { serve(o: object): { port: number; stop(force?: boolean): void } } }).Bun;
    const server = api.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (request: Request, srv: BunServer) => (handler.upgrade(request, srv) ? undefined : new Response("no", { status: 400 })),
      // Bun's own compression: ours cannot run inside Bun.serve.
      websocket: { ...handler.websocket, perMessageDeflate: deflate !== "none" },
    });
    return Promise.resolve({ url: `ws://127.0.0.1:${server.port}`, ...c, close: () => Promise.resolve(server.stop(true)) });
  },
};

function forms(): Form[] {
  if (runtime === "deno") return [listenForm, denoServeForm, hookForm, wsServerForm];
  if (runtime === "bun") return [listenForm, bunServeForm, hookForm, wsServerForm];
  return [hookForm, listenForm, wsServerForm];
}

interface Client {
  ws: WebSocket;
  got: string[];
}

async function connectClients(url: string, n: number): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < n; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, n - i) }, () => {
      const ws = new WebSocket(url);
      ws.binaryType = "arraybuffer";
      const client: Client = { ws, got: [] };
      ws.addEventListener("message", (event) => {
        const data = (event as MessageEvent).data as string | ArrayBuffer;
        client.got.push(typeof data === "string" ? data : `binary:${new Uint8Array(data).join(",")}`);
      });
      return client;
    });
    await Promise.all(batch.map((c) => new Promise<void>((resolve, reject) => {
      c.ws.addEventListener("open", () => resolve(), { once: true });
      c.ws.addEventListener("error", () => reject(new Error("client could not connect")), { once: true });
    })));
    clients.push(...batch);
  }
  return clients;
}

for (const form of forms()) {
  const variants: Deflate[] = !form.deflate ? ["none"] : form.engine ? ["none", "takeover", "no-takeover"] : ["none", "takeover"];
  for (const deflate of variants) {
    const label = deflate === "none" ? "" : deflate === "takeover" ? ", permessage-deflate" : ", permessage-deflate with server_no_context_takeover";
    describe(`pub/sub on ${form.name}${label}`, () => {
      it(`1 publisher -> ${SUBSCRIBERS} subscribers: in order, except, closing subscribers skipped, frame once`, async () => {
        const server = await form.start(deflate);
        const clients = await connectClients(server.url, SUBSCRIBERS);
        try {
          await until(() => server.allOpen(SUBSCRIBERS), 30_000, "every server side open");
          expect(clients.every((c) => c.ws.extensions.startsWith("permessage-deflate") === (deflate !== "none"))).toBe(true);
          if (form.engine) expect(clients.every((c) => c.ws.extensions.includes("server_no_context_takeover") === (deflate === "no-takeover"))).toBe(true);
          const sockets = server.sockets;
          const hub = new PubSub();
          for (const ws of sockets) expect(hub.subscribe(ws, "room")).toBe(true);
          expect(hub.subscribe(sockets[0]!, "room")).toBe(false);
          hub.subscribe(sockets[0]!, "other");
          expect(hub.subscriberCount("room")).toBe(SUBSCRIBERS);
          expect(hub.subscriptions(sockets[0]!)).toEqual(["room", "other"]);

          // Which client is which server socket: each server socket's own topic tells.
          sockets.forEach((ws, i) => hub.subscribe(ws, `id:${i}`));
          sockets.forEach((_, i) => expect(hub.publish(`id:${i}`, `id:${i}`)).toBe(1));
          await until(() => clients.every((c) => c.got.length === 1), 60_000, "every client got its id");
          const role = (c: Client) => Number(c.got[0]!.slice(3));
          expect(new Set(clients.map(role)).size).toBe(SUBSCRIBERS);

          expect(hub.publish("room", "one")).toBe(SUBSCRIBERS);
          await until(() => clients.every((c) => c.got.length === 2), 60_000, "every client got the first message");
          // The clients of server sockets 21..30 close while the next publishes are on their way (mid-publish).
          const leaving = clients.filter((c) => role(c) >= 21 && role(c) <= 30);
          for (const c of leaving) c.ws.close();
          expect(hub.publish("room", "two", { except: sockets[0]! })).toBe(SUBSCRIBERS - 1);
          // Server sockets 1..10 are closing, 11..20 gone: the hub skips them.
          for (const ws of sockets.slice(1, 11)) (ws as { close(): void }).close();
          for (const ws of sockets.slice(11, 21)) (ws as { terminate(): void }).terminate();
          const third = hub.publish("room", new Uint8Array([1, 2, 3]));
          expect(third).toBeLessThanOrEqual(SUBSCRIBERS - 20);
          expect(third).toBeGreaterThanOrEqual(SUBSCRIBERS - 30);
          hub.publish("room", "four", { compress: false });
          hub.publish("nobody", "lost");

          const staying = clients.filter((c) => role(c) === 0 || role(c) > 30);
          await until(() => staying.every((c) => c.got.at(-1) === "four"), 60_000, "the staying clients got every message");
          for (const c of staying) {
            const i = role(c);
            expect(c.got).toEqual(i === 0 ? [`id:0`, "one", "binary:1,2,3", "four"] : [`id:${i}`, "one", "two", "binary:1,2,3", "four"]);
          }
          // Closed by the server or by themselves: never anything past "two" (delivery stops once closing).
          await until(() => clients.filter((c) => role(c) >= 1 && role(c) <= 30).every((c) => c.ws.readyState === 3), 30_000, "the others closed");
          for (const c of clients.filter((c) => role(c) >= 1 && role(c) <= 30)) {
            expect(["one", "one|two"]).toContain(c.got.slice(1).join("|"));
          }

          // Frame once: one framing per publish that reached a connection able to share it.
          // Frame once. The `id:` publishes reach one socket each; "one", "two" and the binary
          // reach about a thousand; "four" is sent with compress: false.
          const many = 3 * (SUBSCRIBERS - 40);
          if (form.engine && deflate === "none") {
            // One plain frame per publish.
            expect(hub.stats.framings).toBe(SUBSCRIBERS + 4);
            expect(hub.stats.compressions).toBe(0);
            expect(hub.stats.ownSends).toBe(0);
            expect(hub.stats.sharedSends).toBeGreaterThanOrEqual(SUBSCRIBERS + many);
          } else if (form.engine && deflate === "no-takeover") {
            // One compression per publish (the same agreement everywhere); "four" as one plain frame.
            expect(hub.stats.compressions).toBe(SUBSCRIBERS + 3);
            expect(hub.stats.framings).toBe(SUBSCRIBERS + 4);
            expect(hub.stats.ownSends).toBe(0);
            expect(hub.stats.sharedSends).toBeGreaterThanOrEqual(SUBSCRIBERS + many);
          } else if (form.engine) {
            // Context takeover: each connection compresses for itself; "four" (compress: false) shares one plain frame.
            expect(hub.stats.compressions).toBe(0);
            expect(hub.stats.framings).toBe(1);
            expect(hub.stats.ownSends).toBeGreaterThanOrEqual(SUBSCRIBERS + many);
            expect(hub.stats.sharedSends).toBeGreaterThanOrEqual(SUBSCRIBERS - 40);
          } else if (form.native) {
            // Bun.serve: Bun's own topics, one native publish per publish (the `id:` topics included).
            expect(hub.stats.framings).toBe(0);
            expect(hub.stats.ownSends).toBe(0);
            expect(hub.stats.nativePublishes).toBe(SUBSCRIBERS + 4);
            expect(hub.stats.nativeSends).toBeGreaterThanOrEqual(SUBSCRIBERS + 4 * (SUBSCRIBERS - 40));
          } else {
            // Deno.serve frames each message itself.
            expect(hub.stats.framings).toBe(0);
            expect(hub.stats.ownSends).toBeGreaterThanOrEqual(SUBSCRIBERS + 4 * (SUBSCRIBERS - 40));
          }
          // Closed sockets leave their topics.
          await until(() => hub.subscriberCount("room") <= SUBSCRIBERS - 30, 30_000, "closed sockets unsubscribed");
          expect(hub.subscriptions(sockets[11]!)).toEqual([]);
          expect(hub.subscribe(sockets[11]!, "room")).toBe(false);
        } finally {
          for (const c of clients) c.ws.terminate();
          await server.close();
        }
      }, TIMEOUT);
    });
  }
}

describe("PubSub's arguments", () => {
  it("refuses what is not a server-side socket of ours, and empty topics", () => {
    const hub = new PubSub();
    expect(() => hub.subscribe({}, "room")).toThrow(TypeError);
    expect(() => hub.publish("", "x")).toThrow(TypeError);
    expect(hub.publish("room", "nobody listens")).toBe(0);
  });
});

describe("BroadcastChannelBackplane", () => {
  it("carries one hub's publishes to another hub of the process, in order, never back to the publisher", async () => {
    const { BroadcastChannelBackplane } = await import("../../src/web/pubsub/broadcast-channel.ts");
    const name = `omnisocket-test-${Math.random()}`;
    const a = await hookForm.start("none");
    const b = await hookForm.start("none");
    const hubA = new PubSub({ backplane: new BroadcastChannelBackplane(name) });
    const hubB = new PubSub({ backplane: new BroadcastChannelBackplane(name) });
    const onA = await connectClients(a.url, 5);
    const onB = await connectClients(b.url, 5);
    try {
      await until(() => a.allOpen(5) && b.allOpen(5), 10_000, "both servers' sockets open");
      for (const ws of a.sockets) hubA.subscribe(ws, "room");
      for (const ws of b.sockets) hubB.subscribe(ws, "room");
      for (let i = 0; i < 20; i++) hubA.publish("room", `a${i}`);
      hubB.publish("room", new Uint8Array([9]));
      const expected = Array.from({ length: 20 }, (_, i) => `a${i}`);
      await until(() => [...onA, ...onB].every((c) => c.got.length >= 20) && onA.every((c) => c.got.length === 21), 10_000, "every message everywhere");
      for (const c of onB) expect(c.got.filter((m) => m.startsWith("a"))).toEqual(expected);
      for (const c of onA) expect(c.got).toEqual([...expected, "binary:9"]);
      expect(hubA.stats.received).toBe(1);
      expect(hubB.stats.received).toBe(20);
      // Never back to the publisher: nothing more comes.
      await new Promise((r) => setTimeout(r, 100));
      for (const c of onB) expect(c.got.length).toBe(21);
    } finally {
      await hubA.close();
      await hubB.close();
      for (const c of [...onA, ...onB]) c.ws.terminate();
      await a.close();
      await b.close();
    }
  });
});
