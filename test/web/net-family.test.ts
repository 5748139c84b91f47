/**
 * The client's `net.family` option on each runtime's own connector
 * (node:net on Node; Deno.connect and Bun.connect resolve the name to an
 * address of that family first): the connection opens over IPv4, and with
 * family 6 the name resolves to ::1 (or not at all), where nothing listens.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it, runtime } from "../harness.ts";
import { WebSocket } from "../entry.ts";

describe(`net.family on ${runtime}'s connector`, () => {
  const server = http.createServer();
  let port = 0;
  beforeAll(async () => {
    server.on("upgrade", (request, socket, head) => {
      const ws = new WebSocket(request, socket, head);
      ws.onmessage = (event) => ws.send(`${event.data} from ${request.socket.remoteAddress}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("family 4 dials the IPv4 address of localhost", async () => {
    const ws = new WebSocket(`ws://localhost:${port}/`, [], { net: { family: 4 } });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.onopen = () => ws.send("hello");
      ws.onmessage = (event) => resolve(String(event.data));
      ws.onerror = (event) => reject((event as ErrorEvent).error);
    });
    ws.close();
    expect(reply).toMatch(/^hello from (::ffff:)?127\.0\.0\.1$/);
  });

  it("family 6 dials localhost's IPv6 address, where nothing listens: the connection fails", async () => {
    const ws = new WebSocket(`ws://localhost:${port}/`, [], { net: { family: 6 } });
    const events: string[] = [];
    await new Promise<void>((resolve) => {
      ws.onopen = () => events.push("open");
      ws.onerror = () => events.push("error");
      ws.onclose = (event) => {
        events.push(`close ${event.code}`);
        resolve();
      };
    });
    expect(events).toEqual(["error", "close 1006"]);
  });
});
