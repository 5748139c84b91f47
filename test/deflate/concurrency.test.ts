/**
 * zlib jobs are bounded across connections (concurrencyLimit, one shared
 * limiter as in ws), one context never runs two jobs at once, order holds,
 * and closing a session frees its slots even when its codec never answers.
 * The codec here is instrumented and "compresses" by identity (payload +
 * 00 00 ff ff), so only the scheduling is under test.
 */
import { describe, it, expect, until } from "../harness.ts";
import { createPermessageDeflate } from "../../src/core/websocket/extensions/permessage-deflate/extension.ts";
import type { DeflateCodec, Deflater, Inflater } from "../../src/core/websocket/extensions/permessage-deflate/codec.ts";
import type { ExtensionMessage } from "../../src/core/websocket/extensions/extension.ts";
import { JobLimiter, sharedLimiter } from "../../src/core/websocket/extensions/permessage-deflate/job-limiter.ts";
import { concat, negotiate, serverSession } from "./helpers.ts";
import { Link } from "./link.ts";

const TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);

interface Stats {
  inFlight: number;
  maxInFlight: number;
  jobs: number;
  overlaps: number;
}

/** An identity codec whose jobs take a few milliseconds; `hold` keeps them pending. */
function instrumentedCodec(stats: Stats, options: { sync?: boolean; hold?: boolean } = {}): DeflateCodec {
  function job<T>(result: () => T): T | Promise<T> {
    if (options.sync) {
      stats.jobs++;
      return result();
    }
    stats.inFlight++;
    stats.jobs++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    return new Promise<T>((resolve) => {
      if (options.hold) return; // never settles
      setTimeout(() => {
        stats.inFlight--;
        resolve(result());
      }, Math.random() * 3);
    });
  }
  // Counts a call that starts while the same context still runs one.
  const guard = <A extends unknown[], R>(busy: { on: boolean }, fn: (...a: A) => R | Promise<R>) =>
    (...args: A): R | Promise<R> => {
      if (busy.on) stats.overlaps++;
      busy.on = true;
      const r = fn(...args);
      if (r instanceof Promise) return r.finally(() => { busy.on = false; });
      busy.on = false;
      return r;
    };
  return {
    createDeflater(): Deflater {
      const busy = { on: false };
      return { deflate: guard(busy, (data: Uint8Array) => job(() => concat([data, TAIL]))), reset() {}, close() {} };
    },
    createInflater(): Inflater {
      const busy = { on: false };
      return { inflate: guard(busy, (chunks: readonly Uint8Array[]) => job(() => concat([...chunks]).subarray(0, -4))), reset() {}, close() {} };
    },
  };
}

const newStats = (): Stats => ({ inFlight: 0, maxInFlight: 0, jobs: 0, overlaps: 0 });
const msg = (data: Uint8Array, rsv1 = false): ExtensionMessage => ({ opcode: 2, rsv1, rsv2: false, rsv3: false, data });

describe("permessage-deflate: concurrency", () => {
  it("concurrencyLimit 2: never more than 2 jobs in flight across 12 connections, all in order", async () => {
    const stats = newStats();
    const limiter = new JobLimiter(2);
    const extension = createPermessageDeflate({ codec: instrumentedCodec(stats), limiter, threshold: 0 });
    const links = Array.from({ length: 12 }, () => {
      const n = negotiate(extension, extension);
      return new Link({
        client: [{ extension, session: n.client }],
        server: [{ extension, session: n.server! }],
      });
    });
    const perLink = 25;
    for (const [l, link] of links.entries()) {
      for (let i = 0; i < perLink; i++) {
        link.client.sendText(`c${l}:${i}`);
        link.server.sendBinary(new Uint8Array([l, i]));
      }
      link.pump();
    }
    await until(() => links.every((k) => k.serverEvents.length === perLink && k.clientEvents.length === perLink), 20_000, "messages");
    expect(stats.maxInFlight).toBe(2);
    expect(stats.overlaps).toBe(0);
    // Each message was deflated by one end and inflated by the other.
    expect(stats.jobs).toBe(12 * perLink * 2 * 2);
    for (const [l, link] of links.entries()) {
      expect(link.serverEvents).toEqual(Array.from({ length: perLink }, (_, i) => ({ type: "text", data: `c${l}:${i}` })));
      expect(link.clientEvents).toEqual(Array.from({ length: perLink }, (_, i) => ({ type: "binary", data: new Uint8Array([l, i]) })));
    }
    expect(limiter.running).toBe(0);
    expect(limiter.pending).toBe(0);
  });

  it("extensions made with the same concurrencyLimit share one limiter", async () => {
    const stats = newStats();
    const codec = instrumentedCodec(stats);
    // A limit no other suite uses, so the shared limiter is ours alone.
    const extensions = Array.from({ length: 6 }, () => createPermessageDeflate({ codec, concurrencyLimit: 3, threshold: 0 }));
    expect(sharedLimiter(3)).toBe(sharedLimiter(3));
    const sessions = extensions.map((e) => serverSession(e));
    const results = sessions.flatMap((s) => Array.from({ length: 10 }, (_, i) => s.processOutgoingMessage(msg(new Uint8Array([i])))));
    const out = await Promise.all(results);
    expect(out.length).toBe(60);
    expect(stats.maxInFlight).toBe(3);
  });

  it("a synchronous codec answers synchronously: no promise per message", () => {
    const stats = newStats();
    const extension = createPermessageDeflate({ codec: instrumentedCodec(stats, { sync: true }), limiter: new JobLimiter(1), threshold: 0 });
    const session = serverSession(extension);
    const out = session.processOutgoingMessage(msg(new Uint8Array([1, 2, 3])));
    expect(out instanceof Promise).toBe(false);
    expect(out).toEqual({ opcode: 2, rsv1: true, rsv2: false, rsv3: false, data: new Uint8Array([1, 2, 3]) });
    const back = session.processIncomingMessage(out as ExtensionMessage);
    expect(back).toEqual(msg(new Uint8Array([1, 2, 3])));
  });

  it("closing a session whose codec never answers frees its slot for other connections", async () => {
    const held = newStats();
    const limiter = new JobLimiter(1);
    const stuck = serverSession(createPermessageDeflate({ codec: instrumentedCodec(held, { hold: true }), limiter, threshold: 0 }));
    const first = Promise.resolve(stuck.processOutgoingMessage(msg(new Uint8Array([1]))));
    const queued = Promise.resolve(stuck.processOutgoingMessage(msg(new Uint8Array([2]))));
    const stats = newStats();
    const other = serverSession(createPermessageDeflate({ codec: instrumentedCodec(stats), limiter, threshold: 0 }));
    let otherDone = false;
    const third = Promise.resolve(other.processOutgoingMessage(msg(new Uint8Array([3])))).then((m) => { otherDone = true; return m; });
    // The other session's job is queued behind the slot the stuck one holds.
    await until(() => limiter.running === 1 && limiter.pending === 1, 10_000, "a queued job");
    await Promise.resolve();
    expect(otherDone).toBe(false);
    expect(limiter.running).toBe(1);
    expect(limiter.pending).toBe(1);
    stuck.close!();
    await expect(first).rejects.toThrow({ code: "WS_ERR_INVALID_STATE" });
    await expect(queued).rejects.toThrow({ code: "WS_ERR_INVALID_STATE" });
    expect((await third).data).toEqual(new Uint8Array([3]));
    expect(held.jobs).toBe(1); // the queued job never started
    expect(limiter.running).toBe(0);
    other.close!();
  });

  it("a closed session refuses work, and messages it need not touch pass", () => {
    const extension = createPermessageDeflate({ codec: instrumentedCodec(newStats()), threshold: 10 });
    const session = serverSession(extension);
    session.close!();
    expect(() => session.processOutgoingMessage(msg(new Uint8Array(20)))).toThrow({ code: "WS_ERR_INVALID_STATE" });
    expect(() => session.processIncomingMessage(msg(new Uint8Array(2), true))).toThrow({ code: "WS_ERR_INVALID_STATE" });
    expect(session.processOutgoingMessage(msg(new Uint8Array(2)))).toEqual(msg(new Uint8Array(2)));
  });

  it("JobLimiter serves waiters in order and survives jobs that finish synchronously", () => {
    const limiter = new JobLimiter(1);
    const order: number[] = [];
    expect(limiter.tryAcquire()).toBe(true);
    for (let i = 0; i < 5000; i++) limiter.wait(() => { order.push(i); limiter.release(); });
    expect(limiter.pending).toBe(5000);
    limiter.release(); // a deep chain of synchronous jobs: no recursion
    expect(order.length).toBe(5000);
    expect(order[4999]).toBe(4999);
    expect(limiter.running).toBe(0);
  });
});
