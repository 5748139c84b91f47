/**
 * The event-source examples (docs/event-source.md) run here: the node:http
 * server and the fetch-style handler, each followed by the client example,
 * and the sans-I/O round trip. The docs' code blocks must be excerpts of
 * these files, so what the docs show is what runs.
 */
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "../harness.ts";
import { createServer } from "../../examples/sse-node.ts";
import { handler } from "../../examples/sse-fetch.ts";
import { follow } from "../../examples/sse-client.ts";
import { roundTrip } from "../../examples/sse-sans-io.ts";
import { serveFetch } from "./servers.ts";
import { checkExcerpts } from "../peers/excerpts.ts";

describe("event-source: examples", () => {
  it("examples/sse-node.ts with examples/sse-client.ts", async () => {
    const server = createServer(10);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const log: unknown[][] = [];
    try {
      const seen = await follow(`http://127.0.0.1:${port}/`, 6, (...args) => log.push(args));
      expect(seen).toEqual([
        "message: Hello 1 (last id 1)",
        "message: Hello 2 (last id 2)",
        "message: Hello 3 (last id 3)",
        "message: Hello 4 (last id 4)",
        "message: Hello 5 (last id 5)",
        "notification: Breaking News! (last id 5)",
      ]);
      expect(log[0]).toEqual(["open", `http://127.0.0.1:${port}/`]);
      const plain = await fetch(`http://127.0.0.1:${port}/`);
      expect(await plain.text()).toBe("Hello");
    } finally {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("examples/sse-fetch.ts with examples/sse-client.ts", async () => {
    const server = await serveFetch((request) => handler(request, 10));
    try {
      const seen = await follow(`${server.url}/`, 3, () => {});
      expect(seen).toHaveLength(3);
      seen.forEach((line, i) => expect(line).toMatch(new RegExp(`^message: ${i + 1} at \\d{4}-\\d\\d-\\d\\dT.* \\(last id ${i + 1}\\)$`)));
      const plain = await fetch(`${server.url}/`);
      expect(await plain.text()).toBe("Hello");
    } finally {
      await server.close();
    }
  });

  it("examples/sse-sans-io.ts", () => {
    expect(roundTrip()).toEqual([{ type: "message", event: "news", data: "a\nb", lastEventId: "7" }]);
  });

  it("docs/event-source.md shows excerpts of these files", () => {
    expect(checkExcerpts("docs/event-source.md")).toEqual([
      "examples/sse-node.ts",
      "examples/sse-fetch.ts",
      "examples/sse-client.ts",
      "examples/sse-sans-io.ts",
    ]);
  });
});
