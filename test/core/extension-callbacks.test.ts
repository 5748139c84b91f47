/**
 * The websocket-extensions session model (faye's plugins): callback-style
 * processIncomingMessage(message, callback) / processOutgoingMessage, next
 * to ours (return a message or a promise); and every way a session can go
 * wrong, each of which fails the connection with WS_ERR_EXTENSION, never
 * throws out of the Protocol, never leaves a rejected promise behind.
 */
import { describe, it, expect } from "../harness.ts";
import { Protocol } from "../../src/core/websocket/protocol.ts";
import type { ActiveExtension, Extension, ExtensionMessage, ExtensionSession } from "../../src/core/websocket/extensions/extension.ts";
import { parseExtensions } from "../../src/core/websocket/handshake/header-params.ts";
import { b, concat, errorOf, events, fixedKey, sent } from "./support/bytes.ts";

const toServer = (first: number, payload: string) => concat(new Uint8Array([first, 0x80 | payload.length, 0, 0, 0, 0]), b(payload));
const tick = () => new Promise((r) => setTimeout(r, 2));

function withSession(session: ExtensionSession, role: "client" | "server" = "server", bits = { rsv1: false, rsv2: true, rsv3: false }): Protocol {
  const extension = { name: "x-test", type: "permessage", ...bits } as unknown as Extension;
  const active: ActiveExtension[] = [{ extension, session }];
  return new Protocol({ role, extensions: active, random: fixedKey() });
}

/** A callback-style session (as faye's): upper-cases text in, marks RSV2 out; `later` answers on a timer. */
function callbackSession(later: boolean) {
  const answer = (f: () => void) => (later ? setTimeout(f, 1) : f());
  return {
    processIncomingMessage(message: ExtensionMessage, callback: (error: Error | null, message?: ExtensionMessage) => void) {
      answer(() => callback(null, { ...message, rsv2: false, data: message.rsv2 ? message.data.map((c) => c - 32) : message.data }));
      return 42; // faye's sessions return whatever their queue's push returns: ignored
    },
    processOutgoingMessage(message: ExtensionMessage, callback: (error: Error | null, message?: ExtensionMessage) => void) {
      answer(() => callback(null, { ...message, rsv2: true }));
    },
  } as unknown as ExtensionSession;
}

describe("callback-style sessions (websocket-extensions)", () => {
  it("a callback called during the call is synchronous: events at once", () => {
    const p = withSession(callbackSession(false));
    p.receiveData(concat(toServer(0xa1, "abc"), toServer(0x81, "def")));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "ABC" }, { type: "text", data: "def" }]);
    p.sendText("hi");
    expect(sent(p)).toEqual(b("\xa1\x02hi"));
  });

  it("a callback called later keeps message order both ways", async () => {
    let woken = 0;
    const p = new Protocol({
      role: "server",
      extensions: [{ extension: { name: "x", type: "permessage", rsv1: false, rsv2: true, rsv3: false } as unknown as Extension, session: callbackSession(true) }],
      onWake: () => woken++,
    });
    p.receiveData(concat(toServer(0xa1, "abc"), toServer(0x81, "def"), toServer(0xa1, "ghi")));
    p.sendText("1");
    p.sendText("2");
    expect(p.eventsReceived()).toEqual([]);
    while (woken < 5) await tick();
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "ABC" }, { type: "text", data: "def" }, { type: "text", data: "GHI" }]);
    expect(sent(p)).toEqual(b("\xa1\x011\xa1\x012"));
  });

  it("a second call of the callback is ignored", () => {
    const session = {
      processIncomingMessage(m: ExtensionMessage, cb: (e: unknown, m?: unknown) => void) {
        cb(null, m);
        cb(new Error("again"));
        cb(null, { ...m, data: b("twice") });
      },
      processOutgoingMessage: (m: ExtensionMessage) => m,
    } as unknown as ExtensionSession;
    const p = withSession(session);
    p.receiveData(toServer(0x81, "once"));
    expect(events(p)).toEqual([{ type: "text", data: "once" }]);
  });
});

type Case = [name: string, incoming: (m: ExtensionMessage, cb: (e: unknown, m?: unknown) => void) => unknown, sync: boolean];

const CASES: Case[] = [
  ["throws a TypeError", () => { throw new TypeError("x is undefined"); }, true],
  ["throws a non-Error", () => { throw undefined; }, true],
  ["returns a rejected promise (async callback style)", () => Promise.reject(new Error("async")), false],
  ["calls back with an error, synchronously", (_m, cb) => cb(new Error("sync")), true],
  ["calls back with an error, later", (_m, cb) => setTimeout(() => cb(new Error("later")), 1), false],
  ["calls back with undefined", (_m, cb) => cb(null, undefined), true],
  ["calls back with data that is a string", (m, cb) => cb(null, { ...m, data: "text" }), true],
  ["calls back with opcode 8", (m, cb) => cb(null, { ...m, opcode: 8 }), true],
];

describe("a failing session fails its connection with WS_ERR_EXTENSION, and never throws", () => {
  for (const [name, incoming, sync] of CASES) {
    it(`incoming: ${name}`, async () => {
      const session = { processIncomingMessage: incoming, processOutgoingMessage: (m: ExtensionMessage) => m } as unknown as ExtensionSession;
      const p = withSession(session);
      p.receiveData(toServer(0x81, "boom"));
      if (!sync) while (!p.error && events(p).length === 0) await tick();
      const evs = events(p);
      if (sync) expect(errorOf(evs)).toEqual({ code: "WS_ERR_EXTENSION", closeCode: 1011 });
      expect(p.error?.code).toBe("WS_ERR_EXTENSION");
      expect(p.closeTransport).toBe(true);
    });
  }

  it("return style: undefined, a promise of null, a thenable that throws", async () => {
    const results: unknown[] = [undefined, Promise.resolve(null), { then() { throw new Error("bad thenable"); } }];
    for (const result of results) {
      const p = withSession({ processIncomingMessage: () => result, processOutgoingMessage: (m: ExtensionMessage) => m } as unknown as ExtensionSession);
      p.receiveData(toServer(0x81, "boom"));
      while (!p.error) {
        events(p);
        await tick();
      }
      expect(p.error.code).toBe("WS_ERR_EXTENSION");
    }
  });

  it("outgoing: a bad result and an RSV bit no extension claims fail the connection, not the send() call", () => {
    const bad = withSession({ processIncomingMessage: (m: ExtensionMessage) => m, processOutgoingMessage: () => null } as unknown as ExtensionSession);
    bad.sendText("x");
    expect(errorOf(events(bad))).toEqual({ code: "WS_ERR_EXTENSION", closeCode: 1011 });
    expect(sent(bad)).toEqual(b("\x88\x02\x03\xf3"));
    const stray = withSession({ processIncomingMessage: (m: ExtensionMessage) => m, processOutgoingMessage: (m: ExtensionMessage) => ({ ...m, rsv3: true }) } as unknown as ExtensionSession);
    stray.sendBinary(b("x"));
    expect(errorOf(events(stray))).toEqual({ code: "WS_ERR_EXTENSION", closeCode: 1011 });
  });

  it("a session without the method", () => {
    const p = withSession({ processOutgoingMessage: (m: ExtensionMessage) => m } as unknown as ExtensionSession);
    p.receiveData(toServer(0x81, "boom"));
    expect(errorOf(events(p))).toEqual({ code: "WS_ERR_EXTENSION", closeCode: 1011 });
  });
});

describe("extension parameters are typed as websocket-extensions types them", () => {
  it("plain decimal numbers arrive as numbers, anything else as strings", () => {
    expect(parseExtensions('x; a=10; b="15"; c=010; d=10.0; e=-1; f=1.5; g=abc; h')).toEqual([
      { name: "x", params: { a: 10, b: 15, c: "010", d: "10.0", e: -1, f: 1.5, g: "abc", h: true } },
    ]);
  });
});
