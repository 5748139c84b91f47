/**
 * A client Protocol and a server Protocol talking to each other in memory:
 * a little pump moves bytes both ways (cut into TCP-like segments) and ends
 * the "TCP connection" when either engine asks for it.
 */
import { describe, it, expect } from "../harness.ts";
import { Protocol, ReadyState, type ProtocolEvent, type ProtocolOptions } from "../../src/core/websocket/protocol.ts";
import { countingRandom, seq } from "./support/bytes.ts";
import { drain, toy, type ToyOptions } from "./support/test-extension.ts";

class Link {
  readonly got = { client: [] as ProtocolEvent[], server: [] as ProtocolEvent[] };
  tcpClosed = false;
  /** Bytes that went each way. */
  readonly bytes = { toServer: 0, toClient: 0 };

  constructor(readonly client: Protocol, readonly server: Protocol, private readonly segment = 1460) {}

  /** Moves bytes both ways until nothing moves; ends TCP once a side asks to, after its output. */
  pump(): void {
    for (let moved = true; moved; ) {
      moved = this.move(this.client, this.server, "toServer") || this.move(this.server, this.client, "toClient");
      this.collect();
      if (!this.tcpClosed && (this.client.closeTransport || this.server.closeTransport)) {
        this.move(this.client, this.server, "toServer");
        this.move(this.server, this.client, "toClient");
        this.tcpClosed = true;
        this.client.receiveEof();
        this.server.receiveEof();
        this.collect();
        moved = true;
      }
    }
  }

  /** Pumps, letting asynchronous extensions settle, until all is quiet. */
  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      this.pump();
      await drain();
    }
    this.pump();
  }

  private move(from: Protocol, to: Protocol, way: "toServer" | "toClient"): boolean {
    const out = from.dataToSend();
    if (out.length === 0 || this.tcpClosed) return false;
    for (const chunk of out) {
      for (let i = 0; i < chunk.length; i += this.segment) {
        // A copy, as a socket would hand over: the receiver unmasks in place.
        to.receiveData(chunk.slice(i, i + this.segment));
      }
      this.bytes[way] += chunk.length;
    }
    return true;
  }

  private collect(): void {
    this.got.client.push(...this.client.eventsReceived());
    this.got.server.push(...this.server.eventsReceived());
  }

  /** Events of a side, emptied. */
  take(side: "client" | "server"): ProtocolEvent[] {
    return this.got[side].splice(0);
  }
}

function link(options: { client?: Partial<ProtocolOptions>; server?: Partial<ProtocolOptions>; segment?: number } = {}): Link {
  return new Link(
    new Protocol({ role: "client", random: countingRandom(), ...options.client }),
    new Protocol({ role: "server", ...options.server }),
    options.segment,
  );
}

function closed(l: Link): void {
  expect(l.tcpClosed).toBe(true);
  expect(l.client.state).toBe(ReadyState.CLOSED);
  expect(l.server.state).toBe(ReadyState.CLOSED);
}

describe("pair: messages", () => {
  it("text and binary both ways", () => {
    const l = link();
    l.client.sendText("hello server");
    l.client.sendBinary(new Uint8Array([1, 2, 3]));
    l.server.sendText("h\u00e9llo client \u{1f600}");
    l.server.sendBinary(new Uint8Array(0));
    l.client.sendText("");
    l.pump();
    expect(l.take("server")).toEqual([
      { type: "text", data: "hello server" },
      { type: "binary", data: new Uint8Array([1, 2, 3]) },
      { type: "text", data: "" },
    ]);
    expect(l.take("client")).toEqual([
      { type: "text", data: "h\u00e9llo client \u{1f600}" },
      { type: "binary", data: new Uint8Array(0) },
    ]);
  });

  it("an echo conversation", () => {
    const l = link({ segment: 7 });
    for (let i = 0; i < 50; i++) {
      l.client.sendText(`ping ${i}`);
      l.pump();
      for (const e of l.take("server")) if (e.type === "text") l.server.sendText(e.data.toUpperCase());
      l.pump();
      expect(l.take("client")).toEqual([{ type: "text", data: `PING ${i}` }]);
    }
  });

  it("big messages both ways, in small segments", () => {
    const l = link({ segment: 1000 });
    const up = seq(3 * 1024 * 1024, 5);
    const down = "\u00e9\u4e2d\u{1f600}x".repeat(100_000);
    l.client.sendBinary(up);
    l.server.sendText(down);
    l.server.sendBinary(seq(200_000, 1));
    l.pump();
    expect(l.take("server")).toEqual([{ type: "binary", data: up }]);
    expect(l.take("client")).toEqual([
      { type: "text", data: down },
      { type: "binary", data: seq(200_000, 1) },
    ]);
    expect(l.bytes.toServer).toBe(up.length + 14);
  });

  it("a message over the receiver's maxLength closes with 1009", () => {
    const l = link({ server: { maxLength: 1000 } });
    l.client.sendBinary(new Uint8Array(1001));
    l.pump();
    const serverEvents = l.take("server");
    expect(serverEvents).toHaveLength(1);
    expect(serverEvents[0]!.type).toBe("error");
    expect(l.take("client")).toEqual([{ type: "close", code: 1009, reason: "" }]);
    closed(l);
    expect(l.client.closeInfo()).toEqual({ code: 1009, reason: "", wasClean: true });
    expect(l.server.closeInfo()).toEqual({ code: 1006, reason: "", wasClean: false });
  });
});

describe("pair: ping and pong", () => {
  it("the server answers the client's ping", () => {
    const l = link();
    l.client.sendPing(new Uint8Array([1, 2, 3, 4]));
    l.pump();
    expect(l.take("server")).toEqual([{ type: "ping", data: new Uint8Array([1, 2, 3, 4]) }]);
    expect(l.take("client")).toEqual([{ type: "pong", data: new Uint8Array([1, 2, 3, 4]) }]);
  });

  it("the client answers the server's ping, fed byte by byte", () => {
    const l = link({ segment: 1 });
    l.server.sendPing(seq(125));
    l.server.sendText("after");
    l.pump();
    expect(l.take("client")).toEqual([{ type: "ping", data: seq(125) }, { type: "text", data: "after" }]);
    expect(l.take("server")).toEqual([{ type: "pong", data: seq(125) }]);
  });

  it("unsolicited pongs are reported, not answered", () => {
    const l = link();
    l.client.sendPong(new Uint8Array([9]));
    l.pump();
    expect(l.take("server")).toEqual([{ type: "pong", data: new Uint8Array([9]) }]);
    expect(l.take("client")).toEqual([]);
  });
});

describe("pair: closing", () => {
  it("the client closes", () => {
    const l = link();
    l.client.sendText("last words");
    l.client.sendClose(1000, "bye");
    l.pump();
    expect(l.take("server")).toEqual([{ type: "text", data: "last words" }, { type: "close", code: 1000, reason: "bye" }]);
    expect(l.take("client")).toEqual([{ type: "close", code: 1000, reason: "" }]);
    closed(l);
    expect(l.server.closeInfo()).toEqual({ code: 1000, reason: "bye", wasClean: true });
    expect(l.client.closeInfo()).toEqual({ code: 1000, reason: "", wasClean: true });
  });

  it("the server closes", () => {
    const l = link();
    l.server.sendClose(4000, "go away");
    l.pump();
    expect(l.take("client")).toEqual([{ type: "close", code: 4000, reason: "go away" }]);
    expect(l.take("server")).toEqual([{ type: "close", code: 4000, reason: "" }]);
    closed(l);
    expect(l.client.closeInfo()).toEqual({ code: 4000, reason: "go away", wasClean: true });
    expect(l.server.closeInfo()).toEqual({ code: 4000, reason: "", wasClean: true });
  });

  it("an empty Close on both sides reads as 1005", () => {
    const l = link();
    l.client.sendClose();
    l.pump();
    expect(l.take("server")).toEqual([{ type: "close", code: 1005, reason: "" }]);
    expect(l.take("client")).toEqual([{ type: "close", code: 1005, reason: "" }]);
    closed(l);
    expect(l.client.closeInfo().wasClean).toBe(true);
  });

  it("both close at the same time", () => {
    const l = link();
    l.client.sendClose(1001, "client leaving");
    l.server.sendClose(1012, "server restarting");
    l.pump();
    expect(l.take("server")).toEqual([{ type: "close", code: 1001, reason: "client leaving" }]);
    expect(l.take("client")).toEqual([{ type: "close", code: 1012, reason: "server restarting" }]);
    closed(l);
    expect(l.server.closeInfo()).toEqual({ code: 1001, reason: "client leaving", wasClean: true });
    expect(l.client.closeInfo()).toEqual({ code: 1012, reason: "server restarting", wasClean: true });
    // Exactly one Close each way: 2 + 4 (mask) + 2 + 14 and 2 + 2 + 17.
    expect(l.bytes.toServer).toBe(22);
    expect(l.bytes.toClient).toBe(21);
  });

  it("messages sent before the peer's Close arrives are still delivered", () => {
    const l = link();
    l.client.sendClose(1000);
    l.server.sendText("in flight");
    l.pump();
    expect(l.take("client")).toEqual([{ type: "text", data: "in flight" }, { type: "close", code: 1000, reason: "" }]);
    closed(l);
  });

  it("a failure on one side closes both, with the failure's code", () => {
    const l = link();
    l.server.fail(1008, "policy");
    l.pump();
    expect(l.take("client")).toEqual([{ type: "close", code: 1008, reason: "policy" }]);
    const serverEvents = l.take("server");
    expect(serverEvents[0]!.type).toBe("error");
    closed(l);
    expect(l.client.closeInfo()).toEqual({ code: 1008, reason: "policy", wasClean: true });
    expect(l.server.closeInfo().wasClean).toBe(false);
  });

  it("a transport that drops leaves both with 1006", () => {
    const l = link();
    l.client.sendText("never");
    l.client.receiveEof();
    l.server.receiveEof();
    expect(l.client.closeInfo()).toEqual({ code: 1006, reason: "", wasClean: false });
    expect(l.server.closeInfo()).toEqual({ code: 1006, reason: "", wasClean: false });
  });
});

describe("pair: with an asynchronous extension on both sides", () => {
  const ext = (seed: number): ToyOptions => ({ maxDelay: 10, seed });

  for (const seed of [11, 12, 13]) {
    it(`keeps order both ways and closes last (seed ${seed})`, async () => {
      const l = link({ client: { extensions: [toy(ext(seed))] }, server: { extensions: [toy(ext(seed + 100))] } });
      const up: ProtocolEvent[] = [];
      const down: ProtocolEvent[] = [];
      for (let i = 0; i < 30; i++) {
        const compress = i % 4 !== 0;
        l.client.sendText(`up ${i} \u00e9`, { compress });
        up.push({ type: "text", data: `up ${i} \u00e9` });
        l.server.sendBinary(seq(i * 10, i), { compress });
        down.push({ type: "binary", data: seq(i * 10, i) });
        if (i % 10 === 5) l.pump();
      }
      l.client.sendClose(1000, "done");
      up.push({ type: "close", code: 1000, reason: "done" });
      down.push({ type: "close", code: 1000, reason: "" });
      await l.settle();
      expect(l.take("server")).toEqual(up);
      expect(l.take("client")).toEqual(down);
      closed(l);
      expect(l.client.closeInfo()).toEqual({ code: 1000, reason: "", wasClean: true });
    });
  }
});
