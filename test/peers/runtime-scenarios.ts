/**
 * One set of scenarios for every (client, server form) pair on the running
 * runtime (test/web/server-forms.test.ts), so each form is held to the same
 * behaviour:
 *
 *   serverFormTests(name, startForm, connect)
 *     a client (the runtime's native WebSocket, or ours) -> a server form
 *     (standalone listen(), Deno.serve / Bun.serve integration, node:http hook)
 *
 * Each scenario: text, binary (1 MiB too), subprotocol, ping with its pong
 * callback, close code + reason from either side. A server form echoes
 * every message, and answers the text "close-me" by closing with
 * 4321 "server says bye".
 */
import { afterAll, beforeAll, describe, expect, it } from "../harness.ts";
import { observe, type Observed } from "./observe.ts";
import { bytesOf, textOf } from "./payloads.ts";

export const SERVER_PROTOCOLS = ["chat", "superchat"];
export const CLOSE_ME = "close-me";
const TIMEOUT = 30_000;

/** The server side of a connection: our WebSocket, or our API on a runtime's socket. */
export interface ServerSide extends EventTarget {
  readonly protocol: string;
  readonly readyState: number;
  readonly url: string;
  binaryType: string;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  ping(data?: string | Uint8Array, callback?: () => void): boolean;
}

/** A client: the WHATWG surface shared by native WebSockets and ours. */
export interface ClientSide extends EventTarget {
  readonly protocol: string;
  readonly readyState: number;
  binaryType: string;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}

export type Connect = (url: string, protocols?: string[]) => ClientSide;

export interface ServerForm {
  /** ws://127.0.0.1:PORT */
  url: string;
  /** False when the server side cannot ping (Deno.serve): ping() must throw a TypeError. */
  pings: boolean;
  /** The next server side, in connection order. */
  next(): Promise<{ ws: ServerSide; seen: Observed }>;
  close(): Promise<void>;
}

/**
 * For a form's connection handler: echo, "close-me", and a queue the
 * tests take server sides from. Call `arrived(ws)` synchronously as each
 * socket is accepted, before any message can be dispatched.
 */
export function arrivals(): { arrived(ws: ServerSide): void; next: ServerForm["next"] } {
  const ready: { ws: ServerSide; seen: Observed }[] = [];
  const waiting: ((a: { ws: ServerSide; seen: Observed }) => void)[] = [];
  return {
    arrived(ws) {
      ws.binaryType = "arraybuffer";
      ws.addEventListener("message", (event) => {
        const data = (event as MessageEvent).data as string | ArrayBuffer;
        if (data === CLOSE_ME) ws.close(4321, "server says bye");
        else ws.send(data);
      });
      const arrival = { ws, seen: observe(ws) };
      const w = waiting.shift();
      if (w) w(arrival);
      else ready.push(arrival);
    },
    next() {
      const a = ready.shift();
      if (a) return Promise.resolve(a);
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

async function opened(connect: Connect, url: string, protocols?: string[]): Promise<{ ws: ClientSide; seen: Observed }> {
  const ws = connect(url, protocols);
  ws.binaryType = "arraybuffer";
  const seen = observe(ws);
  await seen.opened;
  return { ws, seen };
}

function asBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new Error(`expected an ArrayBuffer, got ${Object.prototype.toString.call(data)}`);
}

/** A client against one server form. */
export function serverFormTests(name: string, start: () => Promise<ServerForm>, connect: Connect): void {
  describe(name, () => {
    let form: ServerForm;
    const clients: ClientSide[] = [];
    const open = async (protocols?: string[]) => {
      const client = await opened(connect, form.url + "/path?q=1", protocols);
      clients.push(client.ws);
      return { client, server: await form.next() };
    };
    beforeAll(async () => { form = await start(); });
    afterAll(async () => {
      for (const c of clients) if (c.readyState < 2) c.close();
      await form?.close();
    });

    it("echoes text (multi-byte UTF-8) and binary, in order", async () => {
      const { client, server } = await open();
      const text = textOf(1000);
      const bytes = bytesOf(70_000);
      client.ws.send(text);
      client.ws.send(bytes);
      client.ws.send("");
      client.ws.send(new Uint8Array(0));
      expect(await client.seen.next()).toBe(text);
      expect(asBytes(await client.seen.next())).toEqual(bytes);
      expect(await client.seen.next()).toBe("");
      expect(asBytes(await client.seen.next())).toEqual(new Uint8Array(0));
      expect(server.ws.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/path\?q=1$/);
      client.ws.close();
      expect((await server.seen.closed).code).toBe(1005);
    }, TIMEOUT);

    it("echoes a 1 MiB binary message intact", async () => {
      const { client } = await open();
      const bytes = bytesOf(1024 * 1024, 7);
      client.ws.send(bytes);
      expect(asBytes(await client.seen.next())).toEqual(bytes);
      client.ws.close(1000);
    }, TIMEOUT);

    it("negotiates the first offered subprotocol the server speaks", async () => {
      const { client, server } = await open(["nope", "superchat", "chat"]);
      expect(client.ws.protocol).toBe("superchat");
      expect(server.ws.protocol).toBe("superchat");
      client.ws.close();
    }, TIMEOUT);

    it("server ping: the callback runs on the client's pong, or ping() refuses with a TypeError", async () => {
      const { client, server } = await open();
      if (!form.pings) {
        expect(() => server.ws.ping("hi", () => {})).toThrow(TypeError);
        expect(() => server.ws.ping()).toThrow(TypeError);
      } else {
        let pongs = 0;
        await new Promise<void>((resolve) => {
          expect(server.ws.ping("are you there", () => { pongs++; resolve(); })).toBe(true);
        });
        expect(pongs).toBe(1);
        expect(server.seen.pongs).toEqual(["are you there"]);
      }
      client.ws.close();
    }, TIMEOUT);

    it("client closes with a code and reason: the server sees both, the client sees the echo", async () => {
      const { client, server } = await open();
      client.ws.close(4000, "client says bye");
      expect(await server.seen.closed).toEqual({ code: 4000, reason: "client says bye", wasClean: true });
      const closed = await client.seen.closed;
      expect(closed.code).toBe(4000);
      expect(closed.wasClean).toBe(true);
    }, TIMEOUT);

    it("server closes with a code and reason: the client sees both", async () => {
      const { client, server } = await open();
      client.ws.send(CLOSE_ME);
      expect(await client.seen.closed).toEqual({ code: 4321, reason: "server says bye", wasClean: true });
      expect((await server.seen.closed).code).toBe(4321);
      expect(server.ws.readyState).toBe(3);
    }, TIMEOUT);
  });
}
