/**
 * Pub/sub over permessage-deflate (core/pubsub/shared-message.ts and
 * Protocol.sendShared): a publish is compressed once for every connection
 * whose agreement has server_no_context_takeover with the same window,
 * once more per other window size, and never for connections with context
 * takeover (they compress it themselves); below the threshold or with
 * compress: false, deflate connections take the plain shared frame. The
 * compressed frame keeps its place in each connection's queue while zlib
 * works, and every client inflates it.
 */
import { describe, expect, it } from "../harness.ts";
import { permessageDeflate } from "../../src/runtime/node/zlib-codec.ts";
import { Protocol, type ProtocolEvent } from "../../src/core/websocket/protocol.ts";
import { SharedMessage } from "../../src/core/pubsub/shared-message.ts";
import type { ExtensionParams } from "../../src/core/websocket/extensions/extension.ts";
import { negotiate, zeroMask } from "./helpers.ts";

const serverExt = permessageDeflate({ threshold: 16 });
const clientExt = (params: Partial<Record<string, boolean | number>>) => permessageDeflate(params);

interface Pair {
  server: Protocol;
  client: Protocol;
}

/** A server and client Protocol over one negotiated permessage-deflate agreement. */
function pair(clientOptions: Parameters<typeof permessageDeflate>[0]): Pair {
  const clientExtension = clientExt(clientOptions as never);
  const n = negotiate(clientExtension, serverExt);
  if (!n.server || !n.activated) throw new Error("not negotiated");
  return {
    server: new Protocol({ role: "server", extensions: [{ extension: serverExt, session: n.server }] }),
    client: new Protocol({ role: "client", random: zeroMask, extensions: [{ extension: clientExtension, session: n.client }] }),
  };
}

async function delivered(p: Pair, count: number): Promise<ProtocolEvent[]> {
  const events: ProtocolEvent[] = [];
  const started = Date.now();
  while (events.length < count) {
    for (const chunk of p.server.dataToSend()) p.client.receiveData(chunk.slice());
    events.push(...p.client.eventsReceived());
    if (Date.now() - started > 10_000) throw new Error(`timed out with ${JSON.stringify(events)}`);
    await new Promise((r) => setTimeout(r, 1));
  }
  return events;
}

const text = "a message long enough to be compressed, ".repeat(20);

describe("pub/sub with permessage-deflate", () => {
  it("compresses once for every no-context-takeover agreement of one window size; context takeover compresses itself", async () => {
    const shared = Array.from({ length: 5 }, () => pair({ serverNoContextTakeover: true }));
    const smallWindow = Array.from({ length: 2 }, () => pair({ serverNoContextTakeover: true, serverMaxWindowBits: 10 }));
    const takeover = pair({});
    const message = new SharedMessage(text);
    for (const p of [...shared, ...smallWindow]) expect(p.server.sendShared(message)).toBe(true);
    expect(takeover.server.sendShared(message)).toBe(false);
    // One compression per window size, whatever the number of connections.
    expect(message.transforms).toBe(2);
    expect(message.framings).toBe(2);
    for (const p of [...shared, ...smallWindow]) {
      const [event] = await delivered(p, 1);
      expect(event).toEqual({ type: "text", data: text });
    }
  });

  it("the same compressed bytes reach every connection of one agreement", async () => {
    const pairs = Array.from({ length: 3 }, () => pair({ serverNoContextTakeover: true }));
    const message = new SharedMessage(new Uint8Array(4096).fill(65));
    for (const p of pairs) p.server.sendShared(message);
    await new Promise((r) => setTimeout(r, 50));
    const outputs = pairs.map((p) => p.server.dataToSend());
    for (const out of outputs) {
      expect(out.length).toBe(1);
      expect(out[0]!.buffer).toBe(outputs[0]![0]!.buffer);
      expect(out[0]![0]).toBe(0xc2); // FIN, RSV1 (compressed), binary
    }
    expect(message.framings).toBe(1);
  });

  it("below the threshold, or with compress: false, deflate connections take the plain frame", async () => {
    const takeover = pair({});
    const small = new SharedMessage("tiny");
    expect(takeover.server.sendShared(small)).toBe(true);
    const uncompressed = new SharedMessage(text, false);
    expect(takeover.server.sendShared(uncompressed)).toBe(true);
    expect(small.transforms + uncompressed.transforms).toBe(0);
    const events = await delivered(takeover, 2);
    expect(events).toEqual([{ type: "text", data: "tiny" }, { type: "text", data: text }]);
  });

  it("keeps its place in the queue while zlib works: before, shared, after arrive in order", async () => {
    const p = pair({ serverNoContextTakeover: true });
    p.server.sendText(`before ${text}`);
    p.server.sendShared(new SharedMessage(`shared ${text}`));
    p.server.sendText("after");
    p.server.sendText(`after too ${text}`);
    const events = await delivered(p, 4);
    expect(events.map((e) => (e as { data: string }).data.split(" ")[0])).toEqual(["before", "shared", "after", "after"]);
  });

  it("keeps what a client offer leaves open: context takeover is the default, so no sharing without the parameter", () => {
    const offers: ExtensionParams[] = [{}];
    const session = serverExt.createServerSession(offers, { maxLength: 1 << 20 })!;
    expect(session.sharedOutgoing!(1000, undefined)).toBe(null);
    expect(session.sharedOutgoing!(1, undefined)).toBe("as-is");
  });
});
