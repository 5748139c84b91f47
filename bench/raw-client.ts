/**
 * The raw WebSocket client side the load generators share (load-client.ts,
 * deflate-load-client.ts): a TCP connection, the upgrade on it, and echo
 * counting that stops the run on a malformed echo. No side effects on
 * import: the load generators run as forked children and answer their
 * parent on import, so what they share lives here.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

/** The 101's head (status line and headers) and the bytes that came after it. */
export interface Upgraded {
  head: string;
  leftover: Buffer;
}

/** Writes an upgrade request for /echo (with `extraHeaders`, CRLF-terminated lines) and waits for the 101. */
export function handshake(socket: Socket, port: number, extraHeaders = ""): Promise<Upgraded> {
  const key = randomBytes(16).toString("base64");
  socket.write(
    `GET /echo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`,
  );
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      const head = buffered.subarray(0, end).toString("latin1");
      if (!/^HTTP\/1\.1 101 /.test(head)) reject(new Error(`handshake refused: ${head.split("\r\n")[0]}`));
      else resolve({ head, leftover: buffered.subarray(end + 4) });
    };
    socket.on("data", onData);
    socket.once("error", reject);
  });
}

/** A TCP connection to 127.0.0.1:`port`, Nagle off. */
export function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.setNoDelay(true);
    socket.once("error", reject);
  });
}

/**
 * Counts the echoes in each chunk with `counter`; a malformed echo calls
 * `fail` (which stops the run) and counts as none.
 */
export function echoCounter(counter: { push(chunk: Buffer): number }, fail: (err: Error) => void): (chunk: Buffer) => number {
  return (chunk) => {
    try {
      return counter.push(chunk);
    } catch (err) {
      fail(err as Error);
      return 0;
    }
  };
}
