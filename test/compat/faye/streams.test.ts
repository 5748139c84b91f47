/**
 * faye sockets as Node streams, with backpressure that reaches TCP:
 * `ws.pipe(ws)`, `readable.pipe(ws)`, write() answering false while the
 * socket's buffer is full and `drain` after, pause() that stops reading.
 * The 100 MiB run's real figures: bench/faye-pipe.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, runtime, until } from "../../harness.ts";
import WebSocket from "../../../src/runtime/node/compat/faye/index.ts";
import { makeConsumer, ROOT, type Consumer } from "./support/consumer.ts";
import { pumpThrough } from "./support/pipe-client.ts";

const MiB = 1024 * 1024;

function echoServer(onSocket: (ws: InstanceType<typeof WebSocket>) => void): Promise<{ url: string; close(): void }> {
  const server = http.createServer();
  server.on("upgrade", (request, socket, body) => onSocket(new WebSocket(request, socket, body)));
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo;
    resolve({ url: `ws://127.0.0.1:${port}/`, close: () => server.close() });
  }));
}

/** Starts support/pipe-server.mjs in the consumer project on this runtime; resolves with its port and a way to read its report. */
function startPipeServer(consumer: Consumer): Promise<{ port: number; report: Promise<{ base: { heap: number; rss: number }; peak: { heap: number; rss: number } }>; child: ChildProcess }> {
  copyFileSync(join(ROOT, "test/compat/faye/support/pipe-server.mjs"), join(consumer.dir, "pipe-server.mjs"));
  const args = runtime === "deno" ? ["run", "-A", "--v8-flags=--expose-gc", "pipe-server.mjs"] : runtime === "bun" ? ["pipe-server.mjs"] : ["--expose-gc", "pipe-server.mjs"];
  const child = spawn(process.execPath, args, { cwd: consumer.dir });
  return new Promise((resolve, reject) => {
    let buffered = "";
    let reportResolve!: (r: never) => void;
    const report = new Promise<never>((r) => { reportResolve = r; });
    child.stderr!.on("data", (chunk: Uint8Array) => process.stderr.write(chunk));
    child.stdout!.on("data", (chunk: Uint8Array) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = JSON.parse(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        if ("port" in line) resolve({ port: line.port, report, child });
        else reportResolve(line as never);
      }
    });
    child.on("error", reject);
  });
}

describe("faye sockets are Node streams", () => {
  it("ws.pipe(ws) echoes text as text and binary as Buffers, in order", async () => {
    const server = await echoServer((ws) => ws.pipe(ws));
    try {
      const client = new WebSocket.Client(server.url);
      const got: unknown[] = [];
      client.on("open", () => { client.write("one"); client.write(Buffer.from([1, 2])); client.write("three"); });
      client.on("data", (data: unknown) => { got.push(data); if (got.length === 3) client.close(); });
      await new Promise((r) => client.on("close", r));
      expect(got[0]).toBe("one");
      expect(Buffer.isBuffer(got[1])).toBe(true);
      expect([...(got[1] as Buffer)]).toEqual([1, 2]);
      expect(got[2]).toBe("three");
    } finally {
      server.close();
    }
  });

  it("readable.pipe(ws) sends each chunk as a message and end() closes", async () => {
    const seen: string[] = [];
    let closed: { code: number } | null = null;
    const server = await echoServer((ws) => {
      ws.on("message", (event: { data: string }) => seen.push(event.data));
      ws.on("close", (event: { code: number }) => { closed = event; });
    });
    try {
      const client = new WebSocket.Client(server.url);
      await new Promise((r) => client.on("open", r));
      Readable.from(["a", "b", "c"]).pipe(client);
      await until(() => closed !== null, 10_000, "the server's close");
      expect(seen).toEqual(["a", "b", "c"]);
      expect(closed!.code).toBe(1000);
    } finally {
      server.close();
    }
  });

  it("ws.pipe(writable): a slow destination pauses the socket, which stops reading TCP", async () => {
    // More than loopback's kernel buffers hold, so the server's writes must wait.
    const total = 32 * MiB;
    const server = await echoServer((ws) => {
      // The server sends as fast as write() allows, waiting for drain when told to.
      const block = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      let falses = 0;
      const pump = () => {
        while (sent < total) {
          sent += block.length;
          if (!ws.write(block)) { falses++; ws.once("drain", pump); return; }
        }
        ws.send(`done ${falses > 0}`);
      };
      ws.on("open", pump);
    });
    try {
      const client = new WebSocket.Client(server.url);
      let received = 0;
      let last = "";
      const slow = new Writable({
        highWaterMark: 64 * 1024,
        decodeStrings: false,
        write(chunk: Buffer | string, _enc, callback) {
          if (typeof chunk === "string") last = chunk;
          else received += chunk.length;
          setImmediate(callback); // a consumer slower than the network
        },
      });
      client.pipe(slow);
      await until(() => last.startsWith("done"), 60_000, "the server's last message");
      expect(received).toBe(total);
      // The server's write() said false at least once: its buffer filled because we stopped reading.
      expect(last).toBe("done true");
      client.close();
    } finally {
      server.close();
    }
  }, 90_000);

  describe("100 MiB through ws.pipe(ws)", () => {
    let consumer: Consumer;
    beforeAll(() => { consumer = makeConsumer(); });
    afterAll(() => consumer?.remove());

    it("keeps the server's memory bounded", async () => {
      const server = await startPipeServer(consumer);
      try {
        const result = await pumpThrough(`ws://127.0.0.1:${server.port}/`, 100 * MiB);
        const report = await server.report;
        expect(result.received).toBe(100 * MiB);
        const growth = (report.peak.heap - report.base.heap) / MiB;
        // Generous (about 10 MiB here, up to 35 MiB on Bun with a busy
        // machine and a lazy GC): a server that kept reading what it could
        // not send holds most of the 100 MiB (60-90 MiB here).
        expect(growth).toBeLessThan(48);
      } finally {
        server.child.kill();
      }
    }, 180_000);
  });
});
