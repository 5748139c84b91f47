// examples/flow-control.ts: backpressure both ways, with WebSocketStream and with the event API.
import http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketStream } from "../src/runtime/node/index.ts"; // from "omnisocket" once installed

const work = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Client: reads a feed at its own pace; the server waits while we work. */
export async function readFeed(url: string, handle: (message: string | Uint8Array) => Promise<void>): Promise<{ closeCode: number; reason: string }> {
  const wss = new WebSocketStream(url, { protocols: ["feed"] });
  const { readable } = await wss.opened;
  for await (const message of readable) await handle(message); // the server waits while we work
  return await wss.closed; // { closeCode, reason }; rejects if the connection failed
}

/** Client: uploads chunks as binary messages, never more than 1 MiB ahead of the network, then reads the server's answer. */
export async function upload(url: string, chunks: Iterable<Uint8Array>): Promise<string> {
  const wss = new WebSocketStream(url, { writableHighWaterMark: 1024 * 1024 });
  const { readable, writable } = await wss.opened;
  const writer = writable.getWriter();
  for (const chunk of chunks) {
    await writer.ready; // waits while more than 1 MiB is queued
    writer.write(chunk).catch(() => {}); // resolves once the message reached the network; errors show in writer.ready too
  }
  await writer.write("end"); // text: the upload is complete
  const { value: answer } = await readable.getReader().read(); // text arrives as a string
  wss.close({ closeCode: 1000, reason: "thanks" });
  await wss.closed;
  return answer as string;
}

/** Server (node:http upgrade): each socket as a stream; a slow consumer pushes back on the client through TCP. */
export function createStreamServer(): http.Server {
  const server = http.createServer();
  server.on("upgrade", async (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const stream = WebSocketStream.from(new WebSocket(req, socket, head));
    const { readable, writable } = await stream.opened;
    let bytes = 0;
    for await (const message of readable) { // one message per chunk
      if (message === "end") {
        await writable.getWriter().write(`received ${bytes} bytes`);
        continue; // the client closes
      }
      bytes += (message as Uint8Array).length;
      await work(1); // while we work, the socket stops reading once the queue is full
    }
  });
  return server;
}

/** Event API, receiving: pause() while a message is being handled, resume() when done. */
export function handleSlowly(ws: WebSocket, handle: (data: unknown) => Promise<void>): void {
  ws.on("message", async (event) => {
    ws.pause(); // no more "message" events, and the socket stops reading
    await handle(event.data);
    ws.resume(); // messages that waited come now, then reading goes on
  });
}

/** Event API, sending: keep bufferedAmount under a bound and wait for "drain" before sending more. */
export async function sendAll(ws: WebSocket, messages: Iterable<string | Uint8Array>): Promise<void> {
  for (const message of messages) {
    if (ws.readyState !== WebSocket.OPEN) throw new Error("closed while sending");
    ws.send(message);
    if (ws.bufferedAmount > 1024 * 1024) {
      // "drain" fires once bufferedAmount is back at the lowWaterMark option (16 KiB by default) or below.
      await new Promise((resolve) => {
        ws.addEventListener("drain", resolve, { once: true });
        ws.addEventListener("close", resolve, { once: true }); // the loop then throws
      });
    }
  }
}

/** A server-side cap: a peer that stops reading is dropped once 8 MiB wait for it (error, then close 1008). */
export function acceptCapped(req: http.IncomingMessage, socket: Duplex, head: Buffer, onDropped: (code: string) => void): WebSocket {
  const ws = new WebSocket(req, socket, head, null, { backpressureLimit: 8 * 1024 * 1024 });
  ws.on("error", (event) => {
    const code = (event.error as { code?: string } | undefined)?.code;
    if (code === "WS_ERR_BACKPRESSURE_LIMIT") onDropped(code);
  });
  return ws;
}
