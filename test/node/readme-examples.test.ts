/**
 * The README's examples are excerpts of examples/*.ts: this checks that the
 * README still quotes those files exactly (imports shown as a user writes
 * them), and runs the WebSocket pair here (the others run in
 * test/deno/examples.test.ts, test/bun/examples.test.ts,
 * test/web/deflate-options.test.ts and test/event-source/examples.test.ts).
 */
import type { AddressInfo } from "node:net";
import { describe, it, expect, until } from "../harness.ts";
import { checkExcerpts } from "../peers/excerpts.ts";
import { createEchoServer } from "../../examples/echo-server.ts";
import { talk } from "../../examples/client.ts";
import { startEchoServer } from "../../examples/listen.ts";

describe("README examples", () => {
  it("quotes the example files exactly", () => {
    expect(checkExcerpts("README.md")).toEqual([
      "examples/echo-server.ts",
      "examples/listen.ts",
      "examples/client.ts",
      "examples/deno.ts",
      "examples/bun.ts",
      "examples/compression.ts",
      "examples/pubsub.ts",
      "examples/sse-node.ts",
      "examples/sse-fetch.ts",
      "examples/sse-client.ts",
      "examples/flow-control.ts",
    ]);
  });

  it("examples/listen.ts: the standalone server echoes for the client example", async () => {
    const logged: unknown[][] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => { logged.push(args); };
    try {
      const server = await startEchoServer(0);
      try {
        const transcript = await talk(`${server.url}/chat`);
        expect(transcript[1]).toBe("message Hello, world!");
        expect(transcript.at(-1)).toBe("close 1000  true");
        expect(logged).toEqual([["listening on", server.url], ["connected", "/chat"]]);
        await until(() => server.clients.size === 0, 5_000, "the server-side socket leaving clients");
      } finally {
        await server.close();
      }
    } finally {
      console.log = log;
    }
  });

  it("the client example talks to the echo server example", async () => {
    const server = createEchoServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const log = await talk(`ws://127.0.0.1:${port}/chat`);
      expect(log).toEqual([
        `open ws://127.0.0.1:${port}/chat`,
        "message Hello, world!",
        "message 3 bytes",
        "close 1000  true",
      ]);
    } finally {
      server.close();
    }
  });
});
