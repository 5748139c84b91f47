/**
 * Client peers nobody here wrote, behind one small interface so a test can
 * run the same steps against each:
 *
 *   ws          the `ws` package's WebSocket
 *   faye        faye-websocket's `Client`
 *   undici      undici's WHATWG WebSocket
 *   ours        our own client (the running runtime's entry), so "our client -> their server" runs the same steps
 *
 * Messages queue up until the test takes them with `next()`.
 */
import { Buffer } from "node:buffer";
import faye from "faye-websocket";
import { WebSocket as UndiciWebSocket } from "undici/index.js";
import { WebSocket as OurWebSocket, type WebSocketOptions } from "../entry.ts";
import { ws } from "./ws.ts";
import { Inbox } from "./inbox.ts";

export interface PeerMessage {
  text: boolean;
  data: string | Uint8Array;
}

export interface PeerClose {
  code: number;
  reason: string;
  /** Where the peer reports it. */
  wasClean?: boolean;
}

export interface PeerClient {
  name: string;
  /** Resolves on open; rejects when the handshake fails. */
  opened: Promise<void>;
  /** The subprotocol the server chose ("" for none); valid once opened. */
  protocol(): string;
  send(data: string | Uint8Array): void;
  /** The next message received. */
  next(): Promise<PeerMessage>;
  /** Pings and resolves on the pong; undefined when the peer cannot ping. */
  ping?(data: string): Promise<Uint8Array | void>;
  /** Resolves with the payloads of pings received so far, once `count` arrived. */
  pingsReceived(count: number): Promise<Uint8Array[]>;
  close(code?: number, reason?: string): void;
  closed: Promise<PeerClose>;
}

class PingLog {
  private payloads: Uint8Array[] = [];
  private waiting: { count: number; resolve: (p: Uint8Array[]) => void }[] = [];
  add(p: Uint8Array): void {
    this.payloads.push(p);
    this.waiting = this.waiting.filter((w) => {
      if (this.payloads.length < w.count) return true;
      w.resolve(this.payloads.slice());
      return false;
    });
  }
  wait(count: number): Promise<Uint8Array[]> {
    if (this.payloads.length >= count) return Promise.resolve(this.payloads.slice());
    return new Promise((resolve) => this.waiting.push({ count, resolve }));
  }
}

function bytes(data: ArrayBuffer | Uint8Array | Uint8Array[]): Uint8Array {
  if (Array.isArray(data)) {
    const total = data.reduce((n, b) => n + b.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const b of data) { out.set(b, at); at += b.length; }
    return out;
  }
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function wsClient(url: string, protocols?: string | string[], options: Record<string, unknown> = {}): PeerClient {
  const socket = new ws.WebSocket(url, protocols, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024, ...options });
  const inbox = new Inbox<PeerMessage>();
  const pings = new PingLog();
  socket.on("message", (data, isBinary) => {
    const b = bytes(data as Uint8Array);
    inbox.push(isBinary ? { text: false, data: b } : { text: true, data: new TextDecoder().decode(b) });
  });
  socket.on("ping", (data) => pings.add(bytes(data)));
  return {
    name: "ws",
    opened: new Promise((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    }),
    protocol: () => socket.protocol,
    send: (data) => socket.send(data, { binary: typeof data !== "string" }),
    next: () => inbox.next(),
    ping: (data) => new Promise((resolve) => {
      socket.once("pong", (payload) => resolve(bytes(payload)));
      socket.ping(data);
    }),
    pingsReceived: (n) => pings.wait(n),
    close: (code, reason) => socket.close(code, reason),
    closed: new Promise((resolve) => socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() }))),
  };
}

interface FayeClientSocket {
  protocol: string;
  send(data: string | Uint8Array): boolean;
  ping(data: string, callback?: () => void): boolean;
  close(code?: number, reason?: string): void;
  on(type: string, listener: (event: { data?: unknown; code?: number; reason?: string; message?: string }) => void): void;
}

const FayeClient = (faye as unknown as { Client: new (url: string, protocols?: string[], options?: Record<string, unknown>) => FayeClientSocket }).Client;

export function fayeClient(url: string, protocols?: string | string[], options: Record<string, unknown> = {}): PeerClient {
  const list = protocols === undefined ? undefined : typeof protocols === "string" ? [protocols] : protocols;
  const socket = new FayeClient(url, list, { maxLength: 256 * 1024 * 1024, ...options });
  const inbox = new Inbox<PeerMessage>();
  let opened = false;
  socket.on("open", () => { opened = true; });
  socket.on("message", (event) => {
    const data = event.data as string | Uint8Array;
    inbox.push(typeof data === "string" ? { text: true, data } : { text: false, data: bytes(data) });
  });
  return {
    name: "faye",
    opened: new Promise((resolve, reject) => {
      socket.on("open", () => resolve());
      socket.on("close", (e) => { if (!opened) reject(new Error(`faye closed before open: ${e.code}`)); });
    }),
    protocol: () => socket.protocol,
    send: (data) => void socket.send(typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
    next: () => inbox.next(),
    ping: (data) => new Promise((resolve) => { socket.ping(data, () => resolve()); }),
    // faye answers pings itself and tells nobody.
    pingsReceived: () => Promise.resolve([]),
    close: (code, reason) => socket.close(code, reason),
    closed: new Promise((resolve) => socket.on("close", (e) => resolve({ code: e.code!, reason: e.reason ?? "" }))),
  };
}

export function undiciClient(url: string, protocols?: string | string[]): PeerClient {
  const socket = new UndiciWebSocket(url, protocols);
  socket.binaryType = "arraybuffer";
  const inbox = new Inbox<PeerMessage>();
  socket.addEventListener("message", (event) => {
    const data = event.data as string | ArrayBuffer;
    inbox.push(typeof data === "string" ? { text: true, data } : { text: false, data: new Uint8Array(data) });
  });
  return {
    name: "undici",
    opened: new Promise((resolve, reject) => {
      socket.addEventListener("open", () => resolve());
      socket.addEventListener("error", (e) => reject(new Error(`undici error: ${String((e as ErrorEvent).message ?? e.type)}`)));
    }),
    protocol: () => socket.protocol,
    send: (data) => socket.send(data as string | Uint8Array<ArrayBuffer>),
    next: () => inbox.next(),
    // undici cannot ping, and keeps the pings it answers to itself.
    pingsReceived: () => Promise.resolve([]),
    close: (code, reason) => socket.close(code, reason),
    closed: new Promise((resolve) => socket.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean }))),
  };
}

export interface OurClient extends PeerClient {
  socket: OurWebSocket;
}

export function ourClient(url: string, protocols?: string | string[], options: WebSocketOptions = {}): OurClient {
  const socket = new OurWebSocket(url, protocols, { binaryType: "uint8array", ...options });
  const inbox = new Inbox<PeerMessage>();
  const pings = new PingLog();
  socket.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data as string | Uint8Array;
    inbox.push(typeof data === "string" ? { text: true, data } : { text: false, data });
  });
  socket.addEventListener("ping", (event) => pings.add((event as Event & { data: Uint8Array }).data));
  return {
    name: "ours",
    socket,
    opened: new Promise((resolve, reject) => {
      socket.addEventListener("open", () => resolve());
      socket.addEventListener("error", (e) => reject((e as ErrorEvent).error ?? new Error("our client failed")));
    }),
    protocol: () => socket.protocol,
    send: (data) => socket.send(data),
    next: () => inbox.next(),
    ping: (data) => new Promise((resolve, reject) => {
      if (!socket.ping(data, () => resolve())) reject(new Error("ping() returned false"));
    }),
    pingsReceived: (n) => pings.wait(n),
    close: (code, reason) => socket.close(code, reason),
    closed: new Promise((resolve) => socket.addEventListener("close", (e) => {
      const c = e as CloseEvent;
      resolve({ code: c.code, reason: c.reason, wasClean: c.wasClean });
    })),
  };
}

export type PeerClientFactory = (url: string, protocols?: string | string[]) => PeerClient;

export const peerClients: Record<string, PeerClientFactory> = {
  ws: wsClient,
  faye: fayeClient,
  undici: undiciClient,
};
