/**
 * The README's WebSocket examples are excerpts of examples/*.ts: this runs
 * those files and checks that the README still quotes them exactly.
 */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { describe, it, expect } from "../harness.ts";
import { createEchoServer } from "../../examples/echo-server.ts";
import { talk } from "../../examples/client.ts";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

function quoted(file: string): string {
  const source = readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
  // The README shows each file up to its `if (import.meta.url ...)` runner,
  // with the repository import replaced by the package name.
  return source
    .slice(0, source.indexOf("\nif (import.meta.url"))
    .replace(/from "\.\.\/src\/runtime\/node\/index\.ts"; \/\/ from "omnisocket" once installed/, 'from "omnisocket";')
    .trim();
}

describe("README examples", () => {
  for (const file of ["examples/echo-server.ts", "examples/client.ts"]) {
    it(`quotes ${file} exactly`, () => {
      expect(readme.includes(quoted(file))).toBe(true);
    });
  }

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
