/**
 * The Bun examples of docs/runtimes.md run here (examples/bun.ts, and the
 * node:http example examples/echo-server.ts on Bun), and the docs' code
 * blocks must be excerpts of the example files.
 */
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "../harness.ts";
import { listenChat, serveChat, talk } from "../../examples/bun.ts";
import { createEchoServer } from "../../examples/echo-server.ts";
import { checkExcerpts } from "../peers/excerpts.ts";
import { observe } from "../peers/observe.ts";

describe("docs/runtimes.md examples on Bun", () => {
  it("examples/bun.ts: Bun.serve with createBunHandler(), and the client", async () => {
    const server = serveChat(0);
    try {
      expect(await talk(`ws://127.0.0.1:${server.port}/`)).toEqual(["chat echo: Hello, world!", "close 1000 true"]);
      const plain = await fetch(`http://127.0.0.1:${server.port}/`);
      expect(await plain.text()).toBe("Hello");
    } finally {
      server.stop(true);
    }
  });

  it("examples/bun.ts: the standalone listen(), and the client", async () => {
    const server = listenChat(0);
    try {
      expect(await talk(server.url)).toEqual(["chat echo: Hello, world!", "close 1000 true"]);
    } finally {
      await server.close();
    }
  });

  it("examples/echo-server.ts (node:http upgrade) with Bun's own WebSocket", async () => {
    const server = createEchoServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const ws = new globalThis.WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const seen = observe(ws);
      await seen.opened;
      ws.send("from bun");
      expect(await seen.next()).toBe("from bun");
      ws.close(1000);
      expect((await seen.closed).code).toBe(1000);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("docs/runtimes.md quotes the example files", () => {
    const files = checkExcerpts("docs/runtimes.md");
    expect(files).toContain("examples/bun.ts");
    expect(files).toContain("examples/deno.ts");
  });
});
