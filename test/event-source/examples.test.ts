/**
 * The event-source examples (docs/event-source.md) run here: the node:http
 * server and the fetch-style handler, each followed by the client example,
 * and the sans-I/O round trip. The docs' code blocks must be excerpts of
 * these files, so what the docs show is what runs.
 */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "../harness.ts";
import { createServer } from "../../examples/sse-node.ts";
import { handler } from "../../examples/sse-fetch.ts";
import { follow } from "../../examples/sse-client.ts";
import { roundTrip } from "../../examples/sse-sans-io.ts";
import { serveFetch } from "./servers.ts";

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
    const root = new URL("../../", import.meta.url);
    const docs = readFileSync(new URL("docs/event-source.md", root), "utf8");
    const blocks = [...docs.matchAll(/```ts\n\/\/ (examples\/[\w.-]+)\n([\s\S]*?)```/g)];
    expect(blocks.length).toBe(4);
    for (const [, file, body] of blocks) {
      const source = readFileSync(new URL(file!, root), "utf8");
      // "// ..." marks a cut: each piece must appear, in order.
      let from = 0;
      for (const piece of body!.split("// ...\n")) {
        const at = source.indexOf(piece, from);
        if (at < 0) throw new Error(`docs/event-source.md: this excerpt is not in ${file}:\n${piece}`);
        from = at + piece.length;
      }
    }
  });
});
