/**
 * Pub/sub's sans-I/O core: the topic registry (both directions, first and
 * last subscriber), frame once (one serialization, the same bytes handed to
 * every engine), and Protocol.sendShared (in order with the other sends,
 * refused where shared bytes cannot go: a client's masked frames, an
 * extension, a connection that is no longer open).
 */
import { describe, it, expect } from "../harness.ts";
import { TopicRegistry } from "../../src/core/pubsub/topics.ts";
import { encodeShared, framingCount } from "../../src/core/pubsub/shared-frame.ts";
import { SharedMessage } from "../../src/core/pubsub/shared-message.ts";
import { Protocol } from "../../src/core/websocket/protocol.ts";
import { encodeFrame, encodeTextFrame } from "../../src/core/websocket/frame/encoder.ts";
import { toy } from "./support/test-extension.ts";
import { concat, fixedKey } from "./support/bytes.ts";

const bytesOf = (chunks: readonly Uint8Array[]) => concat(...chunks);

describe("TopicRegistry", () => {
  it("subscribes both ways and reports the first and last subscriber of a topic", () => {
    const reg = new TopicRegistry<object>();
    const a = {}, b = {};
    expect(reg.subscribe(a, "room")).toEqual({ added: true, first: true });
    expect(reg.subscribe(b, "room")).toEqual({ added: true, first: false });
    expect(reg.subscribe(a, "room")).toEqual({ added: false, first: false });
    reg.subscribe(a, "news");
    expect(reg.isSubscribed(a, "news")).toBe(true);
    expect(reg.isSubscribed(b, "news")).toBe(false);
    expect(reg.subscriptions(a)).toEqual(["room", "news"]);
    expect([...reg.subscribers("room")]).toEqual([a, b]);
    expect(reg.unsubscribe(a, "room")).toEqual({ removed: true, last: false });
    expect(reg.unsubscribe(a, "room")).toEqual({ removed: false, last: false });
    expect(reg.unsubscribe(b, "room")).toEqual({ removed: true, last: true });
    expect(reg.topics()).toEqual(["news"]);
  });

  it("unsubscribeAll leaves every topic and names those left empty", () => {
    const reg = new TopicRegistry<object>();
    const a = {}, b = {};
    reg.subscribe(a, "x");
    reg.subscribe(a, "y");
    reg.subscribe(b, "y");
    expect(reg.unsubscribeAll(a)).toEqual(["x"]);
    expect(reg.subscriptions(a)).toEqual([]);
    expect(reg.subscriberCount("y")).toBe(1);
    expect(reg.unsubscribeAll(a)).toEqual([]);
  });
});

describe("frame once", () => {
  it("serializes the same bytes as a server's own send, text and binary, small and large", () => {
    for (const text of ["hi", "é".repeat(200), "x".repeat(70_000)]) {
      const shared = encodeShared(text);
      expect(bytesOf(shared.chunks)).toEqual(bytesOf(encodeTextFrame(text)));
      expect(shared.payloadLength).toBe(new TextEncoder().encode(text).length);
      expect(shared.opcode).toBe(1);
    }
    for (const size of [0, 125, 126, 65_536, 200_000]) {
      const data = new Uint8Array(size).fill(7);
      const shared = encodeShared(data);
      expect(bytesOf(shared.chunks)).toEqual(bytesOf(encodeFrame(2, data)));
      expect(shared.payloadLength).toBe(size);
    }
  });

  it("hands the very same chunks to 1,000 engines: one framing, no copy per connection", () => {
    const engines = Array.from({ length: 1000 }, () => new Protocol({ role: "server" }));
    const before = framingCount();
    const message = new SharedMessage("to everyone");
    for (const p of engines) expect(p.sendShared(message)).toBe(true);
    expect(framingCount() - before).toBe(1);
    expect(message.framings).toBe(1);
    const frame = message.plain();
    for (const p of engines) {
      const out = p.dataToSend();
      expect(out.length).toBe(1);
      // The same memory, not equal copies.
      expect(out[0]!.buffer).toBe(frame.chunks[0]!.buffer);
      expect(out[0]!.byteOffset).toBe(frame.chunks[0]!.byteOffset);
    }
  });

  it("keeps a shared frame in order with the connection's own sends and control frames", () => {
    const p = new Protocol({ role: "server" });
    p.sendText("one");
    p.sendShared(new SharedMessage("two"));
    p.sendBinary(new Uint8Array([3]));
    p.sendClose(1000);
    expect(bytesOf(p.dataToSend())).toEqual(concat(
      ...encodeTextFrame("one"), ...encodeTextFrame("two"), ...encodeFrame(2, new Uint8Array([3])),
      new Uint8Array([0x88, 2, 0x03, 0xe8]),
    ));
  });

  it("is refused where shared bytes cannot go: a client (masked), an extension with no sharedOutgoing; throws once closing", () => {
    const message = new SharedMessage("x");
    const client = new Protocol({ role: "client", random: fixedKey() });
    expect(client.sendShared(message)).toBe(false);
    const extended = new Protocol({ role: "server", extensions: [toy({})] });
    expect(extended.sendShared(message)).toBe(false);
    expect(extended.dataToSend()).toEqual([]);
    expect(message.framings).toBe(0);
    const closing = new Protocol({ role: "server" });
    closing.sendClose(1000);
    expect(() => closing.sendShared(message)).toThrow({ code: "WS_ERR_INVALID_STATE" });
  });
});
