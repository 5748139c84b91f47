/**
 * One API on every runtime: the entry a runtime resolves "omnisocket" to
 * (package.json's node / deno / bun conditions, JSR's ".") exports the same
 * shared classes, so code that imports WebSocket, EventSource,
 * EventSourceStream or permessageDeflate runs unchanged on Node, Deno and Bun.
 */
import { describe, expect, it, runtime } from "../harness.ts";
import { bun, deno, ENTRY_PATH } from "../entry.ts";
import { getConnector } from "../../src/web/transport/runtime.ts";

// test/entry.ts's path to the runtime's entry, from this folder.
const ENTRY = "../" + ENTRY_PATH;

/** What every runtime entry exports, by the kind of value it is. */
const SHARED: Record<string, "function" | "object"> = {
  WebSocket: "function",
  CloseEvent: "function",
  ErrorEvent: "function",
  MessageEvent: "function",
  WebSocketError: "function",
  ProxyError: "function",
  ErrorCodes: "object",
  CloseCode: "object",
  permessageDeflate: "function",
  EventSource: "function",
  EventSourceErrorEvent: "function",
  EventSourceStream: "function",
  WebSocketStream: "function",
  SseParser: "function",
  encodeEvent: "function",
  PubSub: "function",
  BroadcastChannelBackplane: "function",
  RedisBackplane: "function",
  ClusterBackplane: "function",
  relayClusterPubSub: "function",
};

describe(`the ${runtime} entry`, () => {
  it("exports the shared API", async () => {
    const entry = (await import(ENTRY)) as Record<string, unknown>;
    const kinds = Object.fromEntries(Object.keys(SHARED).map((name) => [name, typeof entry[name]]));
    expect(kinds).toEqual(SHARED);
  });

  it("registers the runtime's own connector (node:net, Deno.connect, Bun.connect)", async () => {
    const own = deno?.denoConnector ?? bun?.bunConnector ?? (await import("../../src/runtime/node/connect.ts")).nodeConnector;
    expect(getConnector()).toBe(own);
  });

  it("permessageDeflate() builds the extension users pass in extensions: [...]", async () => {
    const { permessageDeflate } = (await import(ENTRY)) as { permessageDeflate: (o?: object) => { name: string; type: string } };
    const extension = permessageDeflate({ serverMaxWindowBits: 10 });
    expect(extension.name).toBe("permessage-deflate");
    expect(extension.type).toBe("permessage");
  });

  it("EventSourceStream answers a fetch-style request with an event stream", async () => {
    const { EventSourceStream } = (await import(ENTRY)) as {
      EventSourceStream: new (request: Request, options?: object) => {
        response: Response;
        send(data: string, options?: { event?: string; id?: string }): boolean;
        close(): void;
      };
    };
    const request = new Request("http://127.0.0.1/events", { headers: { Accept: "text/event-stream" } });
    const es = new EventSourceStream(request, { retry: 2, ping: 0 });
    es.send("one\ntwo", { event: "note", id: "7" });
    es.close();
    expect(es.response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(await es.response.text()).toBe("retry: 2000\nevent: note\nid: 7\ndata: one\ndata: two\n\n");
  });
});
