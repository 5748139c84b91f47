/**
 * The hixie-75/76 connection engine, server side, sans I/O: the same
 * driver-facing interface as the RFC 6455 Protocol (WireProtocol), so the
 * engine driver and the WebSocket face run it unchanged.
 *
 *   -76 only: key3 (8 bytes) --> challenge response --> held sends, in order
 *                                        |
 *   transport bytes --receiveData--> LegacyFrameReader --> text, close
 *                                                            |
 *   dataToSend() <-- 0x00 text 0xFF, 0xFF 0x00 <-- LegacyProtocol --> eventsReceived()
 *
 * What the drafts lack, and what happens instead:
 * - binary: sendBinary throws `WS_ERR_LEGACY_BINARY` (nothing is sent, the
 *   connection stays open); length-prefixed frames from the client are
 *   skipped, or fail the connection past `maxLength`.
 * - ping/pong: `canPing` is false; sendPing/sendPong do nothing.
 * - close codes: a close carries none, so it reports 1005 (clean) or 1006.
 *   -76 closes with 0xFF 0x00 both ways (section 5.3, 5.5); -75 has no
 *   closing frame: closing is ending TCP, which the server does.
 */
import { WebSocketError } from "../../shared/errors.ts";
import { encodeUtf8, textDecoder } from "../../shared/platform.ts";
import { DEFAULT_MAX_LENGTH, ReadyState, type CloseInfo, type ProtocolEvent, type SendOptions } from "../protocol.ts";
import type { WireProtocol } from "../wire-protocol.ts";
import { LegacyFrameReader } from "./frame-reader.ts";
import { legacyChallenge, type LegacyDraft, type LegacyKeys } from "./handshake.ts";

export interface LegacyProtocolOptions {
  draft: LegacyDraft;
  /** hixie-76: the key numbers from the request; the engine then waits for key3. */
  keys?: LegacyKeys;
  /** Largest frame accepted, in bytes (default 2^26 - 1). */
  maxLength?: number;
}

const KEY3_LENGTH = 8;
/** The -76 closing frame (section 5.3 step 2.7, section 5.5). */
const CLOSING_FRAME = Uint8Array.of(0xff, 0x00);
const NO_STATUS = { code: 1005, reason: "" } as const;

export class LegacyProtocol implements WireProtocol {
  readonly role = "server" as const;
  readonly draft: LegacyDraft;
  readonly maxLength: number;
  readonly canPing = false;
  state: ReadyState = ReadyState.OPEN;
  closeReceived: { code: number; reason: string } | null = null;
  closeSent: { code: number; reason: string } | null = null;
  error: WebSocketError | null = null;
  closeTransport = false;
  readonly busy = false;

  private readonly reader: LegacyFrameReader;
  private readonly keys: LegacyKeys | undefined;
  /** -76: key3 bytes so far, until the challenge response is sent; then null. */
  private key3: Uint8Array | null;
  private key3Length = 0;
  /** Frames sent before key3 arrived: they follow the challenge response, in order. */
  private held: Uint8Array[] = [];
  private events: ProtocolEvent[] = [];
  private output: Uint8Array[] = [];
  private eof = false;

  constructor(options: LegacyProtocolOptions) {
    this.draft = options.draft;
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    this.reader = new LegacyFrameReader({ draft: this.draft, maxLength: this.maxLength });
    if (this.draft === "hixie-76" && !options.keys) {
      throw new WebSocketError("WS_ERR_INVALID_ARGUMENT", "hixie-76 needs the keys of the request");
    }
    this.keys = options.keys;
    this.key3 = this.draft === "hixie-76" ? new Uint8Array(KEY3_LENGTH) : null;
  }

  /** True until a -76 client's 8-byte key body has arrived and been answered. */
  get awaitingKey(): boolean {
    return this.key3 !== null;
  }

  // ------------------------------------------------------------- receive --

  receiveData(chunk: Uint8Array): void {
    if (this.eof || this.error || this.closeReceived) return;
    if (this.key3 !== null) {
      const take = Math.min(KEY3_LENGTH - this.key3Length, chunk.length);
      this.key3.set(chunk.subarray(0, take), this.key3Length);
      this.key3Length += take;
      if (this.key3Length < KEY3_LENGTH) return;
      this.completeHandshake(this.key3);
      chunk = chunk.subarray(take);
      if (chunk.length === 0) return;
    }
    this.reader.push(chunk);
    for (;;) {
      const frame = this.reader.read();
      if (frame === null) return;
      if (frame instanceof WebSocketError) return this.fail(frame.closeCode, "", frame);
      if (frame.type === "close") return this.handleClose();
      // -76 section 5.3 step 3.4: "Interpret /raw data/ as a UTF-8 string" (U+FFFD for bad bytes).
      this.events.push({ type: "text", data: textDecoder.decode(frame.data) });
    }
  }

  receiveEof(): void {
    if (this.eof) return;
    this.eof = true;
    if (this.key3 !== null && !this.error) {
      this.error = new WebSocketError("WS_ERR_UNEXPECTED_EOF", "The client closed before sending its draft-76 key");
    }
    this.state = ReadyState.CLOSED;
    this.held = [];
  }

  /** -76 section 5.2: the 16-byte answer to key3, then what was sent meanwhile. */
  private completeHandshake(key3: Uint8Array): void {
    this.key3 = null;
    this.output.push(legacyChallenge(this.keys!, key3));
    for (const frame of this.held) this.output.push(frame);
    this.held = [];
  }

  private handleClose(): void {
    this.closeReceived = { ...NO_STATUS };
    // -76 section 5.3 step 2.7.1: start the closing handshake if not yet
    // started; then the server closes the connection (section 5.5).
    if (!this.closeSent) this.writeClosingFrame();
    this.state = ReadyState.CLOSING;
    this.closeTransport = true;
    this.events.push({ type: "close", ...NO_STATUS });
  }

  // ---------------------------------------------------------------- send --

  /** Queues `0x00 <UTF-8> 0xFF` (-76 section 5.3); returns the UTF-8 length. */
  sendText(data: string | Uint8Array, _options?: SendOptions): number {
    this.assertOpen();
    const bytes = typeof data === "string" ? encodeUtf8(data) : data;
    // 0xFF ends a text frame and never occurs in UTF-8: bytes holding it would end the frame early.
    if (typeof data !== "string" && bytes.indexOf(0xff) !== -1) {
      throw new WebSocketError("WS_ERR_INVALID_ARGUMENT", "Text for a draft frame must be UTF-8 (it holds a 0xFF byte)");
    }
    const frame = new Uint8Array(bytes.length + 2);
    frame[0] = 0x00;
    frame.set(bytes, 1);
    frame[bytes.length + 1] = 0xff;
    this.queue(frame);
    return bytes.length;
  }

  /** The drafts have no binary messages: throws `WS_ERR_LEGACY_BINARY`, sends nothing. */
  sendBinary(_data: Uint8Array, _options?: SendOptions): void {
    this.assertOpen();
    throw new WebSocketError("WS_ERR_LEGACY_BINARY", `${this.draft} has no binary messages; send text`);
  }

  /** No ping frames in the drafts (`canPing` is false): nothing is sent. */
  sendPing(_data?: Uint8Array): void {}

  /** No pong frames in the drafts: nothing is sent. */
  sendPong(_data?: Uint8Array): void {}

  /**
   * -76: sends 0xFF 0x00 and waits for the client's; -75: asks the caller to
   * end TCP, the only close that draft knows. `code` and `reason` cannot be sent.
   */
  sendClose(_code?: number, _reason?: string): void {
    this.assertOpen();
    this.state = ReadyState.CLOSING;
    if (this.draft === "hixie-75") {
      this.closeSent = { ...NO_STATUS };
      this.closeTransport = true;
      return;
    }
    this.writeClosingFrame();
  }

  /**
   * Fails the connection: what was held or queued is dropped, -76 sends its
   * closing frame when the handshake is complete, and the caller closes TCP.
   */
  fail(code: number, reason = "", error?: WebSocketError): void {
    if (this.error || this.state === ReadyState.CLOSED) return;
    this.error = error ?? new WebSocketError("WS_ERR_INTERNAL", reason || `Connection failed with code ${code}`, code);
    this.held = [];
    if (this.draft === "hixie-76" && this.key3 === null && !this.closeSent) this.writeClosingFrame();
    this.state = ReadyState.CLOSING;
    this.closeTransport = true;
    this.events.push({ type: "error", error: this.error });
  }

  private writeClosingFrame(): void {
    this.closeSent = { ...NO_STATUS };
    this.queue(CLOSING_FRAME.slice());
  }

  private queue(frame: Uint8Array): void {
    if (this.key3 !== null) this.held.push(frame);
    else this.output.push(frame);
  }

  private assertOpen(): void {
    if (this.state !== ReadyState.OPEN) {
      throw new WebSocketError("WS_ERR_INVALID_STATE", `WebSocket is not open: readyState ${this.state}`);
    }
  }

  // --------------------------------------------------------------- drain --

  eventsReceived(): ProtocolEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  dataToSend(): Uint8Array[] {
    const output = this.output;
    this.output = [];
    return output;
  }

  closeExpected(): boolean {
    return !this.eof && (this.closeTransport || (this.closeSent !== null && this.closeReceived !== null) || this.error !== null);
  }

  /**
   * -76: clean when both closing frames crossed and nothing failed; -75:
   * clean when the transport ended without a failure (its only close).
   * The drafts carry no status code: 1005 when clean, 1006 otherwise.
   */
  closeInfo(): CloseInfo {
    const wasClean = this.error === null && (this.draft === "hixie-75"
      ? this.eof || this.closeSent !== null
      : this.closeReceived !== null && this.closeSent !== null);
    return { code: wasClean ? 1005 : 1006, reason: "", wasClean };
  }
}
