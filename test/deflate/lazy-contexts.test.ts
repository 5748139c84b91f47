/**
 * zlib contexts are lazy (docs/permessage-deflate.md, "Memory and safety"):
 * agreeing on permessage-deflate makes no compressor or decompressor; each
 * is made when the first message that needs it is compressed or arrives
 * compressed, once per connection, and closed when the session closes.
 */
import { describe, it, expect, until } from "../harness.ts";
import { createPermessageDeflate } from "../../src/core/websocket/extensions/permessage-deflate/extension.ts";
import type { DeflateCodec } from "../../src/core/websocket/extensions/permessage-deflate/codec.ts";
import { JobLimiter } from "../../src/core/websocket/extensions/permessage-deflate/job-limiter.ts";
import { concat, negotiate } from "./helpers.ts";
import { Link } from "./link.ts";

const TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);

/** An identity "compressor" (payload + 00 00 ff ff) that counts the contexts made and closed. */
function countingCodec(counts: { deflaters: number; inflaters: number; closed: number }): DeflateCodec {
  return {
    createDeflater() {
      counts.deflaters++;
      return { deflate: (data: Uint8Array) => concat([data, TAIL]), reset() {}, close() { counts.closed++; } };
    },
    createInflater() {
      counts.inflaters++;
      return { inflate: (chunks: readonly Uint8Array[]) => concat([...chunks]).subarray(0, -4), reset() {}, close() { counts.closed++; } };
    },
  };
}

describe("permessage-deflate: zlib contexts are lazy", () => {
  it("none while only messages under the threshold pass; one each way at the first compressed message; closed with the session", async () => {
    const counts = { deflaters: 0, inflaters: 0, closed: 0 };
    const extension = createPermessageDeflate({ codec: countingCodec(counts), limiter: new JobLimiter(4), threshold: 8 });
    const n = negotiate(extension, extension);
    const link = new Link({ client: [{ extension, session: n.client }], server: [{ extension, session: n.server! }] });
    link.client.sendText("short");
    link.server.sendText("tiny");
    link.pump();
    await until(() => link.serverEvents.length === 1 && link.clientEvents.length === 1, 5_000, "small messages");
    expect(counts).toEqual({ deflaters: 0, inflaters: 0, closed: 0 });

    for (let i = 0; i < 3; i++) {
      link.client.sendText(`a message over the threshold, number ${i}`);
      link.pump();
    }
    await until(() => link.serverEvents.length === 4, 5_000, "compressed messages");
    expect(link.serverEvents[3]).toEqual({ type: "text", data: "a message over the threshold, number 2" });
    // The client compressed, the server inflated: one context each, made once.
    expect(counts).toEqual({ deflaters: 1, inflaters: 1, closed: 0 });

    n.client.close?.();
    n.server!.close?.();
    expect(counts.closed).toBe(2);
  });
});
