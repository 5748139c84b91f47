/**
 * The load generator of bench/idle-memory.ts: opens many WebSocket
 * connections with raw TCP sockets (it writes the RFC 6455 opening
 * handshake itself and reads only the 101), then keeps them open and silent.
 * A raw socket costs this process little, so it can hold 10,000 of them.
 *
 *   {"cmd":"open","port":P,"count":N,"deflate":false,"message":false}
 *       --> N connections, at most 64 handshakes in flight
 *       <-- {"type":"opened","count":N,"failed":F,"ms":T}
 *   {"cmd":"close"} --> every socket destroyed <-- {"type":"closed"}
 *   stop --> exits
 *
 * `deflate` offers "permessage-deflate; client_max_window_bits" and checks
 * the server accepted it; `message` then sends one 256-byte text message per
 * connection (compressed, RSV1, when deflate was agreed) and waits for its
 * echo, so the server has used its compressor and decompressor once.
 * JSON lines on stdio; run as `node --import tsx bench/idle-load-client.ts`.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { constants, deflateRawSync } from "node:zlib";

const IN_FLIGHT = 64;
const PAYLOAD = Buffer.from(JSON.stringify({ user: "someone", items: Array.from({ length: 12 }, (_, i) => ({ id: i, on: i % 2 === 0 })) }).padEnd(256, " ").slice(0, 256));

/** One masked frame, RFC 6455 section 5.2; `rsv1` marks a compressed message (RFC 7692 section 6). */
function maskedFrame(opcode: number, payload: Buffer, rsv1: boolean): Buffer {
  const n = payload.length;
  const extended = n < 126 ? 0 : 2;
  const frame = Buffer.allocUnsafe(2 + extended + 4 + n);
  frame[0] = 0x80 | (rsv1 ? 0x40 : 0) | opcode;
  if (extended === 0) frame[1] = 0x80 | n;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(n, 2);
  }
  const key = randomBytes(4);
  key.copy(frame, 2 + extended);
  const at = 2 + extended + 4;
  for (let i = 0; i < n; i++) frame[at + i] = payload[i]! ^ key[i & 3]!;
  return frame;
}

/** RFC 7692 section 7.2.1: deflate with a sync flush, minus the 00 00 ff ff tail. */
function compressed(payload: Buffer): Buffer {
  const out = deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4);
}

const sockets: Socket[] = [];

function openOne(port: number, deflate: boolean, message: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let head = "";
    let upgraded = false;
    const done = (ok: boolean) => {
      socket.removeAllListeners("data");
      if (ok) sockets.push(socket);
      else socket.destroy();
      resolve(ok);
    };
    socket.on("error", () => done(false));
    socket.on("connect", () => {
      socket.write(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: " + randomBytes(16).toString("base64") + "\r\nSec-WebSocket-Version: 13\r\n" +
          (deflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" : "") + "\r\n",
      );
    });
    socket.on("data", (chunk: Buffer) => {
      if (upgraded) return done(true); // the echo of our one message
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      if (!head.startsWith("HTTP/1.1 101")) return done(false);
      const agreed = /sec-websocket-extensions:[^\r]*permessage-deflate/i.test(head.slice(0, end));
      if (deflate !== agreed) return done(false);
      upgraded = true;
      if (!message) return done(true);
      socket.write(maskedFrame(1, deflate ? compressed(PAYLOAD) : PAYLOAD, deflate));
      if (head.length > end + 4) done(true); // the echo came with the 101
    });
  });
}

async function openMany(port: number, count: number, deflate: boolean, message: boolean): Promise<number> {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      if (!(await openOne(port, deflate, message))) failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, worker));
  return failed;
}

function say(message: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(message) + "\n");
}

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "stop") process.exit(0);
  const command = JSON.parse(line) as { cmd: string; port: number; count: number; deflate: boolean; message: boolean };
  if (command.cmd === "open") {
    const started = performance.now();
    void openMany(command.port, command.count, command.deflate, command.message).then((failed) => {
      say({ type: "opened", count: command.count - failed, failed, ms: Math.round(performance.now() - started) });
    });
  } else if (command.cmd === "close") {
    for (const socket of sockets.splice(0)) socket.destroy();
    say({ type: "closed" });
  }
});
say({ type: "ready" });
