/**
 * Receive flow control in Connection (src/web/websocket/connection.ts),
 * the one mechanism every face uses (WHATWG pause()/resume(), ws's and
 * faye's pause(), WebSocketStream): reading stops while the face holds it
 * or while the extension queue is full, and resumes when both let go
 * (pause(), then attach() to resume, as the ByteSocket port defines). A
 * write the runtime could not take without buffering is remembered until
 * its drain (faye's send() answers false meanwhile).
 */
import { describe, expect, it, until } from "../harness.ts";
import { permessageDeflate } from "../entry.ts";
import { concat, drainOutput, negotiate, protocol } from "../deflate/helpers.ts";
import { Connection, MAX_RECEIVING } from "../../src/web/websocket/connection.ts";
import { Protocol } from "../../src/core/websocket/protocol.ts";
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

function connection(socket: FakeSocket, protocol = new Protocol({ role: "server" })): Connection {
  return new Connection(protocol, socket, { handleEvent() {}, handleClosed() {} }, { closeTimeout: 1000, ping: 0 });
}

describe("Connection: receive flow control", () => {
  it("pauseReading() stops the socket's reading; resumeReading() starts it again, once", () => {
    const socket = new FakeSocket();
    const c = connection(socket);
    c.start();
    c.pauseReading();
    c.pauseReading(); // already paused: nothing more
    expect(c.paused).toBe(true);
    c.resumeReading();
    c.resumeReading(); // not paused: nothing more
    expect(socket.calls).toEqual(["attach", "pause", "attach"]);
  });

  it("paused before start(), it starts paused", () => {
    const socket = new FakeSocket();
    const c = connection(socket);
    c.pauseReading();
    expect(socket.calls).toEqual([]);
    c.start();
    expect(socket.calls).toEqual(["attach", "pause"]);
  });

  it("a full extension queue stops reading until half of it is delivered, whatever the face says", () => {
    const socket = new FakeSocket();
    const protocol = new Protocol({ role: "server" });
    let receiving = 0;
    Object.defineProperty(protocol, "receiving", { get: () => receiving });
    const c = connection(socket, protocol);
    c.start();
    receiving = MAX_RECEIVING;
    c.flush();
    expect(socket.calls).toEqual(["attach", "pause"]);
    // The face resuming does not override the full queue.
    c.pauseReading();
    c.resumeReading();
    expect(socket.calls).toEqual(["attach", "pause"]);
    receiving = MAX_RECEIVING / 2 + 1;
    c.flush();
    expect(socket.calls).toEqual(["attach", "pause"]);
    receiving = MAX_RECEIVING / 2;
    c.flush();
    expect(socket.calls).toEqual(["attach", "pause", "attach"]);
  });

  it("is write-blocked from a refused write until the drain", () => {
    const socket = new FakeSocket();
    const protocol = new Protocol({ role: "server" });
    const c = connection(socket, protocol);
    c.start();
    protocol.sendText("a");
    c.flush();
    expect(c.writeBlocked).toBe(false);
    socket.accept = false;
    protocol.sendText("b");
    c.flush();
    expect(c.writeBlocked).toBe(true);
    socket.handler!.onDrain();
    expect(c.writeBlocked).toBe(false);
  });
});

describe("Connection: the permessage-deflate queue is bounded per connection", () => {
  it("a read full of compressed messages stops reading until their inflation is under way, then reads again; order holds", async () => {
    const extension = permessageDeflate();
    const sessions = negotiate(extension, extension);
    expect(sessions.activated).toBe(true);
    // 64 compressed text messages, as a client sends them, in one chunk.
    const client = protocol("client", [{ extension, session: sessions.client }]);
    for (let i = 0; i < 64; i++) client.sendText(`message ${i} `.repeat(200));
    const chunk = concat(await drainOutput(client, 64));
    const socket = new FakeSocket();
    const texts: string[] = [];
    let c: Connection | null = null;
    const server = protocol("server", [{ extension, session: sessions.server! }], { onWake: () => c?.flush() });
    c = new Connection(server, socket, {
      handleEvent(event) { if (event.type === "text") texts.push(event.data); },
      handleClosed() {},
    }, { closeTimeout: 1000, ping: 0 });
    c.start();
    c.onData(chunk);
    // zlib inflates asynchronously: the parsed messages fill the queue, and reading stops.
    expect(server.receiving).toBeGreaterThanOrEqual(MAX_RECEIVING);
    expect(socket.calls).toEqual(["attach", "pause"]);
    await until(() => texts.length === 64, 10_000, "every message inflated");
    expect(socket.calls).toEqual(["attach", "pause", "attach"]);
    expect(texts).toEqual(Array.from({ length: 64 }, (_, i) => `message ${i} `.repeat(200)));
    c.destroy();
  });
});
