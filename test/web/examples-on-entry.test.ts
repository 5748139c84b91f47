/**
 * The README's faye-style, client and flow-control examples run from the import a user
 * writes, `from "omnisocket"`, which package.json's export conditions turn
 * into the running runtime's own entry: each example file is copied with its
 * import line pointed at that entry (src/runtime/<runtime>/index.ts) and
 * run, so on Deno and Bun the node:http upgrade form, EventSourceServer, the
 * client and compression all come from the Deno or Bun entry.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type http from "node:http";
import process from "node:process";
import { afterAll, describe, expect, it, runtime } from "../harness.ts";
import { COMPRESSION_TRANSCRIPT } from "../peers/example-transcripts.ts";
import { WebSocket } from "../entry.ts";

const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));
const DIR = `.tmp-entry-${runtime}-${process.pid}`;
const written: string[] = [];

/** The example's source with its omnisocket import (whatever src file it names) replaced by the runtime's entry. */
async function onEntry<T>(file: string): Promise<T> {
  const source = readFileSync(EXAMPLES + file, "utf8");
  let replaced = 0;
  const changed = source.replace(/from "\.\.\/src\/[^"]+\.ts"; \/\/ from "omnisocket" once installed[^\n]*/g, () => {
    replaced++;
    return `from "../../src/runtime/${runtime}/index.ts";`;
  });
  if (replaced !== 1) throw new Error(`${file}: expected one omnisocket import, found ${replaced}`);
  mkdirSync(EXAMPLES + DIR, { recursive: true });
  const path = `${EXAMPLES}${DIR}/${file}`;
  writeFileSync(path, changed);
  written.push(path);
  return (await import(path)) as T;
}

async function listening(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

async function closed(server: http.Server): Promise<void> {
  server.closeAllConnections?.();
  await new Promise((resolve) => server.close(resolve));
}

describe(`README examples from ${runtime}'s own entry`, () => {
  afterAll(() => rmSync(EXAMPLES + DIR, { recursive: true, force: true }));

  it("echo-server.ts (faye-style node:http upgrade) with client.ts", async () => {
    const { createEchoServer } = await onEntry<typeof import("../../examples/echo-server.ts")>("echo-server.ts");
    const { talk } = await onEntry<typeof import("../../examples/client.ts")>("client.ts");
    const server = createEchoServer();
    const port = await listening(server);
    try {
      expect(await talk(`ws://127.0.0.1:${port}/chat`)).toEqual([
        `open ws://127.0.0.1:${port}/chat`,
        "message Hello, world!",
        "message 3 bytes",
        "close 1000  true",
      ]);
    } finally {
      await closed(server);
    }
  });

  it("compression.ts: perMessageDeflate on the node:http form and the client", async () => {
    const { createCompressingServer, talk } = await onEntry<typeof import("../../examples/compression.ts")>("compression.ts");
    const server = createCompressingServer();
    const port = await listening(server);
    try {
      expect(await talk(`ws://127.0.0.1:${port}/`)).toEqual(COMPRESSION_TRANSCRIPT);
    } finally {
      await closed(server);
    }
  });

  it("flow-control.ts: upload() through WebSocketStream into createStreamServer()'s stream reader", async () => {
    const { createStreamServer, upload } = await onEntry<typeof import("../../examples/flow-control.ts")>("flow-control.ts");
    const server = createStreamServer();
    const port = await listening(server);
    try {
      const chunks = Array.from({ length: 16 }, () => new Uint8Array(64 * 1024));
      expect(await upload(`ws://127.0.0.1:${port}/`, chunks)).toBe(`received ${16 * 64 * 1024} bytes`);
    } finally {
      await closed(server);
    }
  });

  it("sse-node.ts (EventSourceServer on node:http) with sse-client.ts", async () => {
    const { createServer } = await onEntry<typeof import("../../examples/sse-node.ts")>("sse-node.ts");
    const { follow } = await onEntry<typeof import("../../examples/sse-client.ts")>("sse-client.ts");
    const server = createServer(10);
    const port = await listening(server);
    try {
      expect(await follow(`http://127.0.0.1:${port}/`, 3, () => {})).toEqual([
        "message: Hello 1 (last id 1)",
        "message: Hello 2 (last id 2)",
        "message: Hello 3 (last id 3)",
      ]);
    } finally {
      await closed(server);
    }
  });

  it("pubsub.ts (the README's chat room): each message to the room, the sender left out", async () => {
    const { createChatServer } = await onEntry<typeof import("../../examples/pubsub.ts")>("pubsub.ts");
    const { server, hub } = createChatServer();
    const port = await listening(server);
    const got: string[][] = [[], [], []];
    const clients = await Promise.all(got.map((log) => new Promise<InstanceType<typeof WebSocket>>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      ws.onmessage = (event) => log.push(String(event.data));
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error("could not connect"));
    })));
    try {
      for (let i = 0; hub.subscriberCount("room") < 3 && i < 100; i++) await new Promise((r) => setTimeout(r, 10));
      expect(hub.subscriberCount("room")).toBe(3);
      // One after the other: two connections' messages have no order between them.
      clients[0]!.send("hello from 0");
      for (let i = 0; got[2]!.length < 1 && i < 200; i++) await new Promise((r) => setTimeout(r, 10));
      clients[1]!.send("hello from 1");
      for (let i = 0; got[2]!.length < 2 && i < 200; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50));
      expect(got[2]).toEqual(["hello from 0", "hello from 1"]);
      expect(got[0]).toEqual(["hello from 1"]);
      expect(got[1]).toEqual(["hello from 0"]);
    } finally {
      for (const ws of clients) ws.terminate();
      await closed(server);
    }
  });
});
