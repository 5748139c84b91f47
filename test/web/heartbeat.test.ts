/**
 * Heartbeat and timeouts (docs/flow-control.md), on the running runtime's
 * own sockets and every server form of ours (test/peers/our-server.ts):
 *
 *   server forms with heartbeat { interval, timeout }
 *     a raw peer that reads but never pongs   -> dropped: error WS_ERR_HEARTBEAT_TIMEOUT, close 1006
 *     a raw peer that stops reading           -> the same
 *     our client, which pongs                 -> still open after several intervals
 *   our client with heartbeat, against raw servers that go silent -> the same
 *   10,000 connections over memory pairs       -> no timer of ours left armed
 *   handshakeTimeout: a server (or a proxy) that accepts TCP and never answers;
 *   listen()'s handshakeTimeout: a client that sends no head, or half of one
 *
 * Timing is never asserted, only that detection happened and why.
 */
import net from "node:net";
import { afterAll, describe, expect, it, until } from "../harness.ts";
import { WebSocket } from "../entry.ts";
import { ourListen, serverForms } from "../peers/our-server.ts";
import { answerHandshake, FrameLog, rawClient } from "../peers/raw.ts";
import { memoryPair } from "../peers/memory-pair.ts";
import { observe } from "../peers/observe.ts";
import { checkExcerpts } from "../peers/excerpts.ts";
import { Connection } from "../../src/web/websocket/connection.ts";
import { Protocol } from "../../src/core/websocket/protocol.ts";
import { activeTimers, setTimerPort, type TimerPort } from "../../src/web/websocket/timers.ts";
import { Heartbeat, heartbeatSettings, type HeartbeatOptions } from "../../src/web/websocket/heartbeat.ts";

const HEARTBEAT: HeartbeatOptions = { interval: 150, timeout: 150 };
const DETECT_MS = 15_000;

/** The error event's `error.code` and the close event, once the socket closed. */
function outcome(ws: EventTarget): Promise<{ code: number; wasClean: boolean; errorCode: string | undefined }> {
  let errorCode: string | undefined;
  ws.addEventListener("error", (event) => { errorCode = ((event as ErrorEvent).error as { code?: string } | undefined)?.code; });
  return new Promise((resolve) => {
    ws.addEventListener("close", (event) => {
      const e = event as CloseEvent;
      resolve({ code: e.code, wasClean: e.wasClean, errorCode });
    });
  });
}

const portOf = (url: string) => Number(new URL(url).port);

for (const form of serverForms()) {
  describe(`heartbeat on ${form.name}`, () => {
    for (const peer of ["reads but never pongs", "stops reading"] as const) {
      it(`drops a peer that ${peer}: error WS_ERR_HEARTBEAT_TIMEOUT, close 1006`, async () => {
        const server = await form.start({ heartbeat: HEARTBEAT });
        try {
          const raw = await rawClient(portOf(server.url), { allowHalfOpen: true });
          if (peer === "stops reading") raw.socket.pause();
          const { ws } = await server.next();
          const result = await outcome(ws);
          expect(result.code).toBe(1006);
          expect(result.wasClean).toBe(false);
          expect(result.errorCode).toBe("WS_ERR_HEARTBEAT_TIMEOUT");
          // It was pinged first (a reading peer saw the pings).
          if (peer === "reads but never pongs") expect(raw.log.frames.some((f) => f.opcode === 0x9)).toBe(true);
          raw.socket.destroy();
        } finally {
          await server.close();
        }
      }, DETECT_MS);
    }

    it("keeps a peer that answers (our client pongs) over several intervals", async () => {
      const server = await form.start({ heartbeat: HEARTBEAT });
      try {
        const client = new WebSocket(server.url);
        const seen = observe(client);
        await seen.opened;
        const { ws } = await server.next();
        const serverSeen = observe(ws);
        // Deno.serve runs it as its idleTimeout (whole seconds): wait past one of those too.
        const pings: string[] = [];
        client.addEventListener("ping", () => pings.push("ping"));
        await until(() => pings.length >= 3, DETECT_MS, "three heartbeat pings");
        expect(client.readyState).toBe(WebSocket.OPEN);
        expect(ws.readyState).toBe(WebSocket.OPEN);
        client.close(1000, "done");
        expect((await serverSeen.closed).code).toBe(1000);
        expect((await seen.closed).wasClean).toBe(true);
      } finally {
        await server.close();
      }
    }, DETECT_MS * 2);
  });
}

/** A raw server that answers the handshake and then only reads (or stops reading). */
async function silentServer(peer: "reads but never pongs" | "stops reading"): Promise<{ url: string; log: FrameLog; close(): Promise<void> }> {
  const log = new FrameLog();
  const sockets: net.Socket[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.push(socket);
    void answerHandshake(socket, log).then(() => { if (peer === "stops reading") socket.pause(); });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    log,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe("heartbeat on our client", () => {
  for (const peer of ["reads but never pongs", "stops reading"] as const) {
    it(`drops a server that ${peer}: error WS_ERR_HEARTBEAT_TIMEOUT, close 1006`, async () => {
      const server = await silentServer(peer);
      try {
        const client = new WebSocket(server.url, [], { heartbeat: HEARTBEAT });
        const result = await outcome(client);
        expect(result.code).toBe(1006);
        expect(result.wasClean).toBe(false);
        expect(result.errorCode).toBe("WS_ERR_HEARTBEAT_TIMEOUT");
        if (peer === "reads but never pongs") expect(server.log.frames.some((f) => f.opcode === 0x9)).toBe(true);
      } finally {
        await server.close();
      }
    }, DETECT_MS);
  }

  it("refuses a malformed heartbeat with a TypeError", () => {
    expect(() => new WebSocket("ws://127.0.0.1:65000", [], { heartbeat: { interval: 0, timeout: 100 } })).toThrow(TypeError);
    expect(() => new WebSocket("ws://127.0.0.1:65000", [], { heartbeat: { interval: 100 } as HeartbeatOptions })).toThrow(TypeError);
  });
});

describe("Heartbeat on a fake timer port", () => {
  /** Timers that run only when the test advances the clock. */
  function fakeClock() {
    let now = 0;
    const pending = new Map<number, { at: number; run: () => void }>();
    let next = 1;
    const port: TimerPort = {
      set(run, ms) { const id = next++; pending.set(id, { at: now + ms, run }); return id; },
      clear(id) { pending.delete(id as number); },
    };
    const advance = (ms: number) => {
      const end = now + ms;
      for (;;) {
        const due = [...pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].run();
      }
      now = end;
    };
    return { port, advance };
  }

  it("pings every interval; silence for timeout after a ping is death; any activity keeps it alive; hold pauses the deadline", () => {
    const clock = fakeClock();
    const previous = setTimerPort(clock.port);
    try {
      let pings = 0;
      let dead = 0;
      const beat = new Heartbeat({ interval: 100, timeout: 50 }, () => { pings++; return true; }, () => { dead++; });
      beat.start();
      clock.advance(99);
      expect(pings).toBe(0);
      clock.advance(1);
      expect(pings).toBe(1);
      clock.advance(40);
      beat.activity(); // the pong
      clock.advance(70); // the next ping went out at 200; its deadline is 250
      expect(pings).toBe(2);
      expect(dead).toBe(0);
      beat.hold(true); // we stopped reading: silence is ours
      clock.advance(500);
      expect(dead).toBe(0);
      beat.hold(false);
      const before = pings;
      clock.advance(150); // next ping, then 50 ms of silence
      expect(pings > before).toBe(true);
      expect(dead).toBe(1);
      clock.advance(1_000);
      expect(dead).toBe(1); // stopped for good
      expect(activeTimers()).toBe(0);
    } finally {
      setTimerPort(previous);
    }
  });

  it("faye's ping (interval only) never declares the peer dead", () => {
    const clock = fakeClock();
    const previous = setTimerPort(clock.port);
    try {
      let pings = 0;
      let dead = 0;
      const beat = new Heartbeat(heartbeatSettings(undefined, 1)!, () => { pings++; return true; }, () => { dead++; });
      beat.start();
      clock.advance(10_000);
      expect(pings).toBe(10);
      expect(dead).toBe(0);
      beat.stop();
      expect(activeTimers()).toBe(0);
    } finally {
      setTimerPort(previous);
    }
  });
});

describe("idleTimeout and the compatibility faces", () => {
  it("idleTimeout (seconds, as Deno and Bun) on the node:http hook drops a silent peer with WS_ERR_HEARTBEAT_TIMEOUT", async () => {
    const { startHookServer } = await import("../peers/servers.ts");
    const results: Promise<{ code: number; errorCode: string | undefined }>[] = [];
    const server = await startHookServer({ options: { idleTimeout: 0.3 }, onConnection: (ws) => results.push(outcome(ws)) });
    try {
      const raw = await rawClient(portOf(server.url), { allowHalfOpen: true });
      await until(() => results.length === 1, DETECT_MS, "the connection");
      const result = await results[0]!;
      expect(result.code).toBe(1006);
      expect(result.errorCode).toBe("WS_ERR_HEARTBEAT_TIMEOUT");
      raw.socket.destroy();
    } finally {
      await server.close();
    }
  }, DETECT_MS);

  it("omnisocket/faye's client passes heartbeat through: a silent server is dropped (error, then close 1006)", async () => {
    const { default: FayeWebSocket } = await import("../../src/runtime/node/compat/faye/index.ts");
    const server = await silentServer("reads but never pongs");
    try {
      const client = new FayeWebSocket.Client(server.url, [], { heartbeat: HEARTBEAT });
      const events: string[] = [];
      const closed = new Promise<number>((resolve) => {
        client.on("error", (event: { message: string }) => events.push(`error ${event.message}`));
        client.on("close", (event: { code: number }) => resolve(event.code));
      });
      expect(await closed).toBe(1006);
      expect(events.length).toBe(1);
      expect(events[0]).toMatch(/No pong/);
    } finally {
      await server.close();
    }
  }, DETECT_MS);
});

describe("no timer outlives its connection", () => {
  it("10,000 connections with heartbeats, opened and closed over memory pairs, leave no timer armed", async () => {
    const before = activeTimers();
    const BATCH = 500;
    let peak = 0;
    for (let done = 0; done < 10_000; done += BATCH) {
      const closes: Promise<unknown>[] = [];
      const clients: Connection[] = [];
      for (let i = 0; i < BATCH; i++) {
        const [clientSide, serverSide] = memoryPair();
        const server = WebSocket.accept({ socket: serverSide, url: "ws://memory/", protocol: "", extensionsHeader: "", extensions: [], headers: {} }, { heartbeat: { interval: 60_000, timeout: 60_000 } });
        closes.push(outcome(server));
        const protocol = new Protocol({ role: "client" });
        const client = new Connection(protocol, clientSide, {
          handleEvent() {},
          handleClosed() {},
        }, { closeTimeout: 60_000, ping: 0, heartbeat: { interval: 60_000, timeout: 60_000 } });
        client.start();
        clients.push(client);
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
      peak = Math.max(peak, activeTimers() - before);
      for (const client of clients) {
        client.protocol.sendClose(1000, "");
        client.flush();
      }
      const results = (await Promise.all(closes)) as { code: number }[];
      expect(results.every((r) => r.code === 1000)).toBe(true);
      await until(() => activeTimers() === before, 5_000, "every timer of the batch cleared");
    }
    // Each connection armed its heartbeat (both sides): the count could have stayed up.
    expect(peak >= 2 * BATCH).toBe(true);
    expect(activeTimers()).toBe(before);
  }, 60_000);
});

describe("handshake timeouts", () => {
  const servers: net.Server[] = [];
  const sockets: net.Socket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
  });

  /** Accepts TCP and never answers (a hung server, or a proxy that never answers CONNECT). */
  async function mute(): Promise<number> {
    const server = net.createServer((socket) => { sockets.push(socket); });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as net.AddressInfo).port;
  }

  it("client: a server that accepts TCP and never answers fails with WS_ERR_HANDSHAKE_TIMEOUT", async () => {
    const port = await mute();
    const client = new WebSocket(`ws://127.0.0.1:${port}`, [], { handshakeTimeout: 200 });
    const result = await outcome(client);
    expect(result.code).toBe(1006);
    expect(result.errorCode).toBe("WS_ERR_HANDSHAKE_TIMEOUT");
    expect(client.readyState).toBe(WebSocket.CLOSED);
  });

  it("client: a proxy that never answers CONNECT fails with WS_ERR_HANDSHAKE_TIMEOUT", async () => {
    const port = await mute();
    const client = new WebSocket("ws://example.invalid/", [], { handshakeTimeout: 200, proxy: { origin: `http://127.0.0.1:${port}` } });
    const result = await outcome(client);
    expect(result.code).toBe(1006);
    expect(result.errorCode).toBe("WS_ERR_HANDSHAKE_TIMEOUT");
  });

  it("client: handshakeTimeout must be a number of milliseconds", () => {
    expect(() => new WebSocket("ws://127.0.0.1:65000", [], { handshakeTimeout: -1 })).toThrow(TypeError);
  });

  for (const sent of ["nothing", "half a request head"] as const) {
    it(`listen(): a client that sends ${sent} is dropped after handshakeTimeout`, async () => {
      const server = await ourListen({ hostname: "127.0.0.1", port: 0, handshakeTimeout: 200 }, () => {});
      try {
        const socket = net.connect({ port: server.port, host: "127.0.0.1" });
        sockets.push(socket);
        let closed = false;
        let answered = "";
        socket.on("data", (chunk: Uint8Array) => { answered += new TextDecoder().decode(chunk); });
        socket.on("close", () => { closed = true; });
        socket.on("error", () => {});
        if (sent !== "nothing") socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n");
        await until(() => closed, 10_000, "the server dropping the connection");
        expect(answered).toBe(""); // dropped unanswered
      } finally {
        await server.close();
      }
    });
  }
});

describe("docs/flow-control.md: heartbeat and timeouts", () => {
  it("examples/heartbeat.ts: the server drops a peer that never pongs, and keeps one that does", async () => {
    const { createServer, connect } = await import("../../examples/heartbeat.ts");
    const dropped: string[] = [];
    const server = createServer({ interval: 100, timeout: 100 }, (code) => dropped.push(code));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const raw = await rawClient(port, { allowHalfOpen: true });
      await until(() => dropped.length > 0, DETECT_MS, "the silent peer dropped");
      expect(dropped).toEqual(["WS_ERR_HEARTBEAT_TIMEOUT"]);
      raw.socket.destroy();
      const client = connect(`ws://127.0.0.1:${port}/`, { interval: 100, timeout: 100 });
      const seen = observe(client);
      await seen.opened;
      client.send("still here");
      expect(await seen.next()).toBe("still here");
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(client.readyState).toBe(WebSocket.OPEN);
      expect(dropped.length).toBe(1);
      client.close(1000);
      expect((await seen.closed).wasClean).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, DETECT_MS);

  it("the doc quotes examples/heartbeat.ts", () => {
    expect(checkExcerpts("docs/flow-control.md")).toContain("examples/heartbeat.ts");
  });
});
