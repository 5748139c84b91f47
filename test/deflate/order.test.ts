/**
 * Order under load: 10,000 messages from a client Protocol to a server
 * Protocol, both with permessage-deflate on node:zlib (asynchronous), mixed
 * with pings, with every 7th message split in flight into three fragments
 * with pings between them; the server echoes each message back the same way.
 * Everything arrives once and in order, both ways.
 */
import { describe, it, expect, until } from "../harness.ts";
import { permessageDeflate } from "../../src/runtime/node/zlib-codec.ts";
import type { ProtocolEvent } from "../../src/core/websocket/protocol.ts";
import { negotiate } from "./helpers.ts";
import { fragmenter, Link } from "./link.ts";

const COUNT = 10_000;

/** Message i: text or binary, below or above the threshold, sometimes compress: false. */
function message(i: number): { text?: string; binary?: Uint8Array; compress: boolean } {
  const compress = i % 11 !== 0;
  const size = i % 5 === 0 ? 3000 + (i % 300) : 20 + (i % 50);
  if (i % 3 === 0) {
    const binary = new Uint8Array(size);
    for (let k = 0; k < size; k++) binary[k] = (i + (k % 17)) & 0xff;
    return { binary, compress };
  }
  const head = `#${i}:`;
  return { text: (head + "lorem ipsum dolor ").repeat(Math.ceil(size / 22)).slice(0, size) + "ü", compress };
}

function same(event: ProtocolEvent, i: number): boolean {
  const m = message(i);
  if (m.text !== undefined) return event.type === "text" && event.data === m.text;
  if (event.type !== "binary" || event.data.length !== m.binary!.length) return false;
  for (let k = 0; k < event.data.length; k++) if (event.data[k] !== m.binary![k]) return false;
  return true;
}

describe("permessage-deflate: order under load", () => {
  it("10,000 messages with pings and fragmented compressed messages arrive in order, both ways", async () => {
    const clientExt = permessageDeflate({ threshold: 64 });
    const serverExt = permessageDeflate({ threshold: 64 });
    const n = negotiate(clientExt, serverExt);
    expect(n.activated).toBe(true);
    const toServer = fragmenter(7);
    const toClient = fragmenter(7);
    let echoed = 0;
    const link: Link = new Link({
      client: [{ extension: clientExt, session: n.client }],
      server: [{ extension: serverExt, session: n.server! }],
      toServer,
      toClient,
      onServerEvent: (e) => {
        // Echo each message back as it arrives, compressed or not as sent.
        if (e.type === "text") link.server.sendText(e.data, { compress: message(echoed++).compress });
        else if (e.type === "binary") link.server.sendBinary(e.data, { compress: message(echoed++).compress });
      },
    });

    let pingsSent = 0;
    for (let i = 0; i < COUNT; i++) {
      const m = message(i);
      if (m.text !== undefined) link.client.sendText(m.text, { compress: m.compress });
      else link.client.sendBinary(m.binary!, { compress: m.compress });
      if (i % 13 === 0) {
        link.client.sendPing(new Uint8Array([i & 0xff]));
        pingsSent++;
      }
      // Let bytes flow now and then, so sending and receiving overlap.
      if (i % 500 === 0) {
        link.pump();
        await new Promise((r) => setTimeout(r, 0));
      }
    }
    link.pump();
    const data = (events: ProtocolEvent[]) => events.filter((e) => e.type === "text" || e.type === "binary");
    await until(() => data(link.clientEvents).length === COUNT, 60_000, "echoes");

    const atServer = data(link.serverEvents);
    const atClient = data(link.clientEvents);
    expect(atServer.length).toBe(COUNT);
    expect(atClient.length).toBe(COUNT);
    for (let i = 0; i < COUNT; i++) {
      if (!same(atServer[i]!, i)) throw new Error(`server got message ${i} wrong or out of order: ${JSON.stringify(atServer[i]).slice(0, 80)}`);
      if (!same(atClient[i]!, i)) throw new Error(`client got echo ${i} wrong or out of order: ${JSON.stringify(atClient[i]).slice(0, 80)}`);
    }
    // Pings: the client's own, plus those the relay slipped between fragments.
    const serverPings = link.serverEvents.filter((e) => e.type === "ping").length;
    expect(serverPings).toBe(pingsSent + toServer.pings);
    expect(link.clientEvents.filter((e) => e.type === "ping").length).toBe(toClient.pings);
    // Every ping was answered: pongs arrive at the side that pinged.
    await until(() => link.clientEvents.filter((e) => e.type === "pong").length === serverPings, 10_000, "pongs");
    expect(link.serverEvents.filter((e) => e.type === "pong").length).toBe(toClient.pings);
    expect(toServer.pings).toBeGreaterThan(2000);
    expect(link.client.error).toBeNull();
    expect(link.server.error).toBeNull();

    link.client.sendClose(1000, "done");
    link.pump();
    await until(() => link.client.closeReceived !== null, 10_000, "close");
    // The server echoes the status code (RFC 6455 section 5.5.1), not the reason.
    expect(link.client.closeInfo()).toEqual({ code: 1000, reason: "", wasClean: true });
    expect(link.serverEvents.at(-1)).toEqual({ type: "close", code: 1000, reason: "done" });
    n.client.close?.();
    n.server?.close?.();
  }, 120_000);
});
