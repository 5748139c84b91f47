/**
 * Extensions users write themselves go through the same engine as
 * permessage-deflate: a synchronous one on RSV2 (the example in
 * docs/permessage-deflate.md, kept identical to xor-extension.ts by a test
 * here) and an asynchronous one on RSV3, alone and stacked with deflate.
 */
import { readFileSync } from "node:fs";
import { describe, it, expect, until } from "../harness.ts";
import { permessageDeflate } from "../../src/runtime/node/zlib-codec.ts";
import type { ActiveExtension, Extension, ExtensionMessage, ExtensionSession } from "../../src/core/websocket/extensions/extension.ts";
import { bytes, context, drainEvents, failure, hex, negotiate, protocol } from "./helpers.ts";
import { Link } from "./link.ts";
import { xorExtension } from "./xor-extension.ts";

/** An asynchronous extension: rot13 on text, marked with RSV3. */
function rot13Extension(): Extension {
  const rot = (data: Uint8Array) =>
    data.map((c) => (c >= 65 && c <= 90 ? ((c - 52) % 26) + 65 : c >= 97 && c <= 122 ? ((c - 84) % 26) + 97 : c));
  const session = (): ExtensionSession & { generateOffer(): {}; activate(): boolean; generateResponse(): {} } => {
    // Answers after a random delay, first in first out: the engine passes a
    // stage's results on as they settle, so an extension whose answers
    // overtook each other would feed deflate's context out of order.
    let last: Promise<unknown> = Promise.resolve();
    const later = <T>(value: T): Promise<T> => {
      const next = last.then(() => new Promise<T>((r) => setTimeout(() => r(value), Math.random() * 2)));
      last = next;
      return next;
    };
    return {
      generateOffer: () => ({}),
      activate: () => true,
      generateResponse: () => ({}),
      processOutgoingMessage: (m: ExtensionMessage) => (m.opcode === 1 ? later({ ...m, rsv3: true, data: rot(m.data) }) : m),
      processIncomingMessage: (m: ExtensionMessage) => (m.rsv3 ? later({ ...m, rsv3: false, data: rot(m.data) }) : m),
    };
  };
  return {
    name: "x-rot13", type: "permessage", rsv1: false, rsv2: false, rsv3: true,
    createClientSession: session,
    createServerSession: () => session(),
  };
}

/** Negotiates each extension in turn, as the handshake does for a list. */
function negotiateAll(make: () => Extension[]): { client: ActiveExtension[]; server: ActiveExtension[] } {
  const client: ActiveExtension[] = [];
  const server: ActiveExtension[] = [];
  const clientSide = make();
  const serverSide = make();
  for (const [i, c] of clientSide.entries()) {
    const s = serverSide[i]!;
    const n = negotiate(c, s);
    if (!n.server || !n.activated) throw new Error(`${c.name} not negotiated`);
    client.push({ extension: c, session: n.client });
    server.push({ extension: s, session: n.server });
  }
  return { client, server };
}

describe("user-written extensions", () => {
  it("the x-xor example negotiates its key", () => {
    const ext = xorExtension(7);
    const client = ext.createClientSession(context())!;
    expect(client.generateOffer()).toEqual({ key: 7 });
    const server = ext.createServerSession([{ key: 300 }, { key: 7 }], context())!;
    expect(server.generateResponse()).toEqual({ key: 7 });
    expect(client.activate({ key: 7 })).toBe(true);
    expect(ext.createClientSession(context())!.activate({ key: 8 })).toBe(false);
    expect(ext.createServerSession([{ key: "x" }, { key: "7" }, {}], context())).toBeNull();
  });

  it("x-xor sets RSV2 and XORs the payload on the wire", async () => {
    const { client, server } = negotiateAll(() => [xorExtension(0x20)]);
    const c = protocol("client", client);
    c.sendText("Hi");
    // a1 = FIN + RSV2 + text; mask 00 00 00 00; "Hi" ^ 0x20 = "hI"
    expect(hex(c.dataToSend())).toBe("a1 82 00 00 00 00 68 49");
    const s = protocol("server", server);
    s.receiveData(bytes("a1 82 00 00 00 00 68 49"));
    expect(s.eventsReceived()).toEqual([{ type: "text", data: "Hi" }]);
  });

  it("RSV2 without x-xor negotiated is still a protocol error (1002)", async () => {
    const p = protocol("server", []);
    p.receiveData(bytes("a1 82 00 00 00 00 68 49"));
    expect(await failure(p)).toEqual({ closeCode: 1002, code: "WS_ERR_UNEXPECTED_RSV_2" });
  });

  it("an extension that throws fails the connection with its closeCode, else 1011", async () => {
    const broken = (closeCode?: number): ActiveExtension[] => {
      const e = xorExtension();
      const session = e.createServerSession([{ key: 1 }], context())!;
      session.processIncomingMessage = () => { throw Object.assign(new Error("nope"), closeCode ? { closeCode } : {}); };
      return [{ extension: e, session }];
    };
    const a = protocol("server", broken(4001));
    a.receiveData(bytes("a1 80 00 00 00 00"));
    expect(await failure(a)).toEqual({ closeCode: 4001, code: "WS_ERR_EXTENSION" });
    const b = protocol("server", broken());
    b.receiveData(bytes("a1 80 00 00 00 00"));
    expect(await failure(b)).toEqual({ closeCode: 1011, code: "WS_ERR_EXTENSION" });
  });

  for (const [name, make] of [
    ["x-xor alone", () => [xorExtension()]],
    ["x-rot13 (asynchronous) alone", () => [rot13Extension()]],
    ["permessage-deflate, x-xor and x-rot13 stacked", () => [permessageDeflate({ threshold: 0 }), xorExtension(), rot13Extension()]],
  ] as [string, () => Extension[]][]) {
    it(`${name}: messages both ways, in order`, async () => {
      const { client, server } = negotiateAll(make);
      const link = new Link({ client, server });
      const texts = Array.from({ length: 200 }, (_, i) => `Message ${i}: Hello, World! ${"abc".repeat(i % 20)}`);
      for (const [i, t] of texts.entries()) {
        link.client.sendText(t);
        link.server.sendBinary(new Uint8Array([i, 255 - i]));
        if (i % 10 === 0) link.client.sendPing();
      }
      link.pump();
      const data = (events: typeof link.serverEvents) => events.filter((e) => e.type === "text" || e.type === "binary");
      await until(() => data(link.serverEvents).length === texts.length && data(link.clientEvents).length === texts.length, 10_000, "messages");
      expect(data(link.serverEvents)).toEqual(texts.map((t) => ({ type: "text", data: t })));
      expect(data(link.clientEvents)).toEqual(texts.map((_, i) => ({ type: "binary", data: new Uint8Array([i, 255 - i]) })));
      for (const a of [...client, ...server]) a.session.close?.();
    });
  }

  it("docs/permessage-deflate.md shows x-xor exactly as tested", () => {
    const doc = readFileSync(new URL("../../docs/permessage-deflate.md", import.meta.url), "utf8");
    const source = readFileSync(new URL("./xor-extension.ts", import.meta.url), "utf8");
    const block = /<!-- example: xor-extension -->\s*```ts\n([\s\S]*?)```/.exec(doc);
    expect(block).not.toBeNull();
    // The docs import from the package; the test file from the source tree.
    const expected = source.replace('"../../src/core/websocket/extensions/extension.ts"', '"omnisocket"');
    expect(block![1]).toBe(expected);
  });

  it("a stacked pipeline still decodes a frame from the wire by hand", async () => {
    const { client } = negotiateAll(() => [permessageDeflate({ threshold: 0 }), xorExtension(0)]);
    const p = protocol("client", client);
    // RSV1 + RSV2, deflated "Hello" XOR 0 (identity): e1 = FIN + RSV1 + RSV2 + text
    p.receiveData(bytes("e1 07 f2 48 cd c9 c9 07 00"));
    expect(await drainEvents(p, 1)).toEqual([{ type: "text", data: "Hello" }]);
  });
});
