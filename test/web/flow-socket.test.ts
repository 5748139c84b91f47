/**
 * FlowSocket: pausing a face's reading reaches the runtime socket (pause(),
 * then attach() to resume, as the ByteSocket port defines), and a write the
 * runtime could not take without buffering is remembered until its drain.
 */
import { describe, expect, it } from "../harness.ts";
import { FlowSocket } from "../../src/web/transport/flow-socket.ts";
import type { ByteSocket, ByteSocketHandler } from "../../src/web/transport/byte-socket.ts";

class FakeSocket implements ByteSocket {
  calls: string[] = [];
  handler: ByteSocketHandler | null = null;
  accept = true;
  attach(handler: ByteSocketHandler): void { this.handler = handler; this.calls.push("attach"); }
  pause(): void { this.calls.push("pause"); }
  write(chunks: readonly Uint8Array[]): boolean { this.calls.push(`write ${chunks.length}`); return this.accept; }
  end(): void { this.calls.push("end"); }
  destroy(): void { this.calls.push("destroy"); }
  bufferedAmount = 0;
}

function recorder(): ByteSocketHandler & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    onData: (chunk) => seen.push(`data ${chunk.length}`),
    onEnd: () => seen.push("end"),
    onClose: () => seen.push("close"),
    onDrain: () => seen.push("drain"),
  };
}

describe("FlowSocket", () => {
  it("pauses and resumes the runtime socket's reading", () => {
    const inner = new FakeSocket();
    const flow = new FlowSocket(inner);
    const handler = recorder();
    flow.attach(handler);
    flow.pauseReading();
    expect(flow.paused).toBe(true);
    flow.resumeReading();
    flow.resumeReading(); // not paused: nothing more
    expect(inner.calls).toEqual(["attach", "pause", "attach"]);
    inner.handler!.onData(new Uint8Array(3));
    expect(handler.seen).toEqual(["data 3"]);
  });

  it("paused before the engine attaches, it starts paused", () => {
    const inner = new FakeSocket();
    const flow = new FlowSocket(inner);
    flow.pauseReading();
    expect(inner.calls).toEqual([]);
    flow.attach(recorder());
    expect(inner.calls).toEqual(["attach", "pause"]);
  });

  it("is blocked from a refused write until the drain", () => {
    const inner = new FakeSocket();
    const flow = new FlowSocket(inner);
    const handler = recorder();
    flow.attach(handler);
    expect(flow.write([new Uint8Array(1)])).toBe(true);
    expect(flow.blocked).toBe(false);
    inner.accept = false;
    expect(flow.write([new Uint8Array(1), new Uint8Array(2)])).toBe(false);
    expect(flow.blocked).toBe(true);
    inner.handler!.onDrain();
    expect(flow.blocked).toBe(false);
    expect(handler.seen).toEqual(["drain"]);
  });
});
