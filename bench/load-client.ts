/**
 * The load generator every echo server in bench/echo.ts faces: a raw-socket
 * WebSocket client (RFC 6455) that keeps K masked messages in flight on each
 * connection and counts the echoes.
 *
 *   connect --GET + Upgrade--> server --101--> pipelined phase
 *      [K frames] --write--> server --echo--> count frames in chunk (n)
 *                                        \--> write n more frames (one write)
 *
 * Frames are built and masked once, up front: a server must still unmask
 * every frame, but the client spends nothing per message beyond counting
 * frame headers, so its cost is the same for every server measured. With
 * `raw` it skips the handshake and talks to a plain TCP echo: the echoed
 * frames then come back masked, which the counter also understands.
 *
 * With `rtt` each connection keeps one message in flight and sends the
 * next the moment its echo is whole (no batching per event-loop turn):
 * the time from write to whole echo is one round trip, server and both
 * kernels' loopback included.
 *
 * Run as a child process by echo.ts (IPC): receives a LoadConfig, sends
 * { type: "measuring" } when warm-up ends and { type: "result", ... } at the end.
 */
import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import { echoCounter, handshake, open } from "./raw-client.ts";

export interface LoadConfig {
  port: number;
  /** Skip the WebSocket handshake (raw TCP echo ceiling). */
  raw: boolean;
  connections: number;
  /** Messages in flight per connection. */
  inFlight: number;
  /** Payload bytes per message. */
  size: number;
  binary: boolean;
  warmupMs: number;
  measureMs: number;
  /**
   * Round-trip mode: one message in flight per connection (inFlight is
   * ignored), the next sent as soon as the echo is whole, each round trip
   * timed. The result then carries `latency`.
   */
  rtt?: boolean;
}

/** Round-trip times of the measured window, in microseconds. */
export interface LatencyResult {
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** Payload megabytes (10^6) per second echoed back. */
  megabytesPerSecond: number;
  /** This client's CPU during the window, in % of one core. */
  clientCpuPercent: number;
  /** Round-trip mode only. */
  latency?: LatencyResult;
}

/** One masked frame (client to server), RFC 6455 section 5.2 and 5.3. */
export function maskedFrame(opcode: number, payload: Uint8Array): Buffer {
  const n = payload.length;
  const lenBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const header = 2 + lenBytes + 4;
  const frame = Buffer.allocUnsafe(header + n);
  frame[0] = 0x80 | opcode;
  if (lenBytes === 0) frame[1] = 0x80 | n;
  else if (lenBytes === 2) {
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

/**
 * Counts whole frames in a byte stream without copying payloads. Checks
 * that each is a final data frame of the expected opcode and size, so a
 * server that echoes wrongly cannot look fast.
 */
export class FrameCounter {
  private header = Buffer.alloc(14);
  private headerFill = 0;
  private remaining = 0;

  constructor(private readonly opcode: number, private readonly size: number) {}

  /** Frames completed in this chunk. */
  push(chunk: Buffer): number {
    let done = 0;
    let i = 0;
    const end = chunk.length;
    while (i < end) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, end - i);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) done++;
        continue;
      }
      // Header bytes, possibly split across chunks.
      const h = this.header;
      h[this.headerFill++] = chunk[i++]!;
      if (this.headerFill < 2) continue;
      const short = h[1]! & 0x7f;
      const need = 2 + (short === 126 ? 2 : short === 127 ? 8 : 0) + (h[1]! & 0x80 ? 4 : 0);
      if (this.headerFill < need) continue;
      const length = short === 126 ? h.readUInt16BE(2) : short === 127 ? Number(h.readBigUInt64BE(2)) : short;
      if (h[0] !== (0x80 | this.opcode) || length !== this.size) {
        throw new Error(`unexpected frame: byte0=0x${h[0]!.toString(16)} length=${length}`);
      }
      this.headerFill = 0;
      this.remaining = length;
      if (length === 0) done++;
    }
    return done;
  }
}

export async function runLoad(config: LoadConfig, onMeasuring?: () => void): Promise<LoadResult> {
  if (config.rtt) return runRoundTrips(config, onMeasuring);
  const opcode = config.binary ? 2 : 1;
  const payload = config.binary ? randomBytes(config.size) : Buffer.alloc(config.size, "x");
  const one = maskedFrame(opcode, payload);
  // K copies back to back: n echoes are answered by one write of n frames.
  const batch = Buffer.concat(Array.from({ length: config.inFlight }, () => one));
  const frameLength = one.length;
  const sockets: Socket[] = [];
  let counted = 0;
  let measuring = false;
  let failure: Error | null = null;
  const stop = (err: Error): void => {
    failure = err;
    for (const s of sockets) s.destroy();
  };

  for (let c = 0; c < config.connections; c++) {
    const socket = await open(config.port);
    const leftover = config.raw ? Buffer.alloc(0) : (await handshake(socket, config.port)).leftover;
    // The raw echo returns the masked frames unchanged.
    const count = echoCounter(new FrameCounter(opcode, config.size), stop);
    let owed = 0;
    // Refill once per event-loop turn: every echo read in this poll phase is
    // answered by one write, whether the server sent them in one segment or
    // many, so a server that writes frame by frame does not cost the client
    // more syscalls than one that batches.
    const refill = (): void => {
      let n = owed;
      owed = 0;
      while (n > 0) {
        const k = Math.min(n, config.inFlight);
        socket.write(k === 1 ? one : batch.subarray(0, k * frameLength));
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
    sockets.push(socket);
    if (leftover.length > 0) onData(leftover);
  }
  for (const socket of sockets) socket.write(batch);

  await new Promise((r) => setTimeout(r, config.warmupMs));
  measuring = true;
  onMeasuring?.();
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await new Promise((r) => setTimeout(r, config.measureMs));
  const cpu = process.cpuUsage(cpuStart);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  measuring = false;
  const messages = counted;
  for (const socket of sockets) socket.destroy();
  if (failure) throw failure;
  if (messages === 0) throw new Error("no echo came back during the measured window");
  return {
    messages,
    seconds,
    messagesPerSecond: messages / seconds,
    megabytesPerSecond: (messages * config.size) / seconds / 1e6,
    clientCpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
  };
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function runRoundTrips(config: LoadConfig, onMeasuring?: () => void): Promise<LoadResult> {
  const opcode = config.binary ? 2 : 1;
  const payload = config.binary ? randomBytes(config.size) : Buffer.alloc(config.size, "x");
  const one = maskedFrame(opcode, payload);
  const sockets: Socket[] = [];
  const starts: Array<() => void> = [];
  let samples = new Float64Array(1 << 16);
  let counted = 0;
  let measuring = false;
  let failure: Error | null = null;
  const stop = (err: Error): void => {
    failure = err;
    for (const s of sockets) s.destroy();
  };

  for (let c = 0; c < config.connections; c++) {
    const socket = await open(config.port);
    const leftover = config.raw ? Buffer.alloc(0) : (await handshake(socket, config.port)).leftover;
    const count = echoCounter(new FrameCounter(opcode, config.size), stop);
    let sentAt = 0;
    const send = (): void => {
      sentAt = performance.now();
      socket.write(one);
    };
    const onData = (chunk: Buffer): void => {
      const n = count(chunk);
      if (n === 0) return;
      if (n !== 1) return stop(new Error(`${n} echoes for one message in flight`));
      const micros = (performance.now() - sentAt) * 1000;
      if (measuring) {
        if (counted === samples.length) {
          const grown = new Float64Array(samples.length * 2);
          grown.set(samples);
          samples = grown;
        }
        samples[counted++] = micros;
      }
      send();
    };
    socket.on("data", onData);
    socket.on("error", (err) => { failure ??= err; });
    sockets.push(socket);
    starts.push(send);
    if (leftover.length > 0) onData(leftover);
  }
  // The first message of each connection, a millisecond apart so the
  // connections do not move in lockstep; later ones follow their echoes.
  starts.forEach((send, i) => setTimeout(send, i));

  await new Promise((r) => setTimeout(r, config.warmupMs));
  measuring = true;
  onMeasuring?.();
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await new Promise((r) => setTimeout(r, config.measureMs));
  const cpu = process.cpuUsage(cpuStart);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  measuring = false;
  for (const socket of sockets) socket.destroy();
  if (failure) throw failure;
  if (counted === 0) throw new Error("no echo came back during the measured window");
  const sorted = samples.slice(0, counted).sort();
  let sum = 0;
  for (let i = 0; i < counted; i++) sum += sorted[i]!;
  return {
    messages: counted,
    seconds,
    messagesPerSecond: counted / seconds,
    megabytesPerSecond: (counted * config.size) / seconds / 1e6,
    clientCpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
    latency: {
      samples: counted,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted[counted - 1]!,
      mean: sum / counted,
    },
  };
}

// As a child of echo.ts: one run per process.
if (process.send) {
  process.once("message", (config: LoadConfig) => {
    runLoad(config, () => process.send!({ type: "measuring" })).then(
      (result) => process.send!({ type: "result", result }, () => process.exit(0)),
      (err: Error) => process.send!({ type: "error", message: err.message }, () => process.exit(1)),
    );
  });
}
