/**
 * The WHATWG class's flow-control extensions, on every socket kind:
 * pause() holds "message" events (and stops reading where the runtime
 * lets it), resume() delivers what waited in order, a close that came
 * meanwhile follows the waiting messages; terminate() drops them.
 *
 *   our client      --> ws's server (a peer nobody here wrote)
 *   ws's client     --> every server form of ours (listen(), Deno.serve,
 *                       Bun.serve, node:http hook)
 */
import { describe, expect, it, until } from "../harness.ts";
import { WebSocket, type CloseEvent } from "../entry.ts";
import { startWsServer } from "../peers/servers.ts";
import { wsClient } from "../peers/clients.ts";
import { serverForms } from "../peers/our-server.ts";
import { CLOSE_ME } from "../peers/runtime-scenarios.ts";

type Ours = InstanceType<typeof WebSocket>;

/** Records messages and the close, in order. */
function record(ws: Ours): string[] {
  const log: string[] = [];
  ws.addEventListener("message", (event) => log.push(`message ${String((event as MessageEvent).data)}`));
  ws.addEventListener("close", (event) => log.push(`close ${(event as CloseEvent).code}`));
  return log;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe("pause()/resume() on our client (peer: ws's server)", () => {
  it("messages wait while paused, then come in order; the close follows them", async () => {
    const server = await startWsServer({
      echo: false,
      onConnection: (socket) => {
        for (let i = 0; i < 5; i++) socket.send(`m${i}`);
        socket.close(4000, "done");
      },
    });
    try {
      const ws = new WebSocket(server.url);
      ws.pause(); // before open: nothing is delivered until resume()
      expect(ws.isPaused).toBe(true);
      const log = record(ws);
      await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
      await settle();
      expect(log).toEqual([]);
      expect(ws.readyState).not.toBe(WebSocket.CLOSED);
      ws.resume();
      await until(() => log.length === 6, 5000, "messages and close");
      expect(log).toEqual(["message m0", "message m1", "message m2", "message m3", "message m4", "close 4000"]);
    } finally {
      await server.close();
    }
  });

  it("a listener that pauses gets one message per resume()", async () => {
    const server = await startWsServer({ echo: false, onConnection: (socket) => { for (let i = 0; i < 3; i++) socket.send(`m${i}`); } });
    try {
      const ws = new WebSocket(server.url);
      const got: string[] = [];
      ws.addEventListener("message", (event) => {
        got.push(String((event as MessageEvent).data));
        ws.pause();
      });
      await until(() => got.length === 1, 5000, "the first message");
      await settle();
      expect(got).toEqual(["m0"]);
      ws.resume();
      expect(got).toEqual(["m0", "m1"]); // delivered synchronously, then paused again
      ws.resume();
      expect(got).toEqual(["m0", "m1", "m2"]);
      ws.resume();
      ws.close();
      await new Promise((resolve) => ws.addEventListener("close", resolve, { once: true }));
    } finally {
      await server.close();
    }
  });

  it("terminate() while paused drops the waiting messages and closes at once (1006)", async () => {
    const server = await startWsServer({ echo: false, onConnection: (socket) => socket.send("never seen") });
    try {
      const ws = new WebSocket(server.url);
      ws.pause();
      const log = record(ws);
      await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
      await settle();
      ws.terminate();
      expect(log).toEqual(["close 1006"]);
    } finally {
      await server.close();
    }
  });
});

describe("pause()/resume() on every server form (peer: ws's client)", () => {
  for (const form of serverForms()) {
    it(`${form.name}: messages wait while paused and come in order on resume()`, async () => {
      const server = await form.start();
      try {
        const client = wsClient(server.url);
        const { ws } = await server.next();
        const ours = ws as unknown as Ours;
        await client.opened;
        ours.pause();
        const log = record(ours);
        client.send("a");
        client.send("b");
        client.send(CLOSE_ME); // the form's echo closes with 4321 when it sees this
        await settle();
        expect(log).toEqual([]);
        ours.resume();
        await until(() => log.includes("close 4321"), 5000, "the close");
        expect(log).toEqual(["message a", "message b", `message ${CLOSE_ME}`, "close 4321"]);
      } finally {
        await server.close();
      }
    });
  }
});
