/**
 * A hixie-75/76 client on a raw node:net socket, written apart from src/core
 * so a bug there cannot hide itself: it sends the drafts' example request
 * heads and collects every byte the server answers.
 *
 *   hixieClient(port, { draft })   head written (and key3 unless `lateKey`)
 *   client.bytes()                 all bytes received so far
 *   client.upTo(n) / afterHead()   waits for them
 */
import { Buffer } from "node:buffer";
import net from "node:net";
import { until } from "../harness.ts";

/** The -76 section 1.3 example keys; the challenge response to key3 "^n:ds[4U" is "8jKS'y:G*Co,Wxa-". */
export const DRAFT76_KEY1 = "4 @1  46546xW%0l 1 5";
export const DRAFT76_KEY2 = "12998 5 Y3 1  .P00";
export const DRAFT76_KEY3 = "^n:ds[4U";
export const DRAFT76_CHALLENGE = "8jKS'y:G*Co,Wxa-";

export interface HixieClientOptions {
  draft: "hixie-75" | "hixie-76";
  path?: string;
  origin?: string;
  protocol?: string;
  /** -76: hold key3 back (a proxy that forwards it only after the 101); send it with sendKey(). */
  lateKey?: boolean;
}

export interface HixieClient {
  socket: net.Socket;
  /** Everything received so far. */
  bytes(): Buffer;
  /** Resolves once `n` bytes arrived in all. */
  upTo(n: number): Promise<Buffer>;
  /** Resolves with the response head (blank line included) once it is complete. */
  head(): Promise<string>;
  /** Bytes received after the response head. */
  afterHead(): Buffer;
  /** -76 with `lateKey`: writes key3, in the pieces given. */
  sendKey(...pieces: string[]): void;
  send(bytes: string): void;
  ended(): boolean;
  closed(): boolean;
}

export function hixieRequest(port: number, options: HixieClientOptions): string {
  const origin = options.origin ?? "http://example.com";
  let head = `GET ${options.path ?? "/demo"} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\n`;
  if (options.draft === "hixie-76") {
    head += `Sec-WebSocket-Key2: ${DRAFT76_KEY2}\r\n`;
    if (options.protocol) head += `Sec-WebSocket-Protocol: ${options.protocol}\r\n`;
    head += `Upgrade: WebSocket\r\nSec-WebSocket-Key1: ${DRAFT76_KEY1}\r\nOrigin: ${origin}\r\n\r\n`;
  } else {
    head += `Upgrade: WebSocket\r\nOrigin: ${origin}\r\n`;
    if (options.protocol) head += `WebSocket-Protocol: ${options.protocol}\r\n`;
    head += "\r\n";
  }
  return head;
}

export function hixieClient(port: number, options: HixieClientOptions): Promise<HixieClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    const chunks: Buffer[] = [];
    let received = Buffer.alloc(0);
    let ended = false;
    let closed = false;
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      received = Buffer.concat(chunks);
    });
    socket.on("end", () => { ended = true; });
    socket.on("close", () => { closed = true; });
    socket.on("error", () => { /* the tests look at what arrived */ });
    const headEnd = () => received.indexOf("\r\n\r\n");
    const client: HixieClient = {
      socket,
      bytes: () => received,
      async upTo(n) {
        await until(() => received.length >= n, 10_000, `${n} bytes from the server`);
        return received;
      },
      async head() {
        await until(() => headEnd() !== -1, 10_000, "the response head");
        return received.subarray(0, headEnd() + 4).toString("latin1");
      },
      afterHead: () => received.subarray(headEnd() + 4),
      sendKey: (...pieces) => { for (const p of pieces) socket.write(Buffer.from(p, "latin1")); },
      send: (bytes) => void socket.write(Buffer.from(bytes, "latin1")),
      ended: () => ended,
      closed: () => closed,
    };
    socket.once("connect", () => {
      const key3 = options.draft === "hixie-76" && !options.lateKey ? DRAFT76_KEY3 : "";
      socket.write(Buffer.from(hixieRequest(port, options) + key3, "latin1"));
      resolve(client);
    });
    socket.once("error", reject);
  });
}
