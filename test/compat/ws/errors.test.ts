/**
 * Errors as ws reports them: a server that answers the handshake and then
 * sends one malformed frame, met once by the real ws client and once by
 * omnisocket/ws's; both must report the same `code` on their error event,
 * the same close code, and send the server the same Close status.
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it, until } from "../../harness.ts";
import { connect } from "node:net";
import { RealWs, WebSocket, WebSocketServer } from "./entry.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** path -> the bytes the server sends after its 101. */
const CASES: Record<string, { bytes: number[]; options?: Record<string, unknown> }> = {
  "/invalid-utf8": { bytes: [0x81, 0x02, 0xc3, 0x28] },
  "/reserved-opcode": { bytes: [0x83, 0x00] },
  "/rsv1-without-extension": { bytes: [0xc1, 0x01, 0x61] },
  "/masked-from-server": { bytes: [0x81, 0x81, 1, 2, 3, 4, 0x60] },
  "/control-too-long": { bytes: [0x89, 0x7e, 0x00, 0x7e, ...new Array(126).fill(0)] },
  "/fragmented-control": { bytes: [0x09, 0x00] },
  "/too-big": { bytes: [0x82, 0x0b, ...new Array(11).fill(7)], options: { maxPayload: 10 } },
  "/bad-close-code": { bytes: [0x88, 0x02, 0x03, 0xe7] },
  "/too-many-fragments": { bytes: [0x01, 0x01, 0x61, 0x00, 0x01, 0x61, 0x00, 0x01, 0x61, 0x80, 0x01, 0x61], options: { maxFragments: 2 } },
};

describe("omnisocket/ws errors match ws's", () => {
  let server: Server;
  let base = "";
  let lastCloseSent: number | null = null;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    server = createServer();
    server.on("upgrade", (req: IncomingMessage, socket: Socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => undefined);
      const accept = createHash("sha1").update(String(req.headers["sec-websocket-key"]) + GUID).digest("base64");
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.write(Buffer.from(CASES[req.url!]!.bytes));
      // The client's answer: a Close frame (masked) with the status code it failed with.
      let received = Buffer.alloc(0);
      socket.on("data", (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length >= 8 && received[0] === 0x88) {
          const mask = received.subarray(2, 6);
          lastCloseSent = ((received[6]! ^ mask[0]!) << 8) | (received[7]! ^ mask[1]!);
          socket.end(); // a server closes TCP once the closing handshake is over (RFC 6455 section 7.1.1)
        }
      });
      socket.setTimeout(2000, () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  function outcome(Client: typeof RealWs.WebSocket, path: string): Promise<{ code: string | undefined; close: number; sent: number | null }> {
    lastCloseSent = null;
    return new Promise((resolve) => {
      const ws = new Client(base + path, { perMessageDeflate: false, ...CASES[path]!.options });
      let code: string | undefined;
      ws.on("error", (err: Error & { code?: string }) => { code = err.code ?? err.message; });
      ws.on("close", (close: number) => {
        // The server may read the Close frame just after the client saw its socket close.
        until(() => lastCloseSent !== null, 2000, "the Close frame").catch(() => undefined).then(() => resolve({ code, close, sent: lastCloseSent }));
      });
    });
  }

  it("skipUTF8Validation: invalid text is handed on, as ws does", async () => {
    const got = async (Client: typeof RealWs.WebSocket) => new Promise<string>((resolve) => {
      const ws = new Client(base + "/invalid-utf8", { perMessageDeflate: false, skipUTF8Validation: true });
      ws.on("error", (err: Error & { code?: string }) => resolve(`error ${err.code}`));
      ws.on("message", (data: Buffer) => {
        resolve(`message ${data.toString("hex")}`);
        ws.terminate();
      });
    });
    const theirs = await got(RealWs.WebSocket);
    expect(theirs).toBe("message c328");
    expect(await got(WebSocket as unknown as typeof RealWs.WebSocket)).toBe(theirs);
  });

  for (const path of Object.keys(CASES)) {
    it(`${path.slice(1)}: the same error code, close code and Close frame sent`, async () => {
      const theirs = await outcome(RealWs.WebSocket, path);
      const ours = await outcome(WebSocket as unknown as typeof RealWs.WebSocket, path);
      expect(theirs.code?.startsWith("WS_ERR_")).toBe(true);
      expect(theirs.sent === null).toBe(false);
      expect(ours).toEqual(theirs);
    });
  }
});

/** Client frames (masked with a zero key, so the payload reads as is) that a server must refuse. */
const CLIENT_CASES: Record<string, { bytes: number[]; options?: Record<string, unknown> }> = {
  "invalid-utf8": { bytes: [0x81, 0x82, 0, 0, 0, 0, 0xc3, 0x28] },
  "unmasked": { bytes: [0x81, 0x01, 0x61] },
  "reserved-opcode": { bytes: [0x83, 0x80, 0, 0, 0, 0] },
  "rsv2": { bytes: [0xa1, 0x81, 0, 0, 0, 0, 0x61] },
  "continuation-first": { bytes: [0x80, 0x81, 0, 0, 0, 0, 0x61] },
  "too-big": { bytes: [0x82, 0x8b, 0, 0, 0, 0, ...new Array(11).fill(7)], options: { maxPayload: 10 } },
  "close-1005": { bytes: [0x88, 0x82, 0, 0, 0, 0, 0x03, 0xed] },
  "too-many-fragments": { bytes: [0x01, 0x81, 0, 0, 0, 0, 0x61, 0x00, 0x81, 0, 0, 0, 0, 0x61, 0x00, 0x81, 0, 0, 0, 0, 0x61], options: { maxFragments: 2 } },
};

describe("omnisocket/ws server errors match ws's", () => {
  /** Handshakes by hand, sends `bytes`, and reads the server's Close status. */
  function rawClient(port: number, bytes: number[]): Promise<number | null> {
    return new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1");
      let buffer = Buffer.alloc(0);
      let upgraded = false;
      let status: number | null = null;
      socket.on("connect", () => {
        socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
      });
      socket.on("data", (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        if (!upgraded) {
          const end = buffer.indexOf("\r\n\r\n");
          if (end === -1) return;
          upgraded = true;
          buffer = buffer.subarray(end + 4);
          socket.write(Buffer.from(bytes));
        }
        if (buffer.length >= 4 && buffer[0] === 0x88) status = buffer.readUInt16BE(2);
      });
      socket.on("error", () => undefined);
      socket.on("close", () => resolve(status));
    });
  }

  async function outcome(Server: typeof RealWs.WebSocketServer, name: string): Promise<{ code: string | undefined; sent: number | null }> {
    const wss = new Server({ port: 0, host: "127.0.0.1", ...CLIENT_CASES[name]!.options });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    let code: string | undefined;
    wss.on("connection", (ws) => ws.on("error", (err: Error & { code?: string }) => { code = err.code ?? err.message; }));
    const sent = await rawClient((wss.address() as { port: number }).port, CLIENT_CASES[name]!.bytes);
    await new Promise((resolve) => wss.close(resolve));
    return { code, sent };
  }

  for (const name of Object.keys(CLIENT_CASES)) {
    it(`${name}: the same error code and Close status from the server`, async () => {
      const theirs = await outcome(RealWs.WebSocketServer, name);
      const ours = await outcome(WebSocketServer as unknown as typeof RealWs.WebSocketServer, name);
      expect(theirs.code?.startsWith("WS_ERR_")).toBe(true);
      expect(ours).toEqual(theirs);
    });
  }
});
