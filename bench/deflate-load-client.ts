/**
 * The load generator for bench/deflate-echo.ts: a raw-socket client that
 * negotiates permessage-deflate (RFC 7692) and keeps K compressed messages
 * in flight on each connection, counting the compressed echoes.
 *
 *   connect --GET, permessage-deflate; client_max_window_bits--> server --101, permessage-deflate-->
 *   [K compressed frames] --> server: inflate, echo, deflate --> count frames (n) --> n more frames
 *
 * The client compresses nothing at run time. Every message carries the same
 * payload, compressed once up front in one DEFLATE stream with context
 * takeover (the default), as text or binary messages: the first two messages differ, and from the third
 * on the compressed bytes are the same, a back-reference into the window
 * the server keeps, so one masked frame repeats. The server still inflates
 * and deflates every message in full; the client only counts frame headers,
 * so its cost is the same for every server. Echoes must be final, RSV1,
 * of the sent opcode: a server that fails to inflate closes the connection,
 * which ends the run with an error. Before the load, a `ws` client checks
 * that the server echoes compressed messages intact.
 *
 * Run as a child process by deflate-echo.ts (IPC): receives a
 * DeflateLoadConfig, sends { type: "measuring" } when warm-up ends and
 * { type: "result", ... } at the end.
 */
import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import zlib from "node:zlib";
import WebSocket from "ws";
// Types only: load-client.ts starts a run when imported into a child process.
import type { LoadResult } from "./load-client.ts";
import { echoCounter, handshake, open } from "./raw-client.ts";

export interface DeflateLoadConfig {
  port: number;
  connections: number;
  /** Messages in flight per connection (2 or more). */
  inFlight: number;
  /** Payload bytes per message (JSON-like text). */
  size: number;
  /** Send the payload as binary messages instead of text (no UTF-8 work for the server). */
  binary: boolean;
  warmupMs: number;
  measureMs: number;
}

const RSV1 = 0x40;

/** JSON-like text of exactly `size` bytes: compressible, as real messages are. */
export function jsonPayload(size: number): Buffer {
  const items: string[] = [];
  let length = 2;
  for (let i = 0; length < size; i++) {
    const item = JSON.stringify({ id: i, user: `user${i % 97}`, score: (i * 7919) % 1000, tags: ["a", "b", String(i % 13)] });
    items.push(item);
    length += item.length + 1;
  }
  return Buffer.from(`[${items.join(",")}]`.slice(0, size));
}

/** The payload compressed `count` times in one stream (sync flush, tail removed: RFC 7692 section 7.2.1). */
async function compressedSeries(payload: Buffer, count: number): Promise<Buffer[]> {
  const deflate = zlib.createDeflateRaw({ windowBits: 15 });
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const chunks: Buffer[] = [];
    const onData = (c: Buffer): void => void chunks.push(c);
    deflate.on("data", onData);
    deflate.write(payload);
    await new Promise<void>((resolve) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
    deflate.off("data", onData);
    const all = Buffer.concat(chunks);
    out.push(all.subarray(0, all.length - 4));
  }
  deflate.close();
  return out;
}

/** One final, masked, compressed data frame (RFC 6455 sections 5.2, 5.3; RFC 7692 section 6: RSV1). */
function compressedFrame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const lengthBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const header = 2 + lengthBytes + 4;
  const frame = Buffer.allocUnsafe(header + n);
  frame[0] = 0x80 | RSV1 | opcode;
  if (lengthBytes === 0) frame[1] = 0x80 | n;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  const key = randomBytes(4);
  key.copy(frame, header - 4);
  for (let i = 0; i < n; i++) frame[header + i] = payload[i]! ^ key[i & 3]!;
  return frame;
}

/** Counts whole frames; each must be a final, compressed frame of `opcode`. */
class CompressedFrameCounter {
  constructor(private readonly opcode: number) {}
  private header = Buffer.alloc(14);
  private headerFill = 0;
  private remaining = 0;
  bytes = 0;

  push(chunk: Buffer): number {
    this.bytes += chunk.length;
    let done = 0;
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - i);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) done++;
        continue;
      }
      const h = this.header;
      h[this.headerFill++] = chunk[i++]!;
      if (this.headerFill < 2) continue;
      const short = h[1]! & 0x7f;
      const need = 2 + (short === 126 ? 2 : short === 127 ? 8 : 0);
      if (this.headerFill < need) continue;
      if (h[0] !== (0x80 | RSV1 | this.opcode)) throw new Error(`unexpected frame: byte0=0x${h[0]!.toString(16)} (a close means the server failed)`);
      this.headerFill = 0;
      this.remaining = short === 126 ? h.readUInt16BE(2) : short === 127 ? Number(h.readBigUInt64BE(2)) : short;
      if (this.remaining === 0) done++;
    }
    return done;
  }
}

/** The upgrade with permessage-deflate offered; refused unless the server agrees on the defaults. */
async function deflateHandshake(socket: Socket, port: number): Promise<Buffer> {
  const { head, leftover } = await handshake(socket, port, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
  // Default windows and context takeover on both sides, or the frames made up front would not fit.
  const extensions = /\r\nsec-websocket-extensions: *([^\r\n]*)/i.exec(head)?.[1]?.trim();
  if (extensions !== "permessage-deflate") throw new Error(`unexpected extensions: ${extensions}`);
  return leftover;
}

/** A ws client sends the payload three times and checks that each compressed echo comes back intact. */
async function checkEcho(port: number, payload: Buffer, binary: boolean): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/check`, { perMessageDeflate: { threshold: 0 } });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  if (ws.extensions !== "permessage-deflate") throw new Error(`check: extensions ${ws.extensions}`);
  for (let i = 0; i < 3; i++) {
    const echo = new Promise<{ data: Buffer; isBinary: boolean }>((resolve) => ws.once("message", (data, isBinary) => resolve({ data: data as Buffer, isBinary })));
    ws.send(payload, { binary });
    const got = await echo;
    if (got.isBinary !== binary || !got.data.equals(payload)) throw new Error("check: the echo differs from what was sent");
  }
  ws.close();
}

export async function runDeflateLoad(config: DeflateLoadConfig, onMeasuring?: () => void): Promise<LoadResult & { wireBytesPerMessage: number }> {
  if (config.inFlight < 2) throw new Error("inFlight must be 2 or more");
  const payload = jsonPayload(config.size);
  await checkEcho(config.port, payload, config.binary);
  const opcode = config.binary ? 2 : 1;
  const [first, second, steady] = (await compressedSeries(payload, 3)).map((c) => compressedFrame(opcode, c)) as [Buffer, Buffer, Buffer];
  // The opening burst (first, second, then steady ones) and K steady frames back to back.
  const opening = Buffer.concat([first, second, ...Array.from({ length: config.inFlight - 2 }, () => steady)]);
  const batch = Buffer.concat(Array.from({ length: config.inFlight }, () => steady));
  const sockets: Socket[] = [];
  const counters: CompressedFrameCounter[] = [];
  let counted = 0;
  let measuring = false;
  let failure: Error | null = null;
  const stop = (err: Error): void => {
    failure = err;
    for (const s of sockets) s.destroy();
  };

  for (let c = 0; c < config.connections; c++) {
    const socket = await open(config.port);
    const leftover = await deflateHandshake(socket, config.port);
    const counter = new CompressedFrameCounter(opcode);
    counters.push(counter);
    const count = echoCounter(counter, stop);
    let owed = 0;
    // Refill once per event-loop turn, one write for every echo read meanwhile.
    const refill = (): void => {
      let n = owed;
      owed = 0;
      while (n > 0) {
        const k = Math.min(n, config.inFlight);
        socket.write(k === config.inFlight ? batch : batch.subarray(0, k * steady.length));
        n -= k;
      }
    };
    const onData = (chunk: Buffer): void => {
      const n = count(chunk);
      if (n === 0) return;
      if (measuring) counted += n;
      if (owed === 0) setImmediate(refill);
      owed += n;
    };
    socket.on("data", onData);
    socket.on("error", (err) => { failure ??= err; });
    socket.on("close", () => { failure ??= new Error("the server closed a connection"); });
    sockets.push(socket);
    if (leftover.length > 0) onData(leftover);
  }
  for (const socket of sockets) socket.write(opening);

  await new Promise((r) => setTimeout(r, config.warmupMs));
  measuring = true;
  onMeasuring?.();
  const bytesBefore = counters.reduce((n, c) => n + c.bytes, 0);
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await new Promise((r) => setTimeout(r, config.measureMs));
  const cpu = process.cpuUsage(cpuStart);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  measuring = false;
  const messages = counted;
  const wireBytes = counters.reduce((n, c) => n + c.bytes, 0) - bytesBefore;
  const error = failure as Error | null;
  for (const socket of sockets) {
    socket.removeAllListeners("close");
    socket.destroy();
  }
  if (error) throw error;
  if (messages === 0) throw new Error("no echo came back during the measured window");
  return {
    messages,
    seconds,
    messagesPerSecond: messages / seconds,
    megabytesPerSecond: (messages * config.size) / seconds / 1e6,
    clientCpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
    wireBytesPerMessage: wireBytes / messages,
  };
}

// As a child of deflate-echo.ts: one run per process.
if (process.send) {
  process.once("message", (config: DeflateLoadConfig) => {
    runDeflateLoad(config, () => process.send!({ type: "measuring" })).then(
      (result) => process.send!({ type: "result", result }, () => process.exit(0)),
      (err: Error) => process.send!({ type: "error", message: err.message }, () => process.exit(1)),
    );
  });
}
