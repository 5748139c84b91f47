/**
 * Flow control for stream-shaped faces (faye's duplex sockets, ws's
 * createWebSocketStream): a ByteSocket wrapper the engine driver runs over
 * unchanged, which the face can pause and which remembers whether the last
 * write went past the runtime's high-water mark.
 *
 *   runtime ByteSocket --onData/onEnd/onClose/onDrain--> FlowSocket --> Connection
 *   runtime ByteSocket <--write/end/destroy--------------- FlowSocket <-- Connection
 *                 ^                                          |
 *                 +-- pause() / attach() (resume) -----------+  <-- face: pause()/resume()
 *
 * Paused, the runtime socket stops reading: the kernel's receive window
 * fills and the peer's writes back up (TCP flow control) instead of this
 * process buffering what it cannot consume. `blocked` is true from a write
 * the runtime refused to take without buffering (write() returned false)
 * until its drain.
 */
import type { ByteSocket, ByteSocketHandler } from "./byte-socket.ts";

export class FlowSocket implements ByteSocket, ByteSocketHandler {
  readonly #inner: ByteSocket;
  #handler: ByteSocketHandler | null = null;
  #paused = false;
  #blocked = false;

  constructor(inner: ByteSocket) {
    this.#inner = inner;
  }

  /** True while reading is paused by the face. */
  get paused(): boolean { return this.#paused; }

  /** True from a write past the high-water mark until the runtime's drain. */
  get blocked(): boolean { return this.#blocked; }

  /** Stops reading from the network (the engine gets no more bytes) until resume(). */
  pauseReading(): void {
    this.#paused = true;
    if (this.#handler) this.#inner.pause();
  }

  /** Reads again after pauseReading(). */
  resumeReading(): void {
    if (!this.#paused) return;
    this.#paused = false;
    // ByteSocket: attaching (again) resumes reading.
    if (this.#handler) this.#inner.attach(this);
  }

  // ByteSocket, for the engine driver.

  attach(handler: ByteSocketHandler): void {
    this.#handler = handler;
    this.#inner.attach(this);
    if (this.#paused) this.#inner.pause();
  }

  pause(): void {
    this.#inner.pause();
  }

  write(chunks: readonly Uint8Array[]): boolean {
    const ok = this.#inner.write(chunks);
    if (!ok) this.#blocked = true;
    return ok;
  }

  end(): void { this.#inner.end(); }
  destroy(): void { this.#inner.destroy(); }
  get bufferedAmount(): number { return this.#inner.bufferedAmount; }

  // ByteSocketHandler, from the runtime socket.

  onData(chunk: Uint8Array): void { this.#handler?.onData(chunk); }
  onEnd(): void { this.#handler?.onEnd(); }
  onClose(error?: Error): void { this.#handler?.onClose(error); }
  onDrain(): void {
    this.#blocked = false;
    this.#handler?.onDrain();
  }
}
