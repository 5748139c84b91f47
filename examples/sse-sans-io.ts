/**
 * The SSE encoder and parser without any I/O: bring your own bytes.
 *
 *   npx tsx examples/sse-sans-io.ts
 */
import { SseParser } from "../src/core/sse/parser.ts"; // from "omnisocket" once installed
import { encodeEvent } from "../src/core/sse/encoder.ts"; // from "omnisocket" once installed

export function roundTrip() {
  const parser = new SseParser();
  const bytes = encodeEvent({ data: "a\nb", event: "news", id: "7" }); // "event: news\nid: 7\ndata: a\ndata: b\n\n"
  // Any chunking works, even one byte at a time.
  for (const byte of bytes) parser.receiveData(Uint8Array.of(byte));
  return parser.eventsReceived(); // [{ type: "message", event: "news", data: "a\nb", lastEventId: "7" }]
}

if ((import.meta as ImportMeta & { main?: boolean }).main) console.log(roundTrip());
