/**
 * node:net / node:tls sockets as the ByteSocket port. Listeners are added
 * once per socket and forward to whichever handler is attached; they are
 * shared functions that find their NodeByteSocket on the socket itself.
 */
import type { Socket } from "node:net";
import type { ByteSocket, ByteSocketHandler } from "../../web/transport/byte-socket.ts";

const EMPTY = new Uint8Array(0);

/** The NodeByteSocket a node socket reports to (set while attached; see release()). */
const OWNER: unique symbol = Symbol("omnisocket.byteSocket");
type OwnedSocket = Socket & { [OWNER]?: NodeByteSocket };

// The listeners are the same four functions for every socket: node calls a
// listener with the socket as `this`, which leads to its NodeByteSocket.
// No closures per connection.
function onData(this: OwnedSocket, chunk: Buffer): void {
  // Plain Uint8Array views (no copy): Buffers stay inside the Node shim, so
  // binaryType "uint8array" and ping/pong data are the web type everywhere.
  this[OWNER]?.handler?.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
}
function onEnd(this: OwnedSocket): void {
  this[OWNER]?.handler?.onEnd();
}
function onDrain(this: OwnedSocket): void {
  this[OWNER]?.handler?.onDrain();
}
function onClose(this: OwnedSocket): void {
  const owner = this[OWNER];
  if (owner === undefined) return;
  owner.closed = true;
  owner.handler?.onClose();
}
function onError(): void {
  // 'close' follows every 'error'; the handler learns of it there.
}

export class NodeByteSocket implements ByteSocket {
  /** Where events go (the listeners above read it). */
  handler: ByteSocketHandler | null = null;
  closed = false;

  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    const owned = socket as OwnedSocket;
    // A socket wrapped again (not released first) keeps its listeners; events go to the newest wrapper.
    const listening = owned[OWNER] !== undefined;
    owned[OWNER] = this;
    if (listening) return;
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("drain", onDrain);
    socket.on("error", onError);
    socket.on("close", onClose);
  }

  /** Hands the node socket over (paused, our listeners gone), e.g. to node:tls; this object is dead after. */
  release(): Socket {
    const socket = this.socket;
    socket.pause();
    socket.off("data", onData);
    socket.off("end", onEnd);
    socket.off("drain", onDrain);
    socket.off("close", onClose);
    (socket as OwnedSocket)[OWNER] = undefined;
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
