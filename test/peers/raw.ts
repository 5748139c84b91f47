/**
 * Hand-made WebSocket peers on raw node:net sockets, for tests that need a
 * peer to misbehave on purpose. Frames are built and read here, apart from
 * src/core, so a bug there cannot hide itself.
 *
 *   rawClient(port)       handshake done by hand, then the test writes bytes
 *   answerHandshake(s)    a raw server's 101 for the request on socket s
 *   frame(...)            one frame (RFC 6455 section 5.2), masked or not
 *   FrameLog              frames the peer read, parsed as they arrive
 *   untilDropped(raw)     waits until the server has let the connection go
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import net from "node:net";
import { until } from "../harness.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export function acceptFor(key: string): string {
  return createHash("sha1").update(key + GUID).digest("base64");
}

export interface FrameOptions {
  fin?: boolean;
  rsv?: number;
  /** Mask with this key (clients must mask, section 5.3). */
  mask?: Uint8Array | null;
  /** Claim this payload length in the header instead of the real one. */
  claimedLength?: number;
}

const MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

/** One frame: header (7-bit, 16-bit or 64-bit length) and payload, masked when asked. */
export function frame(opcode: number, payload: Uint8Array | string = new Uint8Array(0), options: FrameOptions = {}): Uint8Array {
  const data = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  const mask = options.mask === undefined ? null : options.mask;
  const length = options.claimedLength ?? data.length;
  const ext = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const header = new Uint8Array(2 + ext + (mask ? 4 : 0));
  header[0] = ((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode;
  header[1] = (mask ? 0x80 : 0) | (ext === 0 ? length : ext === 2 ? 126 : 127);
  const view = new DataView(header.buffer);
  if (ext === 2) view.setUint16(2, length);
  if (ext === 8) view.setBigUint64(2, BigInt(length));
  const body = new Uint8Array(data);
  if (mask) {
    header.set(mask, 2 + ext);
    for (let i = 0; i < body.length; i++) body[i]! ^= mask[i & 3]!;
  }
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out;
}

/** A frame as a client sends it: masked. */
export function clientFrame(opcode: number, payload?: Uint8Array | string, options: FrameOptions = {}): Uint8Array {
  return frame(opcode, payload, { mask: MASK, ...options });
}

/** A Close payload: 2-byte code and UTF-8 reason. */
export function closePayload(code: number, reason = ""): Uint8Array {
  const r = new TextEncoder().encode(reason);
  const out = new Uint8Array(2 + r.length);
  out[0] = code >> 8;
  out[1] = code & 0xff;
  out.set(r, 2);
  return out;
}

export interface ParsedFrame {
  fin: boolean;
  opcode: number;
  payload: Uint8Array;
  masked: boolean;
  /** For Close frames: the code (1005 when empty). */
  code?: number;
  reason?: string;
}

/** Parses the frames a raw peer reads, as bytes arrive. */
export class FrameLog {
  readonly frames: ParsedFrame[] = [];
  private buffer = new Uint8Array(0);
  /** Bytes pushed so far. */
  received = 0;

  push(chunk: Uint8Array): void {
    this.received += chunk.length;
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    this.buffer = joined;
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      const masked = (b[1]! & 0x80) !== 0;
      let length = b[1]! & 0x7f;
      let at = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = (b[2]! << 8) | b[3]!;
        at = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(2));
        at = 10;
      }
      const key = masked ? b.subarray(at, at + 4) : null;
      if (masked) at += 4;
      if (b.length < at + length) return;
      const payload = b.slice(at, at + length);
      if (key) for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
      const parsed: ParsedFrame = { fin: (b[0]! & 0x80) !== 0, opcode: b[0]! & 0x0f, payload, masked };
      if (parsed.opcode === 8) {
        parsed.code = payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : 1005;
        parsed.reason = new TextDecoder().decode(payload.subarray(2));
      }
      this.frames.push(parsed);
      this.buffer = b.slice(at + length);
    }
  }

  /** The first Close frame read, if any. */
  get close(): ParsedFrame | undefined {
    return this.frames.find((f) => f.opcode === 8);
  }
}

export interface RawClient {
  socket: net.Socket;
  /** Frames the server sent after its 101. */
  log: FrameLog;
  /** True once the server ended its side of TCP. */
  ended(): boolean;
  /** True once the socket closed. */
  closed(): boolean;
}

/**
 * Opens a TCP connection, sends a valid opening handshake and resolves once
 * the 101 arrived. `allowHalfOpen` keeps our side open after the server's
 * FIN (a peer that never ends TCP).
 */
export function rawClient(port: number, options: { allowHalfOpen?: boolean; path?: string } = {}): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: options.allowHalfOpen ?? false });
    const log = new FrameLog();
    let head = "";
    let upgraded = false;
    let ended = false;
    let closed = false;
    socket.on("end", () => { ended = true; });
    socket.on("close", () => { closed = true; });
    socket.on("error", (err) => { if (!upgraded) reject(err); });
    socket.on("data", (chunk: Buffer) => {
      if (upgraded) return log.push(chunk);
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) return;
      if (!head.startsWith("HTTP/1.1 101")) return reject(new Error(`handshake refused: ${head.slice(0, 40)}`));
      upgraded = true;
      const rest = Buffer.from(head.slice(end + 4), "latin1");
      if (rest.length) log.push(rest);
      resolve({ socket, log, ended: () => ended, closed: () => closed });
    });
    const key = Buffer.from("0123456789abcdef").toString("base64");
    socket.write(`GET ${options.path ?? "/"} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  });
}

/**
 * For a raw server: reads the request head on `socket` and answers 101.
 * Resolves with the bytes that followed the head; frames from the client
 * go to `log` from then on.
 */
export function answerHandshake(socket: net.Socket, log?: FrameLog): Promise<void> {
  return new Promise((resolve) => {
    let head = "";
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) return;
      socket.off("data", onData);
      const key = /\r\nsec-websocket-key: *([^\r\n]+)/i.exec(head)![1]!;
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`);
      if (log) {
        const rest = Buffer.from(head.slice(end + 4), "latin1");
        if (rest.length) log.push(rest);
        socket.on("data", (c: Buffer) => log.push(c));
      }
      resolve();
    };
    socket.on("data", onData);
  });
}

/**
 * Resolves once the server has dropped the connection, however it runs:
 * a raw client that keeps its side open writes (an unsolicited Pong, which
 * a peer may always send) until the server's kernel answers with a reset,
 * or until the connection closes of itself.
 */
export async function untilDropped(raw: RawClient, ms = 10_000): Promise<void> {
  const probe = clientFrame(0xa, "probe");
  await until(() => {
    if (!raw.closed() && !raw.socket.destroyed) raw.socket.write(probe);
    return raw.closed();
  }, ms, "the server dropping the connection");
}
