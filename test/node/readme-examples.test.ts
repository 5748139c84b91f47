/**
 * The README's examples are excerpts of examples/*.ts: this checks that the
 * README still quotes those files exactly (imports shown as a user writes
 * them), and runs the WebSocket pair here (the others run in
 * test/deno/examples.test.ts, test/bun/examples.test.ts,
 * test/web/deflate-options.test.ts and test/event-source/examples.test.ts).
 */
import type { AddressInfo } from "node:net";
import { describe, it, expect } from "../harness.ts";
import { checkExcerpts } from "../peers/excerpts.ts";
import { createEchoServer } from "../../examples/echo-server.ts";
import { talk } from "../../examples/client.ts";

describe("README examples", () => {
  it("quotes the example files exactly", () => {
    expect(checkExcerpts("README.md")).toEqual([
      "examples/echo-server.ts",
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
