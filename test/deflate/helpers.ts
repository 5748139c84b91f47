/**
 * Shared pieces of the permessage-deflate suites: byte literals, sessions
 * negotiated the way the handshake does it (without the header text), and
 * two Protocols wired together in memory.
 */
import type { ActiveExtension, ClientSession, Extension, ExtensionParams, ServerSession } from "../../src/core/websocket/extensions/extension.ts";
import { Protocol, type ProtocolEvent } from "../../src/core/websocket/protocol.ts";
import { concatBytes } from "../../src/core/shared/bytes.ts";

export const MiB = 1024 * 1024;

/** "c1 07 f2 48" -> bytes. */
export function bytes(text: string): Uint8Array {
  const parts = text.trim().split(/\s+/);
  return Uint8Array.from(parts, (h) => parseInt(h, 16));
}

/** Bytes -> "c1 07 f2 48". */
export function hex(data: Uint8Array | Uint8Array[]): string {
  const list = Array.isArray(data) ? data : [data];
  const out: string[] = [];
  for (const chunk of list) for (const b of chunk) out.push(b.toString(16).padStart(2, "0"));
  return out.join(" ");
}

export { concatBytes as concat };

export const context = (maxLength = 64 * MiB) => ({ maxLength });

/** What the handshake would do with one client and one server extension. */
export function negotiate(
  clientExtension: Extension,
  serverExtension: Extension,
  maxLength?: number,
): { client: ClientSession; server: ServerSession | null; offers: ExtensionParams[]; response: ExtensionParams | null; activated: boolean } {
  const client = clientExtension.createClientSession(context(maxLength))!;
  const offer = client.generateOffer();
  const offers = Array.isArray(offer) ? offer : [offer];
  const server = serverExtension.createServerSession(offers, context(maxLength));
  if (!server) return { client, server, offers, response: null, activated: false };
  const response = server.generateResponse();
  return { client, server, offers, response, activated: client.activate(response) };
}

/** A server session for `offers` (default: one bare offer). */
export function serverSession(extension: Extension, offers: ExtensionParams[] = [{}], maxLength?: number): ServerSession {
  const session = extension.createServerSession(offers, context(maxLength));
  if (!session) throw new Error("offer declined");
  return session;
}

/** A client session activated with `response` (default: a bare response). */
export function clientSession(extension: Extension, response: ExtensionParams = {}, maxLength?: number): ClientSession {
  const session = extension.createClientSession(context(maxLength))!;
  if (!session.activate(response)) throw new Error("response refused");
  return session;
}

export const zeroMask = (buffer: Uint8Array) => buffer.fill(0);

/** A Protocol with one negotiated extension session. */
export function protocol(role: "client" | "server", extensions: ActiveExtension[], options: { maxLength?: number; onWake?: () => void } = {}): Protocol {
  return new Protocol({ role, extensions, random: zeroMask, ...options });
}

/** Events the protocol has released once its extensions settle. */
export async function drainEvents(p: Protocol, count: number, ms = 10_000): Promise<ProtocolEvent[]> {
  const events: ProtocolEvent[] = [];
  const start = Date.now();
  for (;;) {
    events.push(...p.eventsReceived());
    if (events.length >= count) return events;
    if (Date.now() - start > ms) throw new Error(`timed out: ${events.length} of ${count} events: ${JSON.stringify(events)}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Whole frames in `chunks` (the engine may join adjacent frames into one chunk). */
export function countFrames(chunks: Uint8Array[]): number {
  const all = concatBytes(chunks);
  let frames = 0;
  let i = 0;
  while (i + 2 <= all.length) {
    const masked = (all[i + 1]! & 0x80) !== 0;
    let length = all[i + 1]! & 0x7f;
    let at = i + 2;
    if (length === 126) {
      length = (all[at]! << 8) | all[at + 1]!;
      at += 2;
    } else if (length === 127) {
      length = Number(new DataView(all.buffer, all.byteOffset + at, 8).getBigUint64(0));
      at += 8;
    }
    i = at + (masked ? 4 : 0) + length;
    if (i > all.length) break;
    frames++;
  }
  return frames;
}

/** Output the protocol has released once its extensions settle, until it holds `frames` frames. */
export async function drainOutput(p: Protocol, frames: number, ms = 10_000): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const start = Date.now();
  for (;;) {
    out.push(...p.dataToSend());
    const seen = countFrames(out);
    if (seen >= frames) return out;
    if (Date.now() - start > ms) throw new Error(`timed out: ${seen} of ${frames} frames`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** The close code the protocol failed with, once it has. */
export async function failure(p: Protocol, ms = 10_000): Promise<{ closeCode: number; code: string }> {
  const start = Date.now();
  // Draining events lets a failure that follows undelivered messages take effect.
  while (!p.error && (p.eventsReceived(), !p.error)) {
    if (Date.now() - start > ms) throw new Error("timed out waiting for the connection to fail");
    await new Promise((r) => setTimeout(r, 1));
  }
  return { closeCode: p.error.closeCode, code: p.error.code };
}
