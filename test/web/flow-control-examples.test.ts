/**
 * The examples of docs/flow-control.md (examples/flow-control.ts) on the
 * running runtime, over node:http (which all three have), and the doc's
 * code blocks checked as excerpts of the example file.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { describe, expect, it, until } from "../harness.ts";
import { WebSocket } from "../entry.ts";
import { acceptCapped, createStreamServer, handleSlowly, readFeed, sendAll, upload } from "../../examples/flow-control.ts";
import { startWsServer } from "../peers/servers.ts";
import { checkExcerpts } from "../peers/excerpts.ts";
import { rawClient } from "../peers/raw.ts";

const KiB = 1024;

async function listening(server: http.Server): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => { sockets.add(socket); socket.on("close", () => sockets.delete(socket)); });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("docs/flow-control.md examples", () => {
  it("readFeed() (README) reads ws's feed at its own pace", async () => {
    const server = await startWsServer({
      echo: false,
      handleProtocols: (offered) => (offered.has("feed") ? "feed" : false),
      onConnection: (socket) => {
        for (let i = 0; i < 5; i++) socket.send(`item ${i}`);
        socket.close(1000, "end of feed");
      },
    });
    try {
      const got: unknown[] = [];
      const closed = await readFeed(server.url, async (message) => {
        got.push(message);
        await new Promise((resolve) => setTimeout(resolve, 5));
      });
      expect(got).toEqual(["item 0", "item 1", "item 2", "item 3", "item 4"]);
      expect(closed).toEqual({ closeCode: 1000, reason: "end of feed" });
    } finally {
      await server.close();
    }
  });

  it("upload() through WebSocketStream to createStreamServer()'s slow stream reader", async () => {
    const server = await listening(createStreamServer());
    try {
      const chunks = Array.from({ length: 64 }, () => new Uint8Array(64 * KiB));
      expect(await upload(server.url, chunks)).toBe(`received ${64 * 64 * KiB} bytes`);
    } finally {
      await server.close();
    }
  });

  it("sendAll() waits for drain; handleSlowly() pauses around each message; every message arrives in order", async () => {
    const got: number[] = [];
    const http_ = http.createServer();
    http_.on("upgrade", (req, socket, head) => {
      const ws = new WebSocket(req, socket, head);
      ws.binaryType = "uint8array";
      handleSlowly(ws, async (data) => {
        got.push((data as Uint8Array)[0]!);
        await new Promise((resolve) => setTimeout(resolve, 1));
      });
    });
    const server = await listening(http_);
    try {
      const ws = new WebSocket(server.url);
      await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
      const messages = Array.from({ length: 100 }, (_, i) => new Uint8Array(64 * KiB).fill(i));
      await sendAll(ws, messages);
      await until(() => got.length === 100, 20_000, "every message");
      expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
      ws.close();
    } finally {
      await server.close();
    }
  });

  it("acceptCapped() drops a peer that never reads", async () => {
    let dropped = "";
    let closeCode = 0;
    const http_ = http.createServer();
    http_.on("upgrade", (req, socket, head) => {
      const ws = acceptCapped(req, socket, head, (code) => { dropped = code; });
      ws.on("close", (event) => { closeCode = event.code; });
      ws.addEventListener("open", () => {
        const chunk = new Uint8Array(1024 * KiB);
        const tick = () => {
          if (ws.readyState !== WebSocket.OPEN) return;
          ws.send(chunk);
          setTimeout(tick, 0);
        };
        tick();
      });
    });
    const server = await listening(http_);
    try {
      const raw = await rawClient(server.port, { allowHalfOpen: true });
      raw.socket.removeAllListeners("data");
      raw.socket.pause();
      await until(() => closeCode !== 0, 20_000, "the drop");
      expect(dropped).toBe("WS_ERR_BACKPRESSURE_LIMIT");
      expect(closeCode).toBe(1008);
      raw.socket.destroy();
    } finally {
      await server.close();
    }
  });

  it("docs/flow-control.md quotes examples/flow-control.ts", () => {
    expect(checkExcerpts("docs/flow-control.md")).toContain("examples/flow-control.ts");
  });
});
