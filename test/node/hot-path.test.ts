/**
 * The hot path's promise (DESIGN "Performance", STYLE principle 7): the
 * replies that listeners send while one received chunk is dispatched leave
 * in ONE write to the socket. Counted on the server's net.Socket itself
 * (its _write/_writev, what reaches libuv), not by timing.
 */
import type { Duplex } from "node:stream";
import { afterAll, describe, expect, it, until } from "../harness.ts";
import { clientFrame, rawClient, type RawClient } from "../peers/raw.ts";
import { startHookServer, type HookServer } from "../peers/servers.ts";

interface WriteLog {
  /** One entry per write handed to the OS: the number of buffers in it. */
  writes: number[];
  dataEvents: number;
}

/** Counts the writes that leave `socket` and the chunks that arrive on it. */
function instrument(socket: Duplex): WriteLog {
  const log: WriteLog = { writes: [], dataEvents: 0 };
  const s = socket as Duplex & {
    _write(chunk: unknown, enc: string, cb: () => void): void;
    _writev?(chunks: unknown[], cb: () => void): void;
  };
  const write = s._write.bind(s);
  s._write = (chunk, enc, cb) => { log.writes.push(1); write(chunk, enc, cb); };
  const writev = s._writev?.bind(s);
  if (writev) s._writev = (chunks, cb) => { log.writes.push(chunks.length); writev(chunks, cb); };
  socket.on("data", () => { log.dataEvents++; });
  return log;
}

describe("hot path", () => {
  let server: HookServer;
  let raw: RawClient | undefined;
  afterAll(async () => {
    raw?.socket.destroy();
    await server?.close();
  });

  it("50 small frames in one chunk: the 50 echoes go out in one socket write", async () => {
    let log: WriteLog | null = null;
    server = await startHookServer({
      // The echo listener (startHookServer's) replies to every message.
      beforeUpgrade: (_req, socket) => { log = instrument(socket); },
    });
    raw = await rawClient(server.port);
    await until(() => server.sockets[0]?.readyState === 1, 10_000, "server open");
    await until(() => log !== null && log.writes.length === 1, 10_000, "101 written"); // the handshake response
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 50; i++) frames.push(clientFrame(0x1, `message ${i}`));
    const chunk = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of frames) { chunk.set(f, at); at += f.length; }
    raw.socket.write(chunk);
    await until(() => raw!.log.frames.length === 50, 10_000, "50 echoes");
    const seen = log!;
    // The precondition: the 50 frames arrived as one chunk.
    expect(seen.dataEvents).toBe(1);
    expect(seen.writes.length).toBe(2); // the 101, then the echoes
    expect(raw.log.frames.map((f) => new TextDecoder().decode(f.payload))).toEqual(frames.map((_, i) => `message ${i}`));
  });
});
