/**
 * faye's `permessage-deflate` npm package (a websocket-extensions plugin:
 * callback-style sessions, numeric parameters) passed to our WebSocket as
 * `extensions: [deflate]`, in both roles, against peers nobody here wrote;
 * and extensions that throw, reject, call back with an error or with a bad
 * result, which must fail only their own connection.
 *
 *   ws / faye (+permessage-deflate) / our client  --->  our server { extensions: [fayeDeflate] }
 *   our client { extensions: [fayeDeflate] }      --->  ws / faye (+permessage-deflate) / our server
 *
 * The Chromium client against the same server is in
 * test/browser/chromium-deflate.test.ts. Runs under vitest, deno test and bun test.
 */
import { createRequire } from "node:module";
import { afterAll, describe, expect, it, until } from "../harness.ts";
import { WebSocket } from "../entry.ts";
import type { Extension } from "../../src/core/websocket/extensions/extension.ts";
import {
  fayeDeflateClient, startFayeDeflateServer, startOurDeflateServer, startWsDeflateServer, wsDeflateClient,
  type DeflateClient, type DeflateServer,
} from "../peers/deflate-peers.ts";
import { startOurServer, type OurServer } from "../peers/our-server.ts";
import { startWireTap, type Wire } from "../peers/wire.ts";
import { textOf } from "../peers/payloads.ts";

const require = createRequire(import.meta.url);
/** The npm package itself, as users pass it: `extensions: [require("permessage-deflate")]`. */
const fayeDeflate = require("permessage-deflate") as Extension;

const TIMEOUT = 30_000;
const TEXT = textOf(64 * 1024, 5);
const BINARY = new Uint8Array(48 * 1024).map((_, i) => (i * 7) & 0x3f);
const APP_BYTES = 2 * 64 * 1024 + 48 * 1024 + 4;

/** Sends text, binary, a tiny text and text again; checks each echo. */
async function exchange(client: DeflateClient): Promise<void> {
  const messages: Array<string | Uint8Array> = [TEXT, BINARY, "tiny", TEXT];
  for (const m of messages) client.send(m);
  for (const m of messages) {
    const echo = await client.next();
    expect(echo.text).toBe(typeof m === "string");
    if (typeof m === "string") expect(echo.data === m).toBe(true);
    else expect(Array.from(echo.data as Uint8Array).every((v, i) => v === m[i]) && (echo.data as Uint8Array).length === m.length).toBe(true);
  }
}

/**
 * Our server (the runtime's own) with faye's extension, behind a wire tap;
 * records each connection's answer and the bytes on its wire.
 */
async function ourFayeServer(extensions: unknown[] = [fayeDeflate]): Promise<OurServer & { connections: Array<{ ws: WebSocket; socket: Wire; errors: string[]; closed: Promise<number> }> }> {
  const connections: Array<{ ws: WebSocket; socket: Wire; errors: string[]; closed: Promise<number> }> = [];
  const server = await startOurServer({
    options: { extensions: extensions as Extension[], binaryType: "uint8array" },
    onConnection(ws) {
      const errors: string[] = [];
      ws.addEventListener("error", (e) => errors.push(String(((e as ErrorEvent).error as { code?: string } | undefined)?.code)));
      const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve((e as CloseEvent).code)));
      connections.push({ ws, socket: tap.wires[connections.length]!, errors, closed });
    },
  });
  const tap = await startWireTap(server.port);
  return {
    ...server,
    url: tap.url,
    port: tap.port,
    connections,
    close: async () => {
      await tap.close();
      await server.close();
    },
  };
}

/** Our client with faye's extension, in the DeflateClient shape. */
function ourFayeClient(url: string, extensions: unknown[] = [fayeDeflate]): DeflateClient & { socket: WebSocket; errors: string[] } {
  const socket = new WebSocket(url, [], { binaryType: "uint8array", extensions: extensions as Extension[] });
  const queue: Array<{ text: boolean; data: string | Uint8Array }> = [];
  const waiting: Array<(m: { text: boolean; data: string | Uint8Array }) => void> = [];
  const errors: string[] = [];
  socket.addEventListener("error", (e) => errors.push(String(((e as ErrorEvent).error as { code?: string } | undefined)?.code)));
  socket.addEventListener("message", (e) => {
    const data = (e as MessageEvent).data as string | Uint8Array;
    const m = { text: typeof data === "string", data };
    const w = waiting.shift();
    if (w) w(m);
    else queue.push(m);
  });
  return {
    name: "ours+faye",
    socket,
    errors,
    opened: new Promise((resolve, reject) => {
      socket.addEventListener("open", () => resolve());
      socket.addEventListener("close", () => reject(new Error("closed before open")));
    }),
    extensions: () => socket.extensions,
    send: (data) => socket.send(data),
    next: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiting.push(r))),
    close: () => socket.close(1000),
    closed: new Promise((resolve) => socket.addEventListener("close", (e) => resolve({ code: (e as CloseEvent).code }))),
  };
}

function expectCompressed(socket: Wire): void {
  expect(socket.bytesRead).toBeLessThan(APP_BYTES / 2);
  expect(socket.bytesWritten).toBeLessThan(APP_BYTES / 2);
}

describe("faye's permessage-deflate npm package as our server's extension", () => {
  const clients: Array<[string, (url: string) => DeflateClient]> = [
    ["ws (perMessageDeflate: true)", (url) => wsDeflateClient(url, true)],
    ["faye-websocket (+ permessage-deflate)", (url) => fayeDeflateClient(url, true)],
    ["our client (built-in permessage-deflate)", (url) => wrapOurs(new WebSocket(url, [], { binaryType: "uint8array" }))],
    ["our client (faye's permessage-deflate too)", (url) => ourFayeClient(url)],
  ];
  for (const [name, make] of clients) {
    it(`${name}: negotiates, echoes text and binary compressed, closes cleanly`, async () => {
      const server = await ourFayeServer();
      try {
        const client = make(server.url);
        await client.opened;
        expect(client.extensions()).toBe("permessage-deflate");
        await exchange(client);
        client.close();
        expect((await client.closed).code).toBe(1000);
        const { ws, socket, errors } = server.connections[0]!;
        expect(ws.extensions).toBe("permessage-deflate");
        expectCompressed(socket);
        expect(errors).toEqual([]);
      } finally {
        await server.close();
      }
    }, TIMEOUT);
  }
});

describe("faye's permessage-deflate npm package as our client's extension", () => {
  const servers: Array<[string, () => Promise<DeflateServer & { connections: Array<{ socket: Wire }> }>]> = [
    ["ws (perMessageDeflate: true)", () => startWsDeflateServer(true)],
    ["faye-websocket (+ permessage-deflate)", () => startFayeDeflateServer(true)],
    ["our server (perMessageDeflate: true)", () => startOurDeflateServer(true)],
  ];
  for (const [name, start] of servers) {
    it(`${name}: negotiates, echoes text and binary compressed, closes cleanly`, async () => {
      const server = await start();
      try {
        const client = ourFayeClient(server.url);
        await client.opened;
        expect(client.extensions()).toBe("permessage-deflate");
        await exchange(client);
        client.close();
        expect((await client.closed).code).toBe(1000);
        expect(client.errors).toEqual([]);
        // Our client's own TCP socket is not exposed; the server's wire shows the compression.
        expectCompressed(server.connections[0]!.socket);
      } finally {
        await server.close();
      }
    }, TIMEOUT);
  }
});

function wrapOurs(socket: WebSocket): DeflateClient {
  const queue: Array<{ text: boolean; data: string | Uint8Array }> = [];
  const waiting: Array<(m: { text: boolean; data: string | Uint8Array }) => void> = [];
  socket.addEventListener("message", (e) => {
    const data = (e as MessageEvent).data as string | Uint8Array;
    const m = { text: typeof data === "string", data };
    const w = waiting.shift();
    if (w) w(m);
    else queue.push(m);
  });
  return {
    name: "ours",
    opened: new Promise((resolve, reject) => {
      socket.addEventListener("open", () => resolve());
      socket.addEventListener("close", () => reject(new Error("closed before open")));
    }),
    extensions: () => socket.extensions,
    send: (data) => socket.send(data),
    next: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiting.push(r))),
    close: () => socket.close(1000),
    closed: new Promise((resolve) => socket.addEventListener("close", (e) => resolve({ code: (e as CloseEvent).code }))),
  };
}

// ------------------------------------------------------------- failures --

type Fault = "sync throw" | "rejected promise" | "callback error" | "callback with a bad result" | "returns a bad result";

/**
 * "x-faulty": claims no RSV bit, passes every message through, except one
 * whose text is "boom", which it fails in the given way (callback style,
 * as websocket-extensions plugins are written, but for "returns a bad result").
 */
function faultyExtension(fault: Fault, trigger = "boom"): Extension {
  const isTrigger = (data: Uint8Array) => new TextDecoder().decode(data) === trigger;
  const session = () => {
    const process = (message: { data: Uint8Array }, callback: (error: unknown, message?: unknown) => void): unknown => {
      const boom = isTrigger(message.data);
      if (!boom) return callback(null, message);
      switch (fault) {
        case "sync throw": throw new TypeError("sync boom");
        case "rejected promise": return Promise.reject(new Error("async boom"));
        case "callback error": return setTimeout(() => callback(new Error("callback boom")), 1);
        case "callback with a bad result": return setTimeout(() => callback(null, { opcode: 1, data: "not bytes" }), 1);
        default: return undefined;
      }
    };
    const returning = (message: { data: Uint8Array }): unknown => {
      return isTrigger(message.data) ? undefined : message;
    };
    const method = fault === "returns a bad result" ? returning : process;
    return {
      generateOffer: () => ({}),
      activate: () => true,
      generateResponse: () => ({}),
      processIncomingMessage: method,
      processOutgoingMessage: method,
      close: () => {},
    };
  };
  return {
    name: "x-faulty", type: "permessage", rsv1: false, rsv2: false, rsv3: false,
    createClientSession: session as unknown as Extension["createClientSession"],
    createServerSession: session as unknown as Extension["createServerSession"],
  };
}

const FAULTS: Fault[] = ["sync throw", "rejected promise", "callback error", "callback with a bad result", "returns a bad result"];

describe("an extension that fails fails only its own connection", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => { for (const c of cleanup) await c(); });

  for (const fault of FAULTS) {
    it(`${fault}, incoming on our server: 1011 and WS_ERR_EXTENSION; the neighbour connection goes on`, async () => {
      const server = await ourFayeServer([faultyExtension(fault)]);
      cleanup.push(() => server.close());
      // The clients' own sessions of the extension never fail.
      const victim = ourFayeClient(server.url, [faultyExtension(fault, "never")]);
      const neighbour = ourFayeClient(server.url, [faultyExtension(fault, "never")]);
      await Promise.all([victim.opened, neighbour.opened]);
      expect(victim.extensions()).toBe("x-faulty");
      victim.send("fine");
      expect((await victim.next()).data).toBe("fine");
      victim.send("boom");
      expect((await victim.closed).code).toBe(1011);
      await until(() => server.connections[0]!.errors.length > 0);
      expect(server.connections[0]!.errors).toEqual(["WS_ERR_EXTENSION"]);
      neighbour.send("still here");
      expect((await neighbour.next()).data).toBe("still here");
      neighbour.close();
      expect((await neighbour.closed).code).toBe(1000);
    }, TIMEOUT);

    it(`${fault}, outgoing on our client: the client fails with 1011 and WS_ERR_EXTENSION`, async () => {
      const server = await ourFayeServer([faultyExtension(fault, "never")]);
      cleanup.push(() => server.close());
      const client = ourFayeClient(server.url, [faultyExtension(fault)]);
      await client.opened;
      client.send("fine");
      expect((await client.next()).data).toBe("fine");
      client.send("boom");
      expect((await client.closed).code).toBe(1006);
      expect(client.errors).toEqual(["WS_ERR_EXTENSION"]);
      // The server saw our Close with 1011.
      expect(await server.connections[0]!.closed).toBe(1011);
    }, TIMEOUT);
  }
});
