/**
 * node:net / node:tls sockets as the ByteSocket port. Listeners are added
 * once per socket and forward to whichever handler is attached.
 */
import type { Socket } from "node:net";
import type { ByteSocket, ByteSocketHandler } from "../../web/transport/byte-socket.ts";

const EMPTY = new Uint8Array(0);

export class NodeByteSocket implements ByteSocket {
  private handler: ByteSocketHandler | null = null;
  private closed = false;

  // Plain Uint8Array views (no copy): Buffers stay inside the Node shim, so
  // binaryType "uint8array" and ping/pong data are the web type everywhere.
  private readonly onData = (chunk: Buffer) => this.handler?.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  private readonly onEnd = () => this.handler?.onEnd();
  private readonly onDrain = () => this.handler?.onDrain();
  private readonly onClose = () => {
    this.closed = true;
    this.handler?.onClose();
  };

  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("drain", this.onDrain);
    socket.on("error", () => {
      // 'close' follows every 'error'; the handler learns of it there.
    });
    socket.on("close", this.onClose);
  }

  /** Hands the node socket over (paused, our listeners gone), e.g. to node:tls; this object is dead after. */
  release(): Socket {
    const socket = this.socket;
    socket.pause();
    socket.off("data", this.onData);
    socket.off("end", this.onEnd);
    socket.off("drain", this.onDrain);
    socket.off("close", this.onClose);
    this.handler = null;
    this.closed = true;
    return socket;
  }

  attach(handler: ByteSocketHandler): void {
    this.handler = handler;
    if (this.closed) {
      handler.onClose();
      return;
    }
    this.socket.resume();
  }

  pause(): void {
    this.socket.pause();
  }

  write(chunks: readonly Uint8Array[]): boolean {
    const socket = this.socket;
    if (this.closed || socket.destroyed || !socket.writable) return false;
    if (chunks.length === 1) return socket.write(chunks[0]!);
    // One syscall for many frames: cork, write each, uncork.
    socket.cork();
    let ok = true;
    for (let i = 0; i < chunks.length; i++) ok = socket.write(chunks[i]!);
    socket.uncork();
    return ok;
  }

  end(): void {
    if (!this.closed) this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  flushed(callback: (error?: Error) => void): void {
    const socket = this.socket;
    if (socket.writableLength === 0) queueMicrotask(callback);
    else if (this.closed || socket.destroyed || !socket.writable) queueMicrotask(() => callback(new Error("The socket was closed before the data was written")));
    // An empty write's callback runs once the writes before it are done.
    else socket.write(EMPTY, (error) => callback(error ?? undefined));
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }
}
