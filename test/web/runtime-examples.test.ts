/**
 * The examples of docs/runtimes.md on the running runtime: the runtime's
 * own example file (flags.runtimeExample: examples/deno.ts, examples/bun.ts;
 * Node's examples run in test/node/readme-examples.test.ts), and the
 * node:http example examples/echo-server.ts with the runtime's own
 * WebSocket; the docs' code blocks must be excerpts of the example files.
 */
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "../harness.ts";
import { flags } from "../runtime-flags.ts";
import { createEchoServer } from "../../examples/echo-server.ts";
import { checkExcerpts } from "../peers/excerpts.ts";
import { observe } from "../peers/observe.ts";
import { nativeWebSocket } from "../peers/our-server.ts";

/** What examples/deno.ts and examples/bun.ts export, with their servers' differences smoothed over. */
interface RuntimeExample {
  serveChat(port: number): { addr?: { port: number }; port?: number; shutdown?(): Promise<void>; stop?(force?: boolean): void };
  listenChat(port: number): { url: string; close(): Promise<void> };
  talk(url: string): Promise<string[]>;
}

describe("docs/runtimes.md examples on this runtime", () => {
  if (flags.runtimeExample) {
    const file = flags.runtimeExample;
    // A computed specifier: only this runtime loads (and type-checks) its example.
    const load = () => import("../../" + file) as Promise<RuntimeExample>;

    it(`${file}: the runtime's own server integration, and the client`, async () => {
      const { serveChat, talk } = await load();
      const server = serveChat(0);
      const port = server.addr?.port ?? server.port!;
      try {
        expect(await talk(`ws://127.0.0.1:${port}/`)).toEqual(["chat echo: Hello, world!", "close 1000 true"]);
        const plain = await fetch(`http://127.0.0.1:${port}/`);
        expect(await plain.text()).toBe("Hello");
      } finally {
        if (server.shutdown) await server.shutdown();
        else server.stop!(true);
      }
    });

    it(`${file}: the standalone listen(), and the client`, async () => {
      const { listenChat, talk } = await load();
      const server = listenChat(0);
      try {
        expect(await talk(server.url)).toEqual(["chat echo: Hello, world!", "close 1000 true"]);
      } finally {
        await server.close();
      }
    });
  }

  it("examples/echo-server.ts (node:http upgrade) with the runtime's own WebSocket", async () => {
    const server = createEchoServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const ws = new nativeWebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const seen = observe(ws);
      await seen.opened;
      ws.send("from this runtime");
      expect(await seen.next()).toBe("from this runtime");
      ws.close(1000);
      expect((await seen.closed).code).toBe(1000);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("docs/runtimes.md quotes the example files", () => {
    const files = checkExcerpts("docs/runtimes.md");
    expect(files).toContain("examples/deno.ts");
    expect(files).toContain("examples/bun.ts");
  });
});
