/**
 * Property tests (fast-check): whatever messages one side sends and however
 * the byte stream is cut, the other side gets them unchanged; whatever bytes
 * arrive, the engine never throws and ends in events or one error.
 */
import fc from "fast-check";
import { describe, it, expect } from "../harness.ts";
import { Protocol, ReadyState, type ProtocolEvent } from "../../src/core/websocket/protocol.ts";
import { encodeFrame } from "../../src/core/websocket/frame/encoder.ts";
import { MaskSource } from "../../src/core/websocket/frame/mask-source.ts";
import { Opcode } from "../../src/core/websocket/frame/types.ts";
import { ErrorCodes } from "../../src/core/shared/errors.ts";
import { isValidUtf8, Utf8Validator } from "../../src/core/shared/utf8.ts";
import { concat, countingRandom, splitAt } from "./support/bytes.ts";

const RUNS = { numRuns: 200 };

type Message =
  | { type: "text"; data: string }
  | { type: "binary"; data: Uint8Array }
  | { type: "ping"; data: Uint8Array }
  | { type: "pong"; data: Uint8Array };

const wellFormed = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s));

const messageArb: fc.Arbitrary<Message> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "binary", maxLength: 200 }).map((data) => ({ type: "text" as const, data })) },
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 300 }).map((data) => ({ type: "binary" as const, data })) },
  { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 70_000 }).map((n) => ({ type: "binary" as const, data: new Uint8Array(n).map((_, i) => i * 7) })) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 125 }).map((data) => ({ type: "ping" as const, data })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 125 }).map((data) => ({ type: "pong" as const, data })) },
);

function send(p: Protocol, m: Message): void {
  if (m.type === "text") p.sendText(m.data);
  else if (m.type === "binary") p.sendBinary(m.data);
  else if (m.type === "ping") p.sendPing(m.data);
  else p.sendPong(m.data);
}

const expected = (ms: Message[]): ProtocolEvent[] => ms.map((m) => (m.type === "text" ? { type: "text", data: wellFormed(m.data) } : { ...m }));

/** Feeds `data` cut at `cuts` and collects every event. */
function feed(p: Protocol, data: Uint8Array, cuts: number[]): ProtocolEvent[] {
  const out: ProtocolEvent[] = [];
  for (const chunk of splitAt(data, cuts)) {
    p.receiveData(chunk);
    // As a driver does: drain until empty (a failure comes after the events before it).
    for (let evs = p.eventsReceived(); evs.length > 0; evs = p.eventsReceived()) out.push(...evs);
  }
  return out;
}

/** The stream and cut points: the cuts are fractions, scaled once the stream length is known. */
const cutsArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });
const scale = (fractions: number[], length: number) => fractions.map((f) => Math.floor(f * length));

describe("property: messages survive serialization and any re-chunking", () => {
  it("client -> server", () => {
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 12 }), cutsArb, fc.integer({ min: 0, max: 255 }), (messages, cuts, seed) => {
        const sender = new Protocol({ role: "client", random: (buf) => buf.map((_, i) => (i * 31 + seed) & 0xff) });
        for (const m of messages) send(sender, m);
        const stream = concat(...sender.dataToSend());
        const receiver = new Protocol({ role: "server" });
        expect(feed(receiver, stream, scale(cuts, stream.length))).toEqual(expected(messages));
        // Each ping was answered with the same payload.
        const pongs = messages.filter((m) => m.type === "ping").map((m) => concat(...encodeFrame(Opcode.PONG, m.data as Uint8Array)));
        expect(concat(...receiver.dataToSend())).toEqual(concat(...pongs));
        expect(receiver.error).toBeNull();
      }),
      RUNS,
    );
  });

  it("server -> client", () => {
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 12 }), cutsArb, (messages, cuts) => {
        const sender = new Protocol({ role: "server" });
        for (const m of messages) send(sender, m);
        const stream = concat(...sender.dataToSend());
        const receiver = new Protocol({ role: "client", random: countingRandom() });
        expect(feed(receiver, stream, scale(cuts, stream.length))).toEqual(expected(messages));
        expect(receiver.error).toBeNull();
      }),
      RUNS,
    );
  });

  it("any fragmentation, with control frames between fragments", () => {
    const fragmentedArb = fc.record({
      opcode: fc.constantFrom(Opcode.TEXT, Opcode.BINARY),
      text: fc.string({ unit: "binary", maxLength: 60 }),
      cuts: cutsArb,
      pings: fc.array(fc.boolean(), { maxLength: 12 }),
    });
    fc.assert(
      fc.property(fc.array(fragmentedArb, { maxLength: 6 }), cutsArb, fc.boolean(), (messages, streamCuts, toServer) => {
        const mask = toServer ? new MaskSource(countingRandom()) : null;
        const frames: Uint8Array[] = [];
        const want: ProtocolEvent[] = [];
        for (const m of messages) {
          const bytes = new TextEncoder().encode(m.text);
          // Fragments may cut code points anywhere: validation is per message.
          const parts = splitAt(bytes, scale(m.cuts, bytes.length + 1));
          parts.forEach((part, i) => {
            frames.push(...encodeFrame(i === 0 ? m.opcode : Opcode.CONTINUATION, part, i === parts.length - 1, 0, mask));
            if (m.pings[i] && i < parts.length - 1) {
              frames.push(...encodeFrame(Opcode.PING, part.subarray(0, 125), true, 0, mask));
              want.push({ type: "ping", data: part.slice(0, 125) });
            }
          });
          want.push(m.opcode === Opcode.TEXT ? { type: "text", data: wellFormed(m.text) } : { type: "binary", data: bytes });
        }
        const stream = concat(...frames);
        const receiver = toServer ? new Protocol({ role: "server" }) : new Protocol({ role: "client", random: countingRandom() });
        expect(feed(receiver, stream, scale(streamCuts, stream.length))).toEqual(want);
        expect(receiver.error).toBeNull();
      }),
      RUNS,
    );
  });
});

/** A summary of events that two runs can compare (errors by code). */
const summary = (evs: ProtocolEvent[]) => evs.map((e) => (e.type === "error" ? { type: "error", code: e.error.code, closeCode: e.error.closeCode } : e));

function checkOutcome(p: Protocol, evs: ProtocolEvent[]): void {
  const errors = evs.filter((e) => e.type === "error");
  expect(errors.length).toBeLessThanOrEqual(1);
  if (errors.length === 1) {
    const err = (errors[0] as { type: "error"; error: { code: keyof typeof ErrorCodes; closeCode: number } }).error;
    expect(evs[evs.length - 1]!.type).toBe("error");
    expect(ErrorCodes[err.code]).toBe(err.closeCode);
    expect(p.closeTransport).toBe(true);
  }
  for (const e of evs) {
    if (e.type === "text") expect(typeof e.data).toBe("string");
    else if (e.type === "binary" || e.type === "ping" || e.type === "pong") expect(e.data).toBeInstanceOf(Uint8Array);
    else if (e.type === "close") expect(e.code >= 1000 && e.code <= 4999).toBe(true);
  }
}

/** Frames with random header fields, mostly well-formed, sometimes not. */
const roughFrameArb = fc.record({
  fin: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.boolean() }),
  rsv: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 7 }) }),
  opcode: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(0, 1, 2, 8, 9, 10) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) }),
  flipMask: fc.oneof({ weight: 19, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  payload: fc.oneof(
    { weight: 3, arbitrary: fc.uint8Array({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }).map((s) => new TextEncoder().encode(s)) },
    { weight: 1, arbitrary: fc.integer({ min: 1000, max: 4999 }).map((c) => new Uint8Array([c >> 8, c & 0xff])) },
  ),
});

type RoughFrame = typeof roughFrameArb extends fc.Arbitrary<infer T> ? T : never;

/** Serializes rough frames: the header's first byte is written as drawn, unchecked. */
function roughStream(frames: RoughFrame[], role: "client" | "server"): Uint8Array {
  const parts: Uint8Array[] = [];
  const keys = new MaskSource(countingRandom());
  for (const f of frames) {
    const masked = (role === "server") !== f.flipMask;
    const [head] = encodeFrame(0, f.payload, f.fin, 0, masked ? keys : null);
    head![0] = (f.fin ? 0x80 : 0) | (f.rsv << 4) | f.opcode;
    parts.push(head!);
  }
  return concat(...parts);
}

describe("property: arbitrary input never throws", () => {
  for (const role of ["client", "server"] as const) {
    it(`random bytes in random chunks (${role})`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 400 }), cutsArb, (bytes, cuts) => {
          const p = new Protocol({ role, random: countingRandom(), maxLength: 1000 });
          const evs = feed(p, bytes.slice(), scale(cuts, bytes.length));
          checkOutcome(p, evs);
          const whole = new Protocol({ role, random: countingRandom(), maxLength: 1000 });
          expect(summary(feed(whole, bytes.slice(), []))).toEqual(summary(evs));
          p.receiveEof();
          expect(p.state).toBe(ReadyState.CLOSED);
          expect(p.closeInfo().code).toBe(p.closeReceived ? p.closeReceived.code : 1006);
        }),
        RUNS,
      );
    });

    it(`random frames, mostly valid, in random chunks (${role})`, () => {
      fc.assert(
        fc.property(fc.array(roughFrameArb, { maxLength: 10 }), cutsArb, (frames, cuts) => {
          const stream = roughStream(frames, role);
          const p = new Protocol({ role, random: countingRandom() });
          const evs = feed(p, stream.slice(), scale(cuts, stream.length));
          checkOutcome(p, evs);
          const whole = new Protocol({ role, random: countingRandom() });
          expect(summary(feed(whole, stream.slice(), []))).toEqual(summary(evs));
          expect(concat(...whole.dataToSend())).toEqual(concat(...p.dataToSend()));
        }),
        RUNS,
      );
    });
  }
});

describe("property: streaming UTF-8 validation", () => {
  const utf8ishArb = fc.oneof(
    fc.uint8Array({ maxLength: 30 }),
    fc.string({ unit: "binary", maxLength: 20 }).map((s) => new TextEncoder().encode(s)),
    // Valid text with one byte changed.
    fc.tuple(fc.string({ unit: "binary", minLength: 1, maxLength: 20 }), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([s, at, v]) => {
      const bytes = new TextEncoder().encode(s);
      bytes[at % bytes.length] = v;
      return bytes;
    }),
  );

  it("agrees with TextDecoder({fatal: true}), however the input is split", () => {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    fc.assert(
      fc.property(utf8ishArb, cutsArb, (bytes, cuts) => {
        let want = true;
        try { decoder.decode(bytes); } catch { want = false; }
        expect(isValidUtf8(bytes)).toBe(want);
        const v = new Utf8Validator();
        let ok = true;
        for (const piece of splitAt(bytes, scale(cuts, bytes.length))) ok = ok && v.write(piece);
        expect(ok && v.end()).toBe(want);
      }),
      { numRuns: 500 },
    );
  });
});
