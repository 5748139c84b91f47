/**
 * The WebSocket connection engine, sans I/O (RFC 6455 after the handshake).
 *
 *   transport bytes --receiveData()--> FrameParser --> messages, control
 *                                          |              |
 *                                          v              v
 *               dataToSend() <-- frames <-- Protocol --> eventsReceived()
 *                                 ^                         (text, binary,
 *   sendText/sendBinary/sendPing/sendClose/fail             ping, pong,
 *                                                            close, error)
 *
 * The caller feeds bytes and commands, then drains both queues and writes
 * what `dataToSend()` returns. When `closeTransport` turns true it ends the
 * TCP connection after that write; `closeExpected()` says the engine waits
 * for the peer to do so (the caller owns the timeout). Nothing here throws
 * into the transport: a protocol violation ends as a close code and an
 * `error` event carrying a WebSocketError with a stable code. Commands that
 * are misused (send after close) throw, so misuse is never silent.
 *
 * A failure takes effect in order (section 7.1.7): when a chunk holds
 * messages and then a violation, `eventsReceived()` first hands out the
 * messages alone, with the connection still open, so what the caller sends
 * in answer goes out; the failure (its Close frame and `error` event) comes
 * with the next `eventsReceived()` or `dataToSend()` call.
 */
import { WebSocketError } from "../shared/errors.ts";
import type { ActiveExtension, ExtensionMessage } from "./extensions/extension.ts";
import { ExtensionPipeline } from "./extensions/pipeline.ts";
import { OrderedQueue } from "../shared/ordered-queue.ts";
import { encodeFrame, encodeSmallTextFrame, encodeTextFrame, payloadLength } from "./frame/encoder.ts";
import { MaskSource } from "./frame/mask-source.ts";
import { Opcode, RSV1, RSV2, RSV3, type Frame } from "./frame/types.ts";
import { FrameParser } from "./frame/parser.ts";
import { encodeUtf8, newTextDecoder, textDecoder, type RandomSource } from "../shared/platform.ts";
import { isValidUtf8 } from "../shared/utf8.ts";
import type { WireProtocol } from "./wire-protocol.ts";
import { encodeClosePayload, parseClosePayload } from "./close.ts";
import { MessageBuffer } from "./message-buffer.ts";
import { isThenable } from "../shared/thenable.ts";
import type { SharedMessage } from "../pubsub/shared-message.ts";
import { OutputQueue } from "../pubsub/output-epoch.ts";

export { DEFAULT_MAX_FRAGMENTS } from "./frame/parser.ts";
export { ReadyState, type CloseInfo, type ProtocolEvent, type SendOptions } from "./wire-protocol.ts";
import { ReadyState, type CloseInfo, type ProtocolEvent, type SendOptions } from "./wire-protocol.ts";

/** Default `maxLength`: 2^26 - 1 bytes, as faye-websocket. */
export const DEFAULT_MAX_LENGTH = 0x3ffffff;

export interface ProtocolOptions {
  role: "client" | "server";
  /** Largest message in bytes, after every extension (default 2^26 - 1). */
  maxLength?: number;
  /**
   * Most frames one message may take (default DEFAULT_MAX_FRAGMENTS, 2^17;
   * 0 for no limit). Past it the connection closes with 1008
   * (`WS_ERR_TOO_MANY_FRAGMENTS`).
   */
  maxFragments?: number;
  /** Sessions negotiated in the handshake. */
  extensions?: ActiveExtension[];
  /** Random source for masking keys (tests fix it). */
  random?: RandomSource;
  /** Called when asynchronous extension work queued events or bytes. */
  onWake?: () => void;
  /** Echo the peer's close reason too, not only its code (faye-websocket's drivers do). */
  echoCloseReason?: boolean;
  /** Answer each Ping with a Pong (default true; ws's `autoPong: false` turns it off). */
  autoPong?: boolean;
  /**
   * Deliver text messages as their UTF-8 bytes, checked but not decoded
   * (`{ type: "utf8" }` events), for faces that hand text out as bytes
   * (the ws face's node buffers): no decode into a string that would be encoded again.
   */
  textAsBytes?: boolean;
  /**
   * Hand text on without checking it is UTF-8 (ws's `skipUTF8Validation`,
   * for peers known to send valid text). Default false: RFC 6455 section
   * 8.1's check applies.
   */
  skipUtf8Validation?: boolean;
}

type Outgoing = Uint8Array[] | { close: Uint8Array[] };

export class Protocol implements WireProtocol {
  readonly role: "client" | "server";
  readonly maxLength: number;
  /** RFC 6455 has ping and pong frames (section 5.5.2, 5.5.3). */
  readonly canPing = true;
  state: ReadyState = ReadyState.OPEN;
  /** The close frame received, if any. */
  closeReceived: { code: number; reason: string } | null = null;
  /** The close frame sent, if any. */
  closeSent: { code: number; reason: string } | null = null;
  /** Why the connection failed, if it did. */
  error: WebSocketError | null = null;
  /** Set when the caller should end the TCP connection once output is written. */
  closeTransport = false;

  private readonly parser: FrameParser;
  private readonly mask: MaskSource | null;
  private readonly pipeline: ExtensionPipeline;
  private readonly onWake: (() => void) | undefined;
  private readonly echoCloseReason: boolean;
  private readonly autoPong: boolean;
  private readonly textAsBytes: boolean;
  private readonly skipUtf8Validation: boolean;
  private events: ProtocolEvent[] = [];
  private output: Uint8Array[] = [];
  /**
   * The last run of output not in `output` yet: `tail` and the bytes right
   * after it in the same buffer, up to `tailEnd`. Frames cut one after
   * another from a slab extend it, and it becomes one buffer for the
   * transport only when `dataToSend()` hands it out (no view per frame).
   */
  private tail: Uint8Array | null = null;
  private tailBuffer: ArrayBufferLike | null = null;
  private tailEnd = 0;
  // Order behind received messages still inside an extension: made when the
  // first one goes in asynchronously. Until then (and with no extension,
  // always) what comes is released at once.
  private incoming: OrderedQueue<ProtocolEvent | WebSocketError> | null = null;
  private readonly outgoing: OrderedQueue<Outgoing | WebSocketError>;

  // The data message being assembled.
  /** Made at the first fragmented message (or any message, with an extension). */
  private fragments: MessageBuffer | null = null;
  private messageOpcode = 0;
  private messageRsv = 0;
  /** The parser checked the message's text as UTF-8 on arrival. */
  private messageChecked = false;
  /** A violation found after events the caller has not taken yet (section 7.1.7, in order). */
  private pendingFailure: WebSocketError | null = null;
  private eof = false;
  private broken = false;
  /** The Close frame is in `output`, not just queued behind messages. */
  private closeWritten = false;

  constructor(options: ProtocolOptions) {
    this.role = options.role;
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    this.parser = new FrameParser({
      role: this.role,
      maxLength: this.maxLength,
      maxFragments: options.maxFragments,
      checkUtf8: !options.skipUtf8Validation,
    });
    // No extension: the one empty pipeline every such connection shares (it keeps no state).
    const extensions = options.extensions;
    this.pipeline = extensions === undefined || extensions.length === 0 ? NO_EXTENSIONS : new ExtensionPipeline(extensions);
    this.parser.allowedRsv = this.pipeline.rsvMask;
    // Section 5.3: client frames are masked, server frames are not.
    this.mask = this.role === "client" ? new MaskSource(options.random) : null;
    this.onWake = options.onWake;
    this.echoCloseReason = options.echoCloseReason ?? false;
    this.autoPong = options.autoPong ?? true;
    this.textAsBytes = options.textAsBytes ?? false;
    this.skipUtf8Validation = options.skipUtf8Validation ?? false;
    // The output queue also counts what is queued (pub/sub joins a burst's publishes only when nothing came between).
    this.outgoing = new OutputQueue((o) => this.releaseOutgoing(o));
  }

  // ------------------------------------------------------------- receive --

  /** Feeds bytes from the transport. Takes ownership of `chunk` (unmasked in place). */
  receiveData(chunk: Uint8Array): void {
    // Section 5.5.1: nothing is processed after a Close frame.
    if (this.closeReceived || this.error || this.eof || this.broken) return;
    this.parser.push(chunk);
    for (;;) {
      const frame = this.parser.read();
      if (frame === null) return;
      if (frame instanceof WebSocketError) return this.reject(frame);
      this.handleFrame(frame);
      if (this.closeReceived || this.error || this.broken) return;
    }
  }

  /** The transport reached its end (the peer closed TCP). */
  receiveEof(): void {
    if (this.eof) return;
    this.eof = true;
    this.state = ReadyState.CLOSED;
    this.release();
  }

  private handleFrame(frame: Frame): void {
    switch (frame.opcode) {
      case Opcode.TEXT:
      case Opcode.BINARY:
        // A whole message in one frame with no extension to run: no fragment list.
        if (frame.fin && this.pipeline.empty) return this.singleFrameMessage(frame);
        this.messageOpcode = frame.opcode;
        this.messageRsv = frame.rsv;
        this.messageChecked = frame.checked === true;
      // falls through: the first frame is also a fragment
      case Opcode.CONTINUATION:
        // Section 8.1: the parser checked uncompressed text as it arrived.
        (this.fragments ??= new MessageBuffer(this.maxLength)).append(frame.payload);
        if (frame.fin) this.finishMessage();
        return;
      case Opcode.CLOSE:
        return this.handleClose(frame.payload);
      case Opcode.PING:
        // Section 5.5.2: answer with a Pong carrying the same payload.
        if (this.state === ReadyState.OPEN && this.autoPong) this.queueFrame(Opcode.PONG, frame.payload);
        return this.emit({ type: "ping", data: frame.payload });
      case Opcode.PONG:
        return this.emit({ type: "pong", data: frame.payload });
    }
  }

  private singleFrameMessage(frame: Frame): void {
    if (frame.opcode === Opcode.BINARY) return this.emit({ type: "binary", data: frame.payload });
    if (frame.checked) return this.emit(this.checkedText(frame.payload));
    const event = this.uncheckedText(frame.payload);
    if (event instanceof WebSocketError) return this.reject(event);
    this.emit(event);
  }

  /** A text message whose bytes are already known to be UTF-8 (or are not to be checked). */
  private checkedText(bytes: Uint8Array): ProtocolEvent {
    return this.textAsBytes ? { type: "utf8", data: bytes } : { type: "text", data: textDecoder.decode(bytes) };
  }

  /**
   * Section 8.1: a whole text not checked yet. One strict decode validates
   * and decodes it (faster than the streaming check plus a decode); with
   * `textAsBytes` it is only checked.
   */
  private uncheckedText(bytes: Uint8Array): ProtocolEvent | WebSocketError {
    if (this.skipUtf8Validation) return this.checkedText(bytes);
    if (this.textAsBytes) {
      return isValidUtf8(bytes) ? { type: "utf8", data: bytes } : new WebSocketError("WS_ERR_INVALID_UTF8", "Invalid UTF-8 in text message");
    }
    try {
      return { type: "text", data: strictDecoder.decode(bytes) };
    } catch {
      return new WebSocketError("WS_ERR_INVALID_UTF8", "Invalid UTF-8 in text message");
    }
  }

  private finishMessage(): void {
    const data = this.fragments!.take();
    const opcode = this.messageOpcode as 1 | 2;
    const rsv = this.messageRsv;
    const validated = opcode === Opcode.TEXT && rsv === 0 && this.messageChecked;
    this.messageOpcode = 0;
    this.messageRsv = 0;
    this.messageChecked = false;
    if (this.pipeline.empty) {
      // Fragmented text: the parser checked every frame (section 8.1).
      return this.emit(opcode === Opcode.TEXT ? this.checkedText(data) : { type: "binary", data });
    }
    const message: ExtensionMessage = { opcode, rsv1: (rsv & RSV1) !== 0, rsv2: (rsv & RSV2) !== 0, rsv3: (rsv & RSV3) !== 0, data };
    const result = this.pipeline.process("in", message);
    const checkedData = validated ? data : null;
    if (result instanceof WebSocketError || !isThenable(result)) {
      const checked = this.checkIncoming(result, checkedData);
      if (checked instanceof WebSocketError) return this.reject(checked);
      return this.addIncoming(checked);
    }
    const incoming = (this.incoming ??= new OrderedQueue((e) => this.releaseIncoming(e)));
    const slot = incoming.reserve();
    result.then((m) => {
      const checked = this.checkIncoming(m, checkedData);
      if (checked instanceof WebSocketError) this.broken = true;
      incoming.settle(slot, checked);
      this.onWake?.();
    });
  }

  /**
   * Final checks on a message an extension produced. `validated` is the
   * data already checked as UTF-8 on arrival, which needs no second pass.
   * This may run after later frames were fed (async extensions), so it uses
   * a whole-buffer check, never the streaming validator of the frame path.
   */
  private checkIncoming(result: ExtensionMessage | WebSocketError, validated: Uint8Array | null): ProtocolEvent | WebSocketError {
    if (result instanceof WebSocketError) return result;
    if (result.data.length > this.maxLength) {
      return new WebSocketError("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", `Message too big: more than ${this.maxLength} bytes`);
    }
    if (result.opcode === Opcode.TEXT) {
      if (result.data === validated) return this.checkedText(result.data);
      // The inflated text of a compressed message, say: checked as a whole.
      return this.uncheckedText(result.data);
    }
    return { type: "binary", data: result.data };
  }

  private handleClose(payload: Uint8Array): void {
    const parsed = parseClosePayload(payload);
    if (parsed instanceof WebSocketError) return this.reject(parsed);
    this.closeReceived = parsed;
    // Section 5.5.1: answer a Close with a Close, echoing the status code.
    if (!this.closeSent) this.sendCloseFrame(parsed.code === 1005 ? undefined : parsed.code, this.echoCloseReason ? parsed.reason : "");
    this.state = ReadyState.CLOSING;
    // Section 7.1.1: the server closes TCP first, once its Close is out
    // (releaseOutgoing covers a Close still queued behind messages); the
    // client waits for the server to do it.
    if (this.role === "server" && this.outgoing.idle) this.closeTransport = true;
    this.emit({ type: "close", code: parsed.code, reason: parsed.reason });
  }

  /**
   * A violation in the input: reading stops now, and the connection fails
   * once the messages accepted before it (maybe still in an extension) are
   * delivered.
   */
  private reject(error: WebSocketError): void {
    this.broken = true;
    this.addIncoming(error);
  }

  private emit(event: ProtocolEvent): void {
    this.addIncoming(event);
  }

  /** Released now, unless messages before it are still inside an extension. */
  private addIncoming(event: ProtocolEvent | WebSocketError): void {
    const incoming = this.incoming;
    if (incoming === null) this.releaseIncoming(event);
    else incoming.add(event);
  }

  private releaseIncoming(event: ProtocolEvent | WebSocketError): void {
    if (this.error || this.pendingFailure) return;
    if (!(event instanceof WebSocketError)) {
      this.events.push(event);
      return;
    }
    // Section 7.1.7, in order: events before the violation go out first,
    // with the connection still open, and so do the sends made in answer.
    if (this.events.length === 0) return this.fail(event.closeCode, "", event);
    this.pendingFailure = event;
    // Nothing after the violation is delivered (messages still in an extension included).
    this.broken = true;
    this.incoming?.clear();
  }

  /** The caller has taken every event before the violation: fail now. */
  private applyPendingFailure(): void {
    const error = this.pendingFailure!;
    this.pendingFailure = null;
    if (this.error) return;
    if (this.state !== ReadyState.CLOSED) return this.fail(error.closeCode, "", error);
    // The transport is gone already: only the cause is left to report.
    this.error = error;
    this.events.push({ type: "error", error });
  }

  // ---------------------------------------------------------------- send --

  /** Queues a text message; returns its length in bytes of UTF-8 (before any extension). */
  sendText(data: string | Uint8Array, options?: SendOptions): number {
    if (typeof data === "string" && this.pipeline.empty) {
      // No extension to run: the string is encoded straight into its frame.
      this.assertOpen();
      const frame = encodeSmallTextFrame(data, this.mask);
      if (frame === null) {
        const frames = encodeTextFrame(data, this.mask);
        this.outgoing.add(frames);
        return payloadLength(frames[0]!);
      }
      // Nothing waits in the queue ahead of it: the frame goes straight out.
      if (this.outgoing.idle) this.write(frame);
      else this.outgoing.add([frame]);
      return payloadLength(frame);
    }
    const bytes = typeof data === "string" ? encodeUtf8(data) : data;
    this.sendMessage(Opcode.TEXT, bytes, options);
    return bytes.length;
  }

  sendBinary(data: Uint8Array, options?: SendOptions): void {
    this.sendMessage(Opcode.BINARY, data, options);
  }

  sendPing(data: Uint8Array = EMPTY): void {
    this.sendControl(Opcode.PING, data);
  }

  sendPong(data: Uint8Array = EMPTY): void {
    this.sendControl(Opcode.PONG, data);
  }

  /**
   * Starts the closing handshake (section 7.1.2). `code` undefined sends an
   * empty Close (the peer then sees 1005).
   */
  sendClose(code?: number, reason = ""): void {
    this.assertOpen();
    this.sendCloseFrame(code, reason);
    this.state = ReadyState.CLOSING;
  }

  /**
   * Fails the connection (section 7.1.7): sends a Close with `code` when one
   * can still be sent, and asks the caller to close the transport.
   */
  fail(code: number, reason = "", error?: WebSocketError): void {
    if (this.error || this.state === ReadyState.CLOSED) return;
    this.pendingFailure = null;
    // 1005, 1006 and 1015 never go on the wire (section 7.4.1). Encode first:
    // a code or reason that cannot be sent throws before anything changes.
    const sendable = !this.closeWritten && code !== 1005 && code !== 1006 && code !== 1015;
    const payload = sendable ? encodeClosePayload(code, reason) : null;
    this.error = error ?? new WebSocketError("WS_ERR_INTERNAL", reason || `Connection failed with code ${code}`, code);
    this.incoming?.clear();
    // Drops pending messages, and a Close still queued behind them: this
    // failure's Close replaces it.
    this.outgoing.clear();
    if (!this.closeWritten) this.closeSent = null;
    if (payload) {
      this.closeSent = { code, reason };
      this.closeWritten = true;
      for (const chunk of encodeFrame(Opcode.CLOSE, payload, true, 0, this.mask)) this.write(chunk);
    }
    this.state = ReadyState.CLOSING;
    this.closeTransport = true;
    this.events.push({ type: "error", error: this.error });
    this.release();
  }

  private sendMessage(opcode: 1 | 2, data: Uint8Array, options?: SendOptions): void {
    this.assertOpen();
    if (this.pipeline.empty) {
      this.outgoing.add(encodeFrame(opcode, data, true, 0, this.mask));
      return;
    }
    const message: ExtensionMessage = { opcode, rsv1: false, rsv2: false, rsv3: false, data };
    if (options?.compress === false) message.compress = false;
    const result = this.pipeline.process("out", message);
    if (result instanceof WebSocketError || !isThenable(result)) {
      this.outgoing.add(this.frameOutgoing(result));
      return;
    }
    const slot = this.outgoing.reserve();
    result.then((m) => {
      this.outgoing.settle(slot, this.frameOutgoing(m));
      this.onWake?.();
    });
  }

  /**
   * Queues a published message framed once for many connections
   * (core/pubsub/shared-message.ts), in order with every other message:
   * behind messages still inside an extension, as a send would be. Which
   * frame this connection takes is decided here: a server's frames are
   * unmasked (RFC 6455 section 5.1), so with no extension it takes the
   * plain frame; with extensions it asks them (sharedOutgoing): passed on
   * unchanged, the plain frame; compressed alike for every connection with
   * the same agreement (permessage-deflate with no context takeover), the
   * frame of that shared compression, which may still be on its way (its
   * place in the queue is kept). Returns false, queuing nothing, when this
   * connection must send the message itself (a client, an extension with
   * per-connection state). Throws when not open, as the other sends do.
   */
  sendShared(message: SharedMessage): boolean {
    if (this.mask !== null) return false;
    this.assertOpen();
    if (this.pipeline.empty) {
      this.outgoing.add(message.plain().chunks as Uint8Array[]);
      return true;
    }
    const plan = this.pipeline.sharedOutgoing(message.length, message.compress);
    if (plan === null) return false;
    if (plan === "as-is") {
      this.outgoing.add(message.plain().chunks as Uint8Array[]);
      return true;
    }
    const framed = message.transformed(plan);
    if (!isThenable(framed)) {
      this.outgoing.add(framed as Uint8Array[] | WebSocketError);
      return true;
    }
    const slot = this.outgoing.reserve();
    framed.then((chunks) => {
      this.outgoing.settle(slot, chunks as Uint8Array[] | WebSocketError);
      this.onWake?.();
    });
    return true;
  }

  /**
   * Reserves this connection's place in the output for frames shared by
   * many connections that are not all known yet (a burst of publishes, see
   * web/pubsub/hub.ts); settleShared() fills it. Anything sent meanwhile
   * waits behind it. Null when this connection cannot take plain shared
   * frames (a client, or any extension). Throws when not open.
   */
  reserveShared(): object | null {
    if (this.mask !== null || !this.pipeline.empty) return null;
    this.assertOpen();
    return this.outgoing.reserve();
  }

  /** Fills a place reserveShared() kept with whole frames (read only, shared). */
  settleShared(slot: object, chunks: readonly Uint8Array[]): void {
    this.outgoing.settle(slot as ReturnType<typeof this.outgoing.reserve>, chunks as Uint8Array[]);
  }

  private frameOutgoing(result: ExtensionMessage | WebSocketError): Outgoing | WebSocketError {
    if (result instanceof WebSocketError) return result;
    const rsv = (result.rsv1 ? RSV1 : 0) | (result.rsv2 ? RSV2 : 0) | (result.rsv3 ? RSV3 : 0);
    return encodeFrame(result.opcode, result.data, true, rsv, this.mask);
  }

  private releaseOutgoing(out: Outgoing | WebSocketError): void {
    if (out instanceof WebSocketError) return this.fail(out.closeCode, "", out);
    if (Array.isArray(out)) {
      for (let i = 0; i < out.length; i++) this.write(out[i]!);
      return;
    }
    for (const chunk of out.close) this.write(chunk);
    this.closeWritten = true;
    // The Close went out after every message queued before it.
    if (this.closeReceived && this.role === "server") this.closeTransport = true;
  }

  private sendControl(opcode: number, data: Uint8Array): void {
    this.assertOpen();
    // Section 5.5: control payloads are at most 125 bytes.
    if (data.length > 125) throw new WebSocketError("WS_ERR_INVALID_ARGUMENT", "Control frame payload must be 125 bytes or less");
    this.queueFrame(opcode, data);
  }

  /** Control frames may go between messages still in the extension pipeline. */
  private queueFrame(opcode: number, data: Uint8Array): void {
    const frames = encodeFrame(opcode, data, true, 0, this.mask);
    for (const f of frames) this.write(f);
  }

  /**
   * Queues bytes for the transport. A chunk that continues the previous one
   * in memory (frames cut one after another from the same slab) joins it,
   * so a burst of small frames leaves as one buffer.
   */
  private write(chunk: Uint8Array): void {
    const tail = this.tail;
    const offset = chunk.byteOffset;
    const buffer = chunk.buffer;
    if (tail !== null) {
      if (this.tailEnd === offset && this.tailBuffer === buffer) {
        this.tailEnd = offset + chunk.length;
        return;
      }
      this.output.push(this.takeTail(tail));
    }
    this.tail = chunk;
    this.tailBuffer = buffer;
    this.tailEnd = offset + chunk.length;
  }

  /** The run of output in `tail` as one buffer. */
  private takeTail(tail: Uint8Array): Uint8Array {
    const length = this.tailEnd - tail.byteOffset;
    return length === tail.length ? tail : new Uint8Array(tail.buffer, tail.byteOffset, length);
  }

  private sendCloseFrame(code: number | undefined, reason: string): void {
    const payload = encodeClosePayload(code, reason);
    this.closeSent = { code: code ?? 1005, reason };
    this.outgoing.add({ close: encodeFrame(Opcode.CLOSE, payload, true, 0, this.mask) });
  }

  private assertOpen(): void {
    if (this.state !== ReadyState.OPEN) {
      throw new WebSocketError("WS_ERR_INVALID_STATE", `WebSocket is not open: readyState ${this.state}`);
    }
  }

  // --------------------------------------------------------------- drain --

  /** Events parsed since the last call. */
  eventsReceived(): ProtocolEvent[] {
    if (this.events.length === 0 && this.pendingFailure !== null) this.applyPendingFailure();
    const events = this.events;
    if (events.length === 0) return NO_EVENTS;
    this.events = [];
    return events;
  }

  /** Bytes to write to the transport, in order. */
  dataToSend(): Uint8Array[] {
    if (this.events.length === 0 && this.pendingFailure !== null) this.applyPendingFailure();
    const tail = this.tail;
    if (tail === null) return NO_DATA;
    this.tail = null;
    this.tailBuffer = null;
    const output = this.output;
    output.push(this.takeTail(tail));
    this.output = [];
    return output;
  }

  /** True while the engine waits for the peer to close TCP (section 7.1.1). */
  closeExpected(): boolean {
    return !this.eof && (this.closeTransport || (this.closeSent !== null && this.closeReceived !== null) || this.error !== null);
  }

  /** What the close event reports (section 7.1.5, 7.1.6). */
  closeInfo(): CloseInfo {
    const received = this.closeReceived;
    return {
      code: received ? received.code : 1006,
      reason: received ? received.reason : "",
      wasClean: received !== null && this.closeSent !== null && this.error === null,
    };
  }

  /** True while received messages are still inside an extension (events to come). */
  get busy(): boolean {
    return (this.incoming !== null && !this.incoming.idle) || this.pendingFailure !== null;
  }

  /** Received messages inside an extension (inflating) or waiting behind one. */
  get receiving(): number {
    return this.incoming === null ? 0 : this.incoming.size;
  }

  /** True while sent messages are still inside an extension (bytes to come). */
  get sending(): boolean {
    return !this.outgoing.idle;
  }

  private release(): void {
    // A failure drops what is in flight; an orderly end lets it finish first.
    if (this.error) this.pipeline.close();
    else if (this.eof) this.pipeline.closeWhenIdle();
  }
}

const EMPTY = new Uint8Array(0);
/** The pipeline of every connection with no extension: empty, so it never holds state. */
const NO_EXTENSIONS = new ExtensionPipeline([]);
/** Validates while it decodes: throws on bytes that are not UTF-8 (RFC 3629). */
const strictDecoder = newTextDecoder(true);
const NO_EVENTS = Object.freeze([]) as unknown as ProtocolEvent[];
const NO_DATA = Object.freeze([]) as unknown as Uint8Array[];

