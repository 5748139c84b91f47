/**
 * WebSocketStream (the WHATWG proposal) against peers nobody here wrote:
 *
 *   our WebSocketStream (client) --> ws's WebSocketServer, python websockets
 *   ws's client --> our server socket as WebSocketStream.from(ws), every server form
 *
 * Text, binary, close from either side, an unclean end, aborting the
 * handshake, and errors. Chromium's own WebSocketStream against our server
 * is in test/browser/chromium-websocket-stream.test.ts (vitest only).
 */
import { describe, expect, it, itWithPeer } from "../harness.ts";
import { WebSocketStream, WebSocketError } from "../entry.ts";
import { startRawServer, startWsServer } from "../peers/servers.ts";
import { wsClient } from "../peers/clients.ts";
import { serverForms } from "../peers/our-server.ts";
import { hasPythonWebsockets, PYTHON_WEBSOCKETS_INSTALL_HINT, startPythonServer } from "../peers/python.ts";

const text = (n: number) => "omnisocket ".repeat(Math.ceil(n / 11)).slice(0, n);
const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("WebSocketStream client against ws's server", () => {
  it("echoes text as strings and binary as Uint8Array, one chunk per message", async () => {
    const server = await startWsServer({ handleProtocols: (offered) => offered.has("chat") ? "chat" : false });
    try {
      const wss = new WebSocketStream(server.url, { protocols: ["chat"] });
      const { readable, writable, protocol, extensions } = await wss.opened;
      expect(protocol).toBe("chat");
      expect(extensions).toBe("");
      expect(wss.url).toBe(server.url + "/");
      const writer = writable.getWriter();
      const reader = readable.getReader();
      await writer.write("hello");
      await writer.write(bytes(70_000));
      await writer.write(new Uint8Array(bytes(10)).buffer);
      expect((await reader.read()).value).toBe("hello");
      expect((await reader.read()).value).toEqual(bytes(70_000));
      expect((await reader.read()).value).toEqual(bytes(10));
      wss.close({ closeCode: 4000, reason: "done" });
      // ws echoes the close code and reason.
      expect(await wss.closed).toEqual({ closeCode: 4000, reason: "done" });
      expect(await reader.read()).toEqual({ done: true, value: undefined });
    } finally {
      await server.close();
    }
  });

  it("close() with no code sends an empty Close (1005); a reason alone goes with 1000", async () => {
    const server = await startWsServer();
    try {
      const a = new WebSocketStream(server.url);
      await a.opened;
      a.close();
      expect(await a.closed).toEqual({ closeCode: 1005, reason: "" });
      const b = new WebSocketStream(server.url);
      await b.opened;
      b.close({ reason: "bye" });
      expect(await b.closed).toEqual({ closeCode: 1000, reason: "bye" });
      const c = new WebSocketStream(server.url);
      await c.opened;
      let thrown: unknown;
      try { c.close({ closeCode: 1001 }); } catch (e) { thrown = e; }
      expect((thrown as DOMException).name).toBe("InvalidAccessError");
      c.close();
      await c.closed;
    } finally {
      await server.close();
    }
  });

  it("the server closing ends the readable side and resolves closed", async () => {
    const server = await startWsServer({ echo: false, onConnection: (socket) => { socket.send("last"); socket.close(4001, "server says bye"); } });
    try {
      const wss = new WebSocketStream(server.url);
      const { readable, writable } = await wss.opened;
      const got: unknown[] = [];
      for await (const chunk of readable as unknown as AsyncIterable<string | Uint8Array>) got.push(chunk);
      expect(got).toEqual(["last"]);
      expect(await wss.closed).toEqual({ closeCode: 4001, reason: "server says bye" });
      // The writable side cannot send any more.
      expect(await rejection(writable.getWriter().write("late"))).toBeInstanceOf(DOMException);
    } finally {
      await server.close();
    }
  });

  it("an unclean end (the server drops TCP) errors both sides and rejects closed", async () => {
    const server = await startWsServer({ echo: false, onConnection: (socket) => setTimeout(() => socket.terminate(), 20) });
    try {
      const wss = new WebSocketStream(server.url);
      const { readable } = await wss.opened;
      const error = await rejection(wss.closed);
      expect(error).toBeInstanceOf(WebSocketError);
      expect((error as InstanceType<typeof WebSocketError>).closeCode).toBe(1006);
      expect(await rejection(readable.getReader().read())).toBe(error);
    } finally {
      await server.close();
    }
  });

  it("cancelling the readable side closes the connection", async () => {
    const server = await startWsServer();
    try {
      const wss = new WebSocketStream(server.url);
      const { readable } = await wss.opened;
      await readable.cancel({ closeCode: 4002, reason: "enough" });
      expect(await wss.closed).toEqual({ closeCode: 4002, reason: "enough" });
    } finally {
      await server.close();
    }
  });

  it("closing the writable side starts the closing handshake", async () => {
    const server = await startWsServer();
    try {
      const wss = new WebSocketStream(server.url);
      const { writable } = await wss.opened;
      await writable.close();
      expect(await wss.closed).toEqual({ closeCode: 1005, reason: "" });
    } finally {
      await server.close();
    }
  });
});

describe("WebSocketStream: opening fails", () => {
  it("signal aborts the handshake with a server that never answers", async () => {
    const sockets: Array<{ destroy(): void }> = [];
    const server = await startRawServer((socket) => { sockets.push(socket); });
    try {
      const controller = new AbortController();
      const wss = new WebSocketStream(server.url, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      const error = await rejection(wss.opened);
      expect((error as DOMException).name).toBe("AbortError");
      expect(await rejection(wss.closed)).toBe(error);
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.close();
    }
  });

  it("an already aborted signal rejects opened with its reason", async () => {
    const server = await startWsServer();
    try {
      const reason = new Error("changed my mind");
      const wss = new WebSocketStream(server.url, { signal: AbortSignal.abort(reason) });
      expect(await rejection(wss.opened)).toBe(reason);
      expect(await rejection(wss.closed)).toBe(reason);
    } finally {
      await server.close();
    }
  });

  it("a refused connection rejects opened and closed; a bad URL throws SyntaxError at once", async () => {
    const server = await startWsServer();
    const url = server.url;
    await server.close();
    const wss = new WebSocketStream(url);
    expect(await rejection(wss.opened)).toBeInstanceOf(Error);
    expect(await rejection(wss.closed)).toBeInstanceOf(Error);
    let thrown: unknown;
    try { new WebSocketStream("ftp://example.com/"); } catch (e) { thrown = e; }
    expect((thrown as DOMException).name).toBe("SyntaxError");
  });

  it("a server refusing the handshake (403) rejects opened", async () => {
    const server = await startWsServer({ verifyClient: () => false });
    try {
      const wss = new WebSocketStream(server.url);
      const error = await rejection(wss.opened);
      expect(error).toBeInstanceOf(WebSocketError);
    } finally {
      await server.close();
    }
  });
});

describe("WebSocketStream client against python websockets", () => {
  itWithPeer("echoes text and binary; python closes with a code", hasPythonWebsockets, PYTHON_WEBSOCKETS_INSTALL_HINT, async () => {
    const python = await startPythonServer();
    try {
      const wss = new WebSocketStream(python.url("/echo"));
      const { readable, writable } = await wss.opened;
      const writer = writable.getWriter();
      const reader = readable.getReader();
      await writer.write(text(100_000));
      await writer.write(bytes(200_000));
      expect((await reader.read()).value).toBe(text(100_000));
      expect((await reader.read()).value).toEqual(bytes(200_000));
      wss.close({ closeCode: 4003, reason: "from us" });
      expect(await wss.closed).toEqual({ closeCode: 4003, reason: "from us" });

      const scripted = new WebSocketStream(python.url("/scripted", [{ op: "close", code: 4004, reason: "from python" }]));
      const opened = await scripted.opened;
      expect(await opened.readable.getReader().read()).toEqual({ done: true, value: undefined });
      expect(await scripted.closed).toEqual({ closeCode: 4004, reason: "from python" });
    } finally {
      await python.close();
    }
  });
});

describe("WebSocketStream.from(): server sockets of every form, ws's client", () => {
  for (const form of serverForms()) {
    it(`${form.name}: reads and writes through the server's streams, closes from the client`, async () => {
      const server = await form.start();
      try {
        const client = wsClient(server.url);
        const side = await server.next(); // the form echoes every message too
        const stream = WebSocketStream.from(side.ws as unknown as Parameters<typeof WebSocketStream.from>[0]);
        await client.opened;
        const { readable, writable } = await stream.opened;
        const reader = readable.getReader();
        client.send("hi");
        client.send(bytes(1000));
        expect((await reader.read()).value).toBe("hi");
        expect((await reader.read()).value).toEqual(bytes(1000));
        await writable.getWriter().write("from the stream");
        expect(await client.next()).toEqual({ text: true, data: "hi" });
        expect(await client.next()).toEqual({ text: false, data: bytes(1000) });
        expect(await client.next()).toEqual({ text: true, data: "from the stream" });
        client.close(4005, "client done");
        expect(await stream.closed).toEqual({ closeCode: 4005, reason: "client done" });
        expect(await reader.read()).toEqual({ done: true, value: undefined });
      } finally {
        await server.close();
      }
    });

    it(`${form.name}: the server closes through its stream`, async () => {
      const server = await form.start();
      try {
        const client = wsClient(server.url);
        const side = await server.next();
        const stream = WebSocketStream.from(side.ws as unknown as Parameters<typeof WebSocketStream.from>[0]);
        await client.opened;
        const { writable } = await stream.opened;
        const writer = writable.getWriter();
        await writer.write("before close");
        stream.close({ closeCode: 4006, reason: "server done" });
        expect(await client.next()).toEqual({ text: true, data: "before close" });
        expect(await client.closed).toEqual({ code: 4006, reason: "server done" });
        expect(await stream.closed).toEqual({ closeCode: 4006, reason: "server done" });
      } finally {
        await server.close();
      }
    });
  }
});
