/**
 * Interop with Python `websockets` (Debian python3-websockets under
 * /usr/bin/python3), a peer nobody here wrote:
 *
 *   python client.py  --->  our server (node:http upgrade, faye-style hook)
 *   our client        --->  python echo_server.py
 *
 * Each pair covers text and binary messages at the length-encoding edges
 * (0, 125, 126 B, 64 KiB) and 16 MiB, fragmented messages, ping/pong both
 * ways, closing from either side with code and reason, subprotocol
 * negotiation and refused handshakes. Python reports what it saw as a JSON
 * transcript (test/peers/python.ts); we check it against what we saw.
 * Runs under vitest, deno test and bun test (node:http and
 * node:child_process exist on all three).
 */
import { afterAll, beforeAll, describe, expect, itWithPeer } from "../harness.ts";
import { WebSocket } from "../entry.ts";
import { flags } from "../runtime-flags.ts";
import { byPath, observe } from "../peers/observe.ts";
import { startOurServer, type OurServer } from "../peers/our-server.ts";
import { SIZES } from "../peers/payloads.ts";
import {
  describe as info,
  hasPythonWebsockets,
  payload,
  PYTHON_WEBSOCKETS_INSTALL_HINT as HINT,
  runPythonClient,
  startPythonServer,
  transcriptOf,
  type HandshakeFailure,
  type PythonServer,
  type Step,
} from "../peers/python.ts";

const TIMEOUT = 60_000;

function label(size: number): string {
  return size >= 1024 * 1024 ? `${size / 1024 / 1024} MiB` : size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
}

function bytesOf(data: unknown): string | Uint8Array {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array) return data;
  throw new Error(`unexpected message data ${Object.prototype.toString.call(data)}`);
}

// ------------------------------------------- python client -> our server --

describe("interop: python websockets client -> our server", () => {
  // Echoes every message; python's subprotocol list decides what it gets.
  const arrivals = byPath<WebSocket>();
  let ours: OurServer;
  const url = (path: string) => ours.url + path;
  beforeAll(async () => {
    ours = await startOurServer({ protocols: ["wamp", "chat"], onConnection: arrivals.onConnection });
  });
  afterAll(async () => {
    await ours?.close();
  });

  for (const kind of ["text", "binary"] as const) {
    for (const size of SIZES) {
      itWithPeer(`${kind} ${label(size)} echoed`, hasPythonWebsockets, HINT, async () => {
        const path = `/echo-${kind}-${size}`;
        const accepted = arrivals.next(path);
        const result = transcriptOf(await runPythonClient({
          url: url(path),
          steps: [{ op: "send", kind, size }, { op: "recv" }],
        }));
        const expected = await info(payload(kind as "text", size));
        expect(result.steps).toEqual([{ sent: size }, { message: expected }]);
        // Python closed with 1000 after the exchange; we answered it.
        expect(result.close_sent).toEqual({ code: 1000, reason: "" });
        expect(result.close_rcvd).toEqual({ code: 1000, reason: "" });
        const { seen } = await accepted;
        expect(await seen.closed).toEqual({ code: 1000, reason: "", wasClean: true });
      }, TIMEOUT);
    }
  }

  for (const kind of ["text", "binary"] as const) {
    itWithPeer(`fragmented ${kind} message arrives whole`, hasPythonWebsockets, HINT, async () => {
      const path = `/fragments-${kind}`;
      const sizes = [3, 0, 200, 70_000, 1];
      const accepted = arrivals.next(path);
      const run = runPythonClient({ url: url(path), steps: [{ op: "send_fragments", kind, sizes }, { op: "recv" }] });
      const { seen } = await accepted;
      const result = transcriptOf(await run);
      const whole = payload(kind as "text", 70_204);
      expect(seen.messages.length).toBe(1);
      expect(await info(bytesOf(seen.messages[0]))).toEqual(await info(whole));
      expect(result.steps).toEqual([{ sent_fragments: sizes }, { message: await info(whole) }]);
    }, TIMEOUT);
  }

  itWithPeer("python pings, we pong with the same data", hasPythonWebsockets, HINT, async () => {
    const path = "/python-pings";
    const accepted = arrivals.next(path);
    const run = runPythonClient({ url: url(path), steps: [{ op: "ping", data: "py-ping" }, { op: "ping", data: "" }] });
    const { seen } = await accepted;
    const result = transcriptOf(await run);
    expect(result.steps).toEqual([{ pong: "py-ping" }, { pong: "" }]);
    await seen.closed;
    expect(seen.pings).toEqual(["py-ping", ""]);
  }, TIMEOUT);

  itWithPeer("we ping, python pongs, the callback runs", hasPythonWebsockets, HINT, async () => {
    const path = "/node-pings";
    let called = 0;
    arrivals.on(path, (ws) => ws.addEventListener("open", () => {
      const sent = ws.ping("node-ping", () => {
        called++;
        ws.send("pong seen");
      });
      if (!sent) ws.send("ping refused");
    }));
    const accepted = arrivals.next(path);
    const run = runPythonClient({ url: url(path), steps: [{ op: "recv" }] });
    const { seen } = await accepted;
    const result = transcriptOf(await run);
    expect(result.steps).toEqual([{ message: await info("pong seen") }]);
    expect(called).toBe(1);
    expect(seen.pongs).toEqual(["node-ping"]);
  }, TIMEOUT);

  itWithPeer("python closes with code and reason", hasPythonWebsockets, HINT, async () => {
    const path = "/python-closes";
    const accepted = arrivals.next(path);
    const run = runPythonClient({ url: url(path), steps: [{ op: "close", code: 4001, reason: "python says bye" }] });
    const { seen } = await accepted;
    const result = transcriptOf(await run);
    expect(await seen.closed).toEqual({ code: 4001, reason: "python says bye", wasClean: true });
    expect(result.close_sent).toEqual({ code: 4001, reason: "python says bye" });
    // RFC 6455 section 5.5.1: the answering Close echoes the status code.
    expect(result.close_rcvd?.code).toBe(4001);
  }, TIMEOUT);

  itWithPeer("we close with code and reason", hasPythonWebsockets, HINT, async () => {
    const path = "/node-closes";
    arrivals.on(path, (ws) => ws.addEventListener("open", () => ws.close(4002, "node says bye")));
    const accepted = arrivals.next(path);
    const run = runPythonClient({ url: url(path), steps: [{ op: "recv_until_closed" }] });
    const { seen } = await accepted;
    const result = transcriptOf(await run);
    expect(result.close_rcvd).toEqual({ code: 4002, reason: "node says bye" });
    expect(result.close_sent?.code).toBe(4002);
    expect(await seen.closed).toEqual({ code: 4002, reason: "node says bye", wasClean: true });
  }, TIMEOUT);

  itWithPeer("subprotocol: we pick the first of python's list we speak", hasPythonWebsockets, HINT, async () => {
    const path = "/subprotocol";
    const accepted = arrivals.next(path);
    const run = runPythonClient({ url: url(path), subprotocols: ["soap", "chat", "wamp"] });
    const { ws } = await accepted;
    const result = transcriptOf(await run);
    expect(result.subprotocol).toBe("chat");
    expect(ws.protocol).toBe("chat");
  }, TIMEOUT);

  itWithPeer("subprotocol: none in common, none chosen", hasPythonWebsockets, HINT, async () => {
    const path = "/no-subprotocol";
    const accepted = arrivals.next(path);
    const run = runPythonClient({ url: url(path), subprotocols: ["soap"] });
    const { ws } = await accepted;
    const result = transcriptOf(await run);
    expect(result.subprotocol).toBe(null);
    expect(ws.protocol).toBe("");
  }, TIMEOUT);

  // A refused handshake reaches the application only on the node:http hook
  // (flags.refusedHandshakeReachesApp): there it sees error, then close 1006.
  const refusal = flags.refusedHandshakeReachesApp ? ", and error + close 1006 on our side" : " (no socket reaches the app)";
  for (const header of ["Sec-WebSocket-Key", "Sec-WebSocket-Version"]) {
    itWithPeer(`bad request (${header} twice) gets 400${refusal}`, hasPythonWebsockets, HINT, async () => {
      const path = `/bad-${header}`;
      const accepted = arrivals.next(path);
      const value = header === "Sec-WebSocket-Key" ? "AAAAAAAAAAAAAAAAAAAAAA==" : "13";
      const result = (await runPythonClient({ url: url(path), headers: [[header, value]] })) as HandshakeFailure;
      expect(result.error).toBe("InvalidStatusCode");
      expect(result.status).toBe(400);
      if (flags.refusedHandshakeReachesApp) {
        const { seen } = await accepted;
        expect(await seen.closed).toEqual({ code: 1006, reason: "", wasClean: false });
        expect(seen.order).toEqual(["error", "close"]);
      } else {
        expect(ours.sockets.some((ws) => new URL(ws.url).pathname === path)).toBe(false);
      }
    }, TIMEOUT);
  }
  itWithPeer(`our chooser picks a protocol python did not offer: 500${flags.refusedHandshakeReachesApp ? ", and an error on our side" : ""}`, hasPythonWebsockets, HINT, async () => {
    const picky = byPath<WebSocket>();
    const server = await startOurServer({ protocols: () => "nope", onConnection: picky.onConnection });
    try {
      const accepted = picky.next("/bad-chooser");
      const result = (await runPythonClient({ url: server.url + "/bad-chooser", subprotocols: ["chat"] })) as HandshakeFailure;
      expect(result.error).toBe("InvalidStatusCode");
      expect(result.status).toBe(500);
      if (flags.refusedHandshakeReachesApp) {
        const { seen } = await accepted;
        expect(await seen.closed).toEqual({ code: 1006, reason: "", wasClean: false });
        expect(seen.errors).toEqual(['Subprotocol "nope" was not offered by the client']);
      } else {
        expect(server.sockets).toEqual([]);
      }
    } finally {
      await server.close();
    }
  }, TIMEOUT);
});

// ------------------------------------------- our client -> python server --

describe("interop: our client -> python websockets server", () => {
  let py: PythonServer | undefined;
  beforeAll(async () => {
    if (hasPythonWebsockets()) py = await startPythonServer({ subprotocols: ["chat", "superchat"] });
  });
  afterAll(async () => {
    await py?.close();
  });

  function connect(path: string, steps?: Step[], protocols?: string[]): WebSocket {
    return new WebSocket(py!.url(path, steps), protocols, { binaryType: "arraybuffer" });
  }

  for (const kind of ["text", "binary"] as const) {
    for (const size of SIZES) {
      itWithPeer(`${kind} ${label(size)} both ways`, hasPythonWebsockets, HINT, async () => {
        const path = `/data-${kind}-${size}`;
        const ws = connect(path, [{ op: "recv" }, { op: "send", kind, size }, { op: "recv_until_closed" }]);
        const seen = observe(ws);
        await seen.opened;
        const data = payload(kind as "text", size);
        ws.send(data);
        const got = bytesOf(await seen.next());
        expect(await info(got)).toEqual(await info(data));
        ws.close(1000, "done");
        expect(await seen.closed).toEqual({ code: 1000, reason: "done", wasClean: true });
        const report = await py!.report(path);
        expect(report.steps).toEqual([{ message: await info(data) }, { sent: size }]);
        expect(report.close_rcvd).toEqual({ code: 1000, reason: "done" });
      }, TIMEOUT);
    }
  }

  for (const kind of ["text", "binary"] as const) {
    itWithPeer(`fragmented ${kind} message from python arrives whole`, hasPythonWebsockets, HINT, async () => {
      const path = `/fragments-${kind}`;
      const sizes = [3, 0, 200, 70_000, 1];
      const ws = connect(path, [{ op: "send_fragments", kind, sizes }, { op: "recv_until_closed" }]);
      const seen = observe(ws);
      const got = bytesOf(await seen.next());
      expect(await info(got)).toEqual(await info(payload(kind as "text", 70_204)));
      ws.close();
      await seen.closed;
      expect(seen.messages.length).toBe(1);
      expect((await py!.report(path)).steps[0]).toEqual({ sent_fragments: sizes });
    }, TIMEOUT);
  }

  itWithPeer("we ping, python pongs, the callback runs", hasPythonWebsockets, HINT, async () => {
    const path = "/node-pings";
    const ws = connect(path, [{ op: "recv_until_closed" }]);
    const seen = observe(ws);
    await seen.opened;
    await new Promise<void>((resolve, reject) => {
      if (!ws.ping("node-ping", resolve)) reject(new Error("ping refused while open"));
    });
    expect(seen.pongs).toEqual(["node-ping"]);
    ws.close();
    await seen.closed;
  }, TIMEOUT);

  itWithPeer("python pings, we pong with the same data", hasPythonWebsockets, HINT, async () => {
    const path = "/python-pings";
    const ws = connect(path, [{ op: "ping", data: "py-ping" }, { op: "send", text: "after ping" }, { op: "recv_until_closed" }]);
    const seen = observe(ws);
    expect(await seen.next()).toBe("after ping");
    expect(seen.pings).toEqual(["py-ping"]);
    ws.close();
    await seen.closed;
    expect((await py!.report(path)).steps[0]).toEqual({ pong: "py-ping" });
  }, TIMEOUT);

  itWithPeer("we close with code and reason", hasPythonWebsockets, HINT, async () => {
    const path = "/node-closes";
    const ws = connect(path, [{ op: "recv_until_closed" }]);
    const seen = observe(ws);
    await seen.opened;
    ws.close(4003, "node client bye");
    expect(await seen.closed).toEqual({ code: 4003, reason: "node client bye", wasClean: true });
    const report = await py!.report(path);
    expect(report.close_rcvd).toEqual({ code: 4003, reason: "node client bye" });
    expect(report.close_sent?.code).toBe(4003);
  }, TIMEOUT);

  itWithPeer("python closes with code and reason", hasPythonWebsockets, HINT, async () => {
    const path = "/python-closes";
    const ws = connect(path, [{ op: "close", code: 4004, reason: "python server bye" }]);
    const seen = observe(ws);
    expect(await seen.closed).toEqual({ code: 4004, reason: "python server bye", wasClean: true });
    const report = await py!.report(path);
    expect(report.close_sent).toEqual({ code: 4004, reason: "python server bye" });
    expect(report.close_rcvd?.code).toBe(4004);
  }, TIMEOUT);

  itWithPeer("subprotocol: python picks one we offered", hasPythonWebsockets, HINT, async () => {
    const path = "/subprotocol";
    const ws = connect(path, [{ op: "recv_until_closed" }], ["mqtt", "superchat"]);
    const seen = observe(ws);
    await seen.opened;
    expect(ws.protocol).toBe("superchat");
    ws.close();
    await seen.closed;
    expect((await py!.report(path)).subprotocol).toBe("superchat");
  }, TIMEOUT);

  itWithPeer("subprotocol: python picks none of ours, we fail the connection", hasPythonWebsockets, HINT, async () => {
    // WHATWG fetch, "establish a WebSocket connection": protocols were
    // requested and the response names none -> fail. Python accepts it.
    const path = "/no-subprotocol";
    const ws = connect(path, [{ op: "recv_until_closed" }], ["mqtt"]);
    const seen = observe(ws);
    expect(await seen.closed).toEqual({ code: 1006, reason: "", wasClean: false });
    expect(seen.order).toEqual(["error", "close"]);
    expect(ws.statusCode).toBe(101);
    const report = await py!.report(path);
    expect(report.subprotocol).toBe(null);
    expect(report.close_rcvd).toBe(null);
  }, TIMEOUT);

  itWithPeer("python refuses the handshake with 403", hasPythonWebsockets, HINT, async () => {
    const ws = connect("/reject");
    const seen = observe(ws);
    expect(await seen.closed).toEqual({ code: 1006, reason: "", wasClean: false });
    expect(seen.order).toEqual(["error", "close"]);
    expect(ws.statusCode).toBe(403);
    expect(ws.headers["x-reason"]).toBe("not allowed");
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  }, TIMEOUT);
});
