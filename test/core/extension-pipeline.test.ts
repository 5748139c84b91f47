/**
 * The extension pipeline and its use by Protocol: order kept both ways with
 * sync and async sessions, a Close queued behind pending messages, failures
 * mapped to close codes, RSV1 only on the first frame of a claimed message.
 */
import { describe, it, expect } from "../harness.ts";
import { ExtensionPipeline, extensionError } from "../../src/core/websocket/extensions/pipeline.ts";
import { OrderedQueue } from "../../src/core/shared/ordered-queue.ts";
import type { Extension, ExtensionMessage, ExtensionSession } from "../../src/core/websocket/extensions/extension.ts";
import { WebSocketError } from "../../src/core/shared/errors.ts";
import { Protocol, ReadyState, type ProtocolEvent } from "../../src/core/websocket/protocol.ts";
import { b, concat, errorOf, events, fixedKey, sent, utf8 } from "./support/bytes.ts";
import { drain, toy, ToySession, toyExtension, type ToyOptions } from "./support/test-extension.ts";

const msg = (text: string, opcode: 1 | 2 = 1): ExtensionMessage => ({ opcode, rsv1: false, rsv2: false, rsv3: false, data: utf8(text) });
const text = (m: ExtensionMessage | WebSocketError | PromiseLike<unknown>) => new TextDecoder().decode((m as ExtensionMessage).data);

function clientWith(options: ToyOptions = {}, extra: Partial<ConstructorParameters<typeof Protocol>[0]> = {}) {
  const ext = toy(options);
  return { p: new Protocol({ role: "client", random: fixedKey(), extensions: [ext], ...extra }), session: ext.session };
}
function serverWith(options: ToyOptions = {}, extra: Partial<ConstructorParameters<typeof Protocol>[0]> = {}) {
  const ext = toy(options);
  return { p: new Protocol({ role: "server", extensions: [ext], ...extra }), session: ext.session };
}

/** A frame a client sends to the server, zero-masked: "\xc1" + len|0x80 + key + payload. */
function toServer(first: number, payload: string): Uint8Array {
  return concat(new Uint8Array([first, 0x80 | payload.length, 0, 0, 0, 0]), b(payload));
}

describe("OrderedQueue", () => {
  it("releases an added value at once when nothing waits", () => {
    const out: number[] = [];
    const q = new OrderedQueue<number>((v) => out.push(v));
    q.add(1);
    expect(out).toEqual([1]);
    expect(q.idle).toBe(true);
  });

  it("releases in queue order however the values settle", () => {
    const out: string[] = [];
    const q = new OrderedQueue<string>((v) => out.push(v));
    const s1 = q.reserve();
    const s2 = q.reserve();
    q.add("c");
    const s4 = q.reserve();
    expect(q.idle).toBe(false);
    q.settle(s2, "b");
    q.settle(s4, "d");
    expect(out).toEqual([]);
    q.settle(s1, "a");
    expect(out).toEqual(["a", "b", "c", "d"]);
    expect(q.idle).toBe(true);
  });

  it("drops everything on clear, and later settles of dropped slots", () => {
    const out: string[] = [];
    const q = new OrderedQueue<string>((v) => out.push(v));
    const s1 = q.reserve();
    q.add("b");
    q.clear();
    expect(q.idle).toBe(true);
    q.settle(s1, "a");
    expect(out).toEqual([]);
    q.add("c");
    expect(out).toEqual(["c"]);
  });
});

describe("ExtensionPipeline", () => {
  const tagger = (tag: string, async = false) => ({
    extension: toyExtension(false),
    session: {
      processOutgoingMessage: (m: ExtensionMessage) => {
        const next = { ...m, data: utf8(text(m) + tag) };
        return async ? Promise.resolve(next) : next;
      },
      processIncomingMessage: (m: ExtensionMessage) => {
        const next = { ...m, data: utf8(text(m) + tag) };
        return async ? Promise.resolve(next) : next;
      },
    },
  });

  it("runs outgoing messages first to last and incoming last to first", () => {
    const pipeline = new ExtensionPipeline([tagger("1"), tagger("2"), tagger("3")]);
    expect(text(pipeline.process("out", msg("m")))).toBe("m123");
    expect(text(pipeline.process("in", msg("m")))).toBe("m321");
  });

  it("chains sync and async sessions", async () => {
    const pipeline = new ExtensionPipeline([tagger("1"), tagger("2", true), tagger("3")]);
    const out = pipeline.process("out", msg("m"));
    expect(typeof (out as PromiseLike<unknown>).then).toBe("function");
    expect(text(await out)).toBe("m123");
    expect(text(await pipeline.process("in", msg("m")))).toBe("m321");
  });

  it("claims the RSV bits of its extensions", () => {
    const ext = (rsv1: boolean, rsv2: boolean, rsv3: boolean) => ({
      extension: { ...toyExtension(rsv1), rsv2, rsv3 },
      session: new ToySession(),
    });
    expect(new ExtensionPipeline([]).rsvMask).toBe(0);
    expect(new ExtensionPipeline([]).empty).toBe(true);
    expect(new ExtensionPipeline([ext(true, false, false)]).rsvMask).toBe(4);
    expect(new ExtensionPipeline([ext(false, true, false), ext(false, false, true)]).rsvMask).toBe(3);
  });

  it("turns a thrown error into WS_ERR_EXTENSION with 1011, or the error's closeCode", () => {
    const thrower = (err: unknown, async = false) => ({
      extension: toyExtension(),
      session: {
        processOutgoingMessage: () => {
          if (async) return Promise.reject(err);
          throw err;
        },
        processIncomingMessage: () => {
          throw err;
        },
      },
    });
    const e1 = new ExtensionPipeline([thrower(new Error("x"))]).process("out", msg("m")) as WebSocketError;
    expect(e1).toBeInstanceOf(WebSocketError);
    expect(e1.code).toBe("WS_ERR_EXTENSION");
    expect(e1.closeCode).toBe(1011);
    expect(e1.message).toMatch("x");
    const e2 = new ExtensionPipeline([thrower(Object.assign(new Error("big"), { closeCode: 1009 }))]).process("in", msg("m")) as WebSocketError;
    expect(e2.closeCode).toBe(1009);
    const own = new WebSocketError("WS_ERR_INFLATE", "bad deflate data");
    expect(new ExtensionPipeline([thrower(own)]).process("in", msg("m"))).toBe(own);
    expect((new ExtensionPipeline([thrower("a string")]).process("in", msg("m")) as WebSocketError).closeCode).toBe(1011);
  });

  it("maps a rejected promise the same way", async () => {
    const pipeline = new ExtensionPipeline([{
      extension: toyExtension(),
      session: {
        processOutgoingMessage: () => Promise.reject(Object.assign(new Error("no"), { closeCode: 4001 })),
        processIncomingMessage: (m: ExtensionMessage) => m,
      },
    }]);
    const err = (await pipeline.process("out", msg("m"))) as WebSocketError;
    expect(err).toBeInstanceOf(WebSocketError);
    expect(err.closeCode).toBe(4001);
  });

  it("uses 1011 for a closeCode that cannot go on the wire", () => {
    for (const closeCode of [0, 999, 1005, 1006, 1015, 5000, 1.5]) {
      expect(extensionError(Object.assign(new Error("x"), { closeCode })).closeCode).toBe(1011);
    }
    expect(extensionError({ closeCode: 3000 }).closeCode).toBe(3000);
  });

  it("closes every session once, even when one's close throws", () => {
    const a = new ToySession();
    const c = new ToySession();
    const bad = {
      processIncomingMessage: (m: ExtensionMessage) => m,
      processOutgoingMessage: (m: ExtensionMessage) => m,
      close: () => {
        throw new Error("cleanup");
      },
    };
    const pipeline = new ExtensionPipeline([
      { extension: toyExtension(), session: a },
      { extension: toyExtension(), session: bad },
      { extension: toyExtension(), session: c },
    ]);
    pipeline.close();
    pipeline.close();
    expect(a.closed).toBe(1);
    expect(c.closed).toBe(1);
    expect(pipeline.empty).toBe(true);
  });
});

describe("Protocol with a synchronous extension", () => {
  it("sends through the extension with RSV1 set", () => {
    const { p } = clientWith();
    p.sendText("Spam");
    expect(sent(p)).toEqual(b("\xc1\x85\x00\x00\x00\x00\xffSpam"));
    p.sendBinary(b("Eggs"), { compress: false });
    expect(sent(p)).toEqual(b("\x82\x84\x00\x00\x00\x00Eggs"));
  });

  it("receives through the extension; plain messages pass too", () => {
    const { p } = serverWith();
    p.receiveData(concat(toServer(0xc1, "\xffSpam"), toServer(0x82, "Eggs"), toServer(0x81, "Ham")));
    expect(p.eventsReceived()).toEqual([
      { type: "text", data: "Spam" },
      { type: "binary", data: utf8("Eggs") },
      { type: "text", data: "Ham" },
    ]);
  });

  it("allows RSV1 on the first frame of a fragmented message", () => {
    const { p, session } = serverWith();
    p.receiveData(concat(toServer(0x41, "\xffSp"), toServer(0x00, "a"), toServer(0x80, "m")));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "Spam" }]);
    expect(session.seen).toEqual([{ direction: "in", data: b("\xffSpam") }]);
  });

  const rsvCases: [string, Uint8Array, string][] = [
    ["a continuation frame", concat(toServer(0x41, "\xffSp"), toServer(0xc0, "am")), "WS_ERR_UNEXPECTED_RSV_1"],
    ["a Ping", toServer(0xc9, ""), "WS_ERR_UNEXPECTED_RSV_1"],
    ["a Pong", toServer(0xca, ""), "WS_ERR_UNEXPECTED_RSV_1"],
    ["a Close", toServer(0xc8, "\x03\xe8"), "WS_ERR_UNEXPECTED_RSV_1"],
    ["a data frame (RSV2, not claimed)", toServer(0xa1, "x"), "WS_ERR_UNEXPECTED_RSV_2"],
    ["a data frame (RSV3, not claimed)", toServer(0x91, "x"), "WS_ERR_UNEXPECTED_RSV_3"],
  ];
  for (const [name, bytes, code] of rsvCases) {
    it(`fails RSV bits on ${name} even with the extension: 1002`, () => {
      const { p } = serverWith();
      p.receiveData(bytes);
      expect(errorOf(p.eventsReceived())).toEqual({ code, closeCode: 1002 });
      expect(sent(p)).toEqual(b("\x88\x02\x03\xea"));
    });
  }

  it("fails RSV1 when the negotiated extension does not claim it: 1002", () => {
    const p = new Protocol({ role: "server", extensions: [{ extension: toyExtension(false), session: new ToySession() }] });
    p.receiveData(toServer(0xc1, "\xffSpam"));
    expect(errorOf(p.eventsReceived())).toEqual({ code: "WS_ERR_UNEXPECTED_RSV_1", closeCode: 1002 });
  });

  it("validates UTF-8 after the extension", () => {
    const { p } = serverWith();
    p.receiveData(toServer(0xc1, "\xff\xc0\x80"));
    expect(errorOf(p.eventsReceived())).toEqual({ code: "WS_ERR_INVALID_UTF8", closeCode: 1007 });
  });

  it("does not reject compressed text for not being UTF-8 on the wire", () => {
    const { p } = serverWith();
    p.receiveData(toServer(0x41, "\xff"));
    p.receiveData(toServer(0x80, "ok"));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "ok" }]);
  });

  it("fails a message that grows past maxLength in the extension with 1009", () => {
    const { p } = serverWith({ expand: 3 }, { maxLength: 8 });
    p.receiveData(toServer(0xc1, "\xffab"));
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "ababab" }]);
    p.receiveData(toServer(0xc1, "\xffabc"));
    expect(errorOf(p.eventsReceived())).toEqual({ code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", closeCode: 1009 });
    expect(sent(p)).toEqual(b("\x88\x02\x03\xf1"));
  });

  it("closes with 1011 when an outgoing message fails in the extension", () => {
    const { p } = clientWith({ failOn: "bad" });
    p.sendText("ok");
    p.sendText("bad");
    expect(sent(p)).toEqual(b("\xc1\x83\x00\x00\x00\x00\xffok\x88\x82\x00\x00\x00\x00\x03\xf3"));
    expect(errorOf(p.eventsReceived())).toEqual({ code: "WS_ERR_EXTENSION", closeCode: 1011 });
    expect(p.closeTransport).toBe(true);
    expect(() => p.sendText("more")).toThrow({ code: "WS_ERR_INVALID_STATE" });
  });

  it("closes with the extension error's closeCode", () => {
    const { p } = serverWith({ failOn: "bad", closeCode: 1008 });
    p.receiveData(concat(toServer(0xc1, "\xffok"), toServer(0xc1, "\xffbad"), toServer(0xc1, "\xfflost")));
    const evs = events(p);
    expect(evs[0]).toEqual({ type: "text", data: "ok" });
    expect(errorOf(evs)).toEqual({ code: "WS_ERR_EXTENSION", closeCode: 1008 });
    expect(evs).toHaveLength(2);
    expect(sent(p)).toEqual(b("\x88\x02\x03\xf0"));
  });

  it("releases the sessions when the transport ends", () => {
    const { p, session } = serverWith();
    p.receiveEof();
    expect(session.closed).toBe(1);
  });

  it("releases the sessions when the connection fails", () => {
    const { p, session } = serverWith();
    p.receiveData(toServer(0x83, ""));
    expect(session.closed).toBe(1);
  });
});

describe("Protocol with an asynchronous extension (random microtask delays)", () => {
  const N = 40;
  const seeds = [1, 2, 3, 4, 5];

  for (const seed of seeds) {
    it(`keeps the order of outgoing messages (seed ${seed})`, async () => {
      let wakes = 0;
      const { p } = clientWith({ maxDelay: 12, seed }, { onWake: () => wakes++ });
      for (let i = 0; i < N; i++) p.sendText(`m${i}`);
      await drain();
      const want: Uint8Array[] = [];
      for (let i = 0; i < N; i++) want.push(concat(b(`\xc1${String.fromCharCode(0x80 | (1 + `m${i}`.length))}\x00\x00\x00\x00\xff`), utf8(`m${i}`)));
      expect(sent(p)).toEqual(concat(...want));
      expect(wakes).toBeGreaterThan(0);
    });

    it(`keeps the order of incoming messages, pings and the Close (seed ${seed})`, async () => {
      const { p } = serverWith({ maxDelay: 12, seed });
      const frames: Uint8Array[] = [];
      const want: ProtocolEvent[] = [];
      for (let i = 0; i < N; i++) {
        if (i % 3 === 0) {
          frames.push(toServer(0x81, `plain${i}`));
          want.push({ type: "text", data: `plain${i}` });
        } else {
          frames.push(toServer(0xc1, `\xffz${i}`));
          want.push({ type: "text", data: `z${i}` });
        }
        if (i % 7 === 0) {
          frames.push(toServer(0x89, `p${i}`));
          want.push({ type: "ping", data: utf8(`p${i}`) });
        }
      }
      frames.push(toServer(0x88, "\x03\xe8"));
      want.push({ type: "close", code: 1000, reason: "" });
      // Arrives in two chunks cut mid-frame.
      const stream = concat(...frames);
      p.receiveData(stream.slice(0, 101));
      p.receiveData(stream.slice(101));
      const got: ProtocolEvent[] = [...p.eventsReceived()];
      await drain();
      got.push(...p.eventsReceived());
      expect(got).toEqual(want);
      expect(p.error).toBeNull();
    });
  }

  it("queues a Close behind pending outgoing messages", async () => {
    const { p } = clientWith({ maxDelay: 5, seed: 9 });
    p.sendText("a");
    p.sendText("b");
    p.sendClose(1000);
    expect(p.state).toBe(ReadyState.CLOSING);
    expect(p.dataToSend()).toHaveLength(0);
    await drain();
    expect(sent(p)).toEqual(b("\xc1\x82\x00\x00\x00\x00\xffa\xc1\x82\x00\x00\x00\x00\xffb\x88\x82\x00\x00\x00\x00\x03\xe8"));
  });

  it("a server echoes a Close behind pending messages, and only then closes the transport", async () => {
    const { p } = serverWith({ maxDelay: 5, seed: 3 });
    p.sendText("last");
    p.receiveData(toServer(0x88, "\x03\xe8"));
    expect(p.eventsReceived()).toEqual([{ type: "close", code: 1000, reason: "" }]);
    expect(p.dataToSend()).toHaveLength(0);
    expect(p.closeTransport).toBe(false);
    await drain();
    expect(sent(p)).toEqual(b("\xc1\x05\xfflast\x88\x02\x03\xe8"));
    expect(p.closeTransport).toBe(true);
  });

  it("sends pongs at once, between pending messages", async () => {
    const { p } = clientWith({ maxDelay: 5, seed: 4 });
    p.sendText("slow");
    p.receiveData(b("\x89\x01!"));
    expect(sent(p)).toEqual(b("\x8a\x81\x00\x00\x00\x00!"));
    await drain();
    expect(sent(p)).toEqual(b("\xc1\x85\x00\x00\x00\x00\xffslow"));
  });

  it("fails an outgoing message with the extension's closeCode, dropping what was queued after it", async () => {
    const { p } = clientWith({ maxDelay: 5, seed: 5, failOn: "bad", closeCode: 4000 });
    p.sendText("ok");
    p.sendText("bad");
    p.sendText("after");
    await drain();
    expect(sent(p)).toEqual(b("\xc1\x83\x00\x00\x00\x00\xffok\x88\x82\x00\x00\x00\x00\x0f\xa0"));
    expect(errorOf(p.eventsReceived())).toEqual({ code: "WS_ERR_EXTENSION", closeCode: 4000 });
  });

  it("delivers the messages accepted before an incoming failure, then closes with 1011", async () => {
    const { p } = serverWith({ maxDelay: 8, seed: 6, failOn: "bad" });
    p.receiveData(concat(toServer(0xc1, "\xffone"), toServer(0x81, "two"), toServer(0xc1, "\xffbad"), toServer(0xc1, "\xffnever")));
    expect(p.eventsReceived()).toEqual([]);
    await drain();
    const evs = events(p);
    expect(evs.slice(0, 2)).toEqual([{ type: "text", data: "one" }, { type: "text", data: "two" }]);
    expect(errorOf(evs)).toEqual({ code: "WS_ERR_EXTENSION", closeCode: 1011 });
    expect(evs).toHaveLength(3);
    expect(sent(p)).toEqual(b("\x88\x02\x03\xf3"));
    expect(p.closeTransport).toBe(true);
  });

  it("delivers pending messages before a protocol violation that follows them", async () => {
    const { p } = serverWith({ maxDelay: 8, seed: 7 });
    p.receiveData(concat(toServer(0xc1, "\xffone"), toServer(0x83, "")));
    expect(p.eventsReceived()).toEqual([]);
    expect(p.dataToSend()).toHaveLength(0);
    await drain();
    const evs = events(p);
    expect(evs[0]).toEqual({ type: "text", data: "one" });
    expect(errorOf(evs)).toEqual({ code: "WS_ERR_INVALID_OPCODE", closeCode: 1002 });
    expect(sent(p)).toEqual(b("\x88\x02\x03\xea"));
  });

  it("validates plain text fragments while a compressed message is still in the extension", async () => {
    const { p } = serverWith({ maxDelay: 8, seed: 8 });
    // A compressed message goes to the extension; then a plain text message
    // starts with half a code point ("\xc3" of "\xc3\xa9").
    p.receiveData(concat(toServer(0xc1, "\xffSpam"), toServer(0x01, "\xc3")));
    await drain();
    p.receiveData(toServer(0x80, "\xa9"));
    await drain();
    expect(p.eventsReceived()).toEqual([{ type: "text", data: "Spam" }, { type: "text", data: "\u00e9" }]);
    expect(p.error).toBeNull();
  });

  it("fails a plain text message cut in the middle of a code point, with an extension", () => {
    const { p } = serverWith();
    p.receiveData(toServer(0x81, "ok\xe2\x82"));
    expect(errorOf(p.eventsReceived())).toEqual({ code: "WS_ERR_INVALID_UTF8", closeCode: 1007 });
  });

  it("a failure while its Close still waits behind messages sends the failure's Close", async () => {
    const { p } = clientWith({ maxDelay: 5, seed: 12 });
    p.sendText("slow");
    p.sendClose(1000);
    expect(p.dataToSend()).toHaveLength(0);
    p.fail(1011);
    expect(sent(p)).toEqual(b("\x88\x82\x00\x00\x00\x00\x03\xf3"));
    expect(p.closeSent).toEqual({ code: 1011, reason: "" });
    await drain();
    expect(p.dataToSend()).toHaveLength(0);
  });

  it("a failure while the Close echo still waits behind messages sends the failure's Close", async () => {
    const { p } = serverWith({ maxDelay: 5, seed: 13 });
    p.sendText("slow");
    p.receiveData(toServer(0x88, "\x03\xe8"));
    expect(p.dataToSend()).toHaveLength(0);
    p.fail(1001);
    expect(sent(p)).toEqual(b("\x88\x02\x03\xe9"));
    expect(p.closeTransport).toBe(true);
  });

  it("ignores the settling of messages dropped by a failure", async () => {
    const { p } = clientWith({ maxDelay: 5, seed: 10 });
    p.sendText("pending");
    p.fail(1001);
    expect(sent(p)).toEqual(b("\x88\x82\x00\x00\x00\x00\x03\xe9"));
    await drain();
    expect(p.dataToSend()).toHaveLength(0);
  });
});

describe("ExtensionPipeline keeps order between stages", () => {
  it("a later stage sees messages in submission order even when an earlier stage answers out of order", async () => {
    const seen: number[] = [];
    let call = 0;
    const slowFirst: ExtensionSession = {
      // The first message takes many microtask turns, the later ones none.
      processOutgoingMessage(m) {
        const turns = call++ === 0 ? 50 : 0;
        let p: Promise<ExtensionMessage> = Promise.resolve(m);
        for (let i = 0; i < turns; i++) p = p.then((x) => x);
        return p;
      },
      processIncomingMessage: (m) => m,
    };
    const recorder: ExtensionSession = {
      processOutgoingMessage(m) {
        seen.push(m.data[0]!);
        return m;
      },
      processIncomingMessage: (m) => m,
    };
    const ext = { name: "x", type: "permessage", rsv1: false, rsv2: false, rsv3: false } as unknown as Extension;
    const pipeline = new ExtensionPipeline([{ extension: ext, session: slowFirst }, { extension: ext, session: recorder }]);
    const results = [1, 2, 3, 4].map((n) =>
      pipeline.process("out", { opcode: 2, rsv1: false, rsv2: false, rsv3: false, data: new Uint8Array([n]) }));
    await Promise.all(results);
    expect(seen).toEqual([1, 2, 3, 4]);
  });
});
