/**
 * What only Deno has: the Deno.serve integration's options (upgrade():
 * Deno runs the protocol, the socket has our API). The scenarios every
 * server form shares, this one included, are in test/web/server-forms.test.ts;
 * listen() is in test/web/listen.test.ts.
 */
import { afterAll, describe, expect, it, until } from "../harness.ts";
import { type HostedWebSocket, upgrade, WebSocket } from "../../src/runtime/deno/index.ts";
import { observe } from "../peers/observe.ts";

declare const Deno: {
  serve(
    options: { hostname: string; port: number; onListen?: () => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
};

describe("upgrade() in Deno.serve: options", () => {
  const servers: { shutdown(): Promise<void> }[] = [];
  afterAll(async () => { for (const s of servers) await s.shutdown(); });

  function serve(handler: (request: Request) => Response): string {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
    servers.push(server);
    return `ws://127.0.0.1:${server.addr.port}`;
  }

  it("refuses options Deno cannot honour with a TypeError, before upgrading", async () => {
    const errors: string[] = [];
    const url = serve((request) => {
      for (const options of [{ extensions: [] }, { maxLength: 10 }, { closeTimeout: 5 }, { origin: "x" }]) {
        try {
          upgrade(request, options as never);
          errors.push("no error");
        } catch (err) {
          errors.push(err instanceof TypeError ? Object.keys(options)[0]! : String(err));
        }
      }
      return upgrade(request).response;
    });
    const seen = observe(new globalThis.WebSocket(url));
    await seen.opened;
    expect(errors).toEqual(["extensions", "maxLength", "closeTimeout", "origin"]);
  });

  it("adds the extra headers to the 101 and refuses the handshake's own", async () => {
    let refused = "";
    const url = serve((request) => {
      try {
        upgrade(request, { headers: { "Sec-WebSocket-Accept": "x" } });
      } catch (err) {
        refused = (err as Error).constructor.name;
      }
      return upgrade(request, { headers: { "X-Served-By": "omnisocket" } }).response;
    });
    const ws = new WebSocket(url);
    const seen = observe(ws);
    await seen.opened;
    expect(refused).toBe("TypeError");
    expect(ws.headers["x-served-by"]).toBe("omnisocket");
    ws.close();
  });

  it("chooses no subprotocol when none is in common: no Sec-WebSocket-Protocol, so our client fails (WHATWG)", async () => {
    let server: HostedWebSocket | null = null;
    const url = serve((request) => {
      const result = upgrade(request, { protocols: ["other"] });
      server = result.socket;
      return result.response;
    });
    const client = new WebSocket(url, ["chat"]);
    const closed = await observe(client).closed;
    expect(closed.code).toBe(1006);
    expect(client.statusCode).toBe(101);
    expect(client.headers["sec-websocket-protocol"]).toBeUndefined();
    expect(server!.protocol).toBe("");
  });

  it("ping: Deno pings at that interval (its idleTimeout); without it, no pings", async () => {
    const pinging = serve((request) => upgrade(request, { ping: 0.2 }).response);
    const quiet = serve((request) => upgrade(request).response);
    const a = new WebSocket(pinging);
    const b = new WebSocket(quiet);
    const seenA = observe(a);
    const seenB = observe(b);
    await seenA.opened;
    await seenB.opened;
    await until(() => seenA.pings.length >= 2, 10_000, "two pings");
    expect(seenB.pings).toEqual([]);
    a.close();
    b.close();
  });

  it("message (direct handler): each message goes to message(socket, data) as binaryType makes it, and no message event fires", async () => {
    const got: unknown[] = [];
    let events = 0;
    const url = serve((request) => {
      const { socket, response } = upgrade(request, {
        binaryType: "arraybuffer",
        message(ws, data) {
          got.push(data);
          ws.send(data as string | ArrayBuffer);
        },
      });
      socket.onmessage = () => { events++; };
      return response;
    });
    const client = new globalThis.WebSocket(url);
    client.binaryType = "arraybuffer";
    const seen = observe(client);
    await seen.opened;
    client.send("héllo");
    client.send(new Uint8Array([1, 2, 3]));
    expect(await seen.next()).toBe("héllo");
    expect(new Uint8Array((await seen.next()) as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(got[0]).toBe("héllo");
    expect(got[1]).toBeInstanceOf(ArrayBuffer);
    expect(events).toBe(0);
    client.close();
    await seen.closed;
  });

  it("terminate(): our side reports 1006 (not clean) at once; Deno closes its end with a Close", async () => {
    let server: HostedWebSocket | null = null;
    const url = serve((request) => {
      const result = upgrade(request);
      server = result.socket;
      return result.response;
    });
    const client = observe(new WebSocket(url));
    await client.opened;
    await until(() => server?.readyState === 1, 10_000, "server open");
    const seen = observe(server!);
    server!.terminate();
    expect(server!.readyState).toBe(3);
    expect(await seen.closed).toEqual({ code: 1006, reason: "", wasClean: false });
    expect(seen.order).toEqual(["error", "close"]);
    await client.closed;
  });

  it("socket is CONNECTING until the response goes out; send() then throws InvalidStateError", async () => {
    let state = -1;
    let error = "";
    const url = serve((request) => {
      const { socket, response } = upgrade(request);
      state = socket.readyState;
      try {
        socket.send("too early");
      } catch (err) {
        error = (err as DOMException).name;
      }
      return response;
    });
    const seen = observe(new globalThis.WebSocket(url));
    await seen.opened;
    expect(state).toBe(0);
    expect(error).toBe("InvalidStateError");
  });

  it("binaryType option, and the request headers on the socket", async () => {
    let server: HostedWebSocket | null = null;
    const url = serve((request) => {
      const result = upgrade(request, { binaryType: "uint8array" });
      server = result.socket;
      result.socket.onmessage = (event) => result.socket.send(String(event.data instanceof Uint8Array));
      return result.response;
    });
    const client = new globalThis.WebSocket(url);
    const seen = observe(client);
    await seen.opened;
    client.send(new Uint8Array([1, 2, 3]));
    expect(await seen.next()).toBe("true");
    expect(server!.headers["upgrade"]).toBe("websocket");
    client.close();
  });

  it("the socket is the one WebSocket class (a HostDriver under it): WebIDL layout, bufferedAmount at send()", async () => {
    let server: HostedWebSocket | null = null;
    const url = serve((request) => {
      const result = upgrade(request);
      server = result.socket;
      result.socket.onopen = () => {
        result.socket.send("héllo");
        sentAt = result.socket.bufferedAmount;
      };
      return result.response;
    });
    let sentAt = -1;
    const client = new globalThis.WebSocket(url);
    const seen = observe(client);
    await seen.opened;
    expect(await seen.next()).toBe("héllo");
    expect(server).toBeInstanceOf(WebSocket);
    expect(Object.getPrototypeOf(server!)).toBe(WebSocket.prototype);
    expect(Object.prototype.toString.call(server)).toBe("[object WebSocket]");
    expect(sentAt).toBe(6); // UTF-8 bytes, counted in send()
    await until(() => server!.bufferedAmount === 0, 10_000, "bufferedAmount 0");
    client.close();
  });
});
