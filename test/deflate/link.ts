/**
 * Two Protocols joined in memory, with an optional relay on each direction
 * that may rewrite the frames on the way (split messages into fragments,
 * slip pings between them).
 *
 *   client Protocol --dataToSend--> relay --receiveData--> server Protocol
 *                  <--receiveData-- relay <--dataToSend--
 *
 * Bytes move whenever a side has some: after each command (`pump()`) and
 * whenever asynchronous extension work wakes a Protocol.
 */
import type { ActiveExtension } from "../../src/core/websocket/extensions/extension.ts";
import { encodeFrame } from "../../src/core/websocket/frame/encoder.ts";
import { MaskSource } from "../../src/core/websocket/frame/mask-source.ts";
import { Opcode, type Frame } from "../../src/core/websocket/frame/types.ts";
import { FrameParser } from "../../src/core/websocket/frame/parser.ts";
import { Protocol, type ProtocolEvent } from "../../src/core/websocket/protocol.ts";

/** Rewrites the frames of one direction. */
export type Rewrite = (frame: Frame, emit: (frame: Frame) => void) => void;

class Relay {
  private readonly parser: FrameParser;
  private readonly mask: MaskSource | null;

  constructor(from: "client" | "server", private readonly rewrite: Rewrite) {
    // Frames from a client are masked: parse them as a server would.
    this.parser = new FrameParser({ role: from === "client" ? "server" : "client", maxLength: Number.MAX_SAFE_INTEGER });
    this.parser.allowedRsv = 7;
    this.mask = from === "client" ? new MaskSource() : null;
  }

  pass(chunk: Uint8Array, out: Uint8Array[]): void {
    this.parser.push(chunk);
    for (;;) {
      const frame = this.parser.read();
      if (frame === null) return;
      if (frame instanceof Error) throw frame;
      this.rewrite(frame, (f) => out.push(...encodeFrame(f.opcode, f.payload, f.fin, f.rsv, this.mask)));
    }
  }
}

export interface LinkOptions {
  client: ActiveExtension[];
  server: ActiveExtension[];
  maxLength?: number;
  toServer?: Rewrite;
  toClient?: Rewrite;
  /** Called with each event as the side releases it. */
  onClientEvent?: (event: ProtocolEvent) => void;
  onServerEvent?: (event: ProtocolEvent) => void;
}

export class Link {
  readonly client: Protocol;
  readonly server: Protocol;
  readonly clientEvents: ProtocolEvent[] = [];
  readonly serverEvents: ProtocolEvent[] = [];
  private readonly toServer: Relay | null;
  private readonly toClient: Relay | null;
  private scheduled = false;
  private pumping = false;

  constructor(private readonly options: LinkOptions) {
    const wake = () => this.schedule();
    this.client = new Protocol({ role: "client", extensions: options.client, maxLength: options.maxLength, onWake: wake });
    this.server = new Protocol({ role: "server", extensions: options.server, maxLength: options.maxLength, onWake: wake });
    this.toServer = options.toServer ? new Relay("client", options.toServer) : null;
    this.toClient = options.toClient ? new Relay("server", options.toClient) : null;
  }

  /** Moves bytes and events until neither side has any left. */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let moved = true; moved; ) {
        moved = false;
        for (const chunk of this.client.dataToSend()) {
          moved = true;
          this.deliver(chunk, this.toServer, this.server);
        }
        for (const chunk of this.server.dataToSend()) {
          moved = true;
          this.deliver(chunk, this.toClient, this.client);
        }
        for (const e of this.client.eventsReceived()) {
          moved = true;
          this.clientEvents.push(e);
          this.options.onClientEvent?.(e);
        }
        for (const e of this.server.eventsReceived()) {
          moved = true;
          this.serverEvents.push(e);
          this.options.onServerEvent?.(e);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private deliver(chunk: Uint8Array, relay: Relay | null, to: Protocol): void {
    if (!relay) return to.receiveData(chunk);
    const out: Uint8Array[] = [];
    relay.pass(chunk, out);
    for (const c of out) to.receiveData(c);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }
}

/**
 * Splits every `every`-th data message into three fragments (RSV bits on
 * the first only, as RFC 7692 section 6.1 says) with a ping between each.
 */
export function fragmenter(every: number): Rewrite & { pings: number } {
  let messages = 0;
  const rewrite = ((frame: Frame, emit: (frame: Frame) => void) => {
    const data = frame.opcode === Opcode.TEXT || frame.opcode === Opcode.BINARY;
    if (!data || !frame.fin || frame.payload.length < 3 || messages++ % every !== 0) return emit(frame);
    const p = frame.payload;
    const a = Math.floor(p.length / 3);
    const b = Math.floor((2 * p.length) / 3);
    const ping = (n: number) => {
      rewrite.pings++;
      emit({ fin: true, rsv: 0, opcode: Opcode.PING, payload: new Uint8Array([n & 0xff]) });
    };
    emit({ fin: false, rsv: frame.rsv, opcode: frame.opcode, payload: p.slice(0, a) });
    ping(messages);
    emit({ fin: false, rsv: 0, opcode: Opcode.CONTINUATION, payload: p.slice(a, b) });
    ping(messages);
    emit({ fin: true, rsv: 0, opcode: Opcode.CONTINUATION, payload: p.slice(b) });
  }) as Rewrite & { pings: number };
  rewrite.pings = 0;
  return rewrite;
}
