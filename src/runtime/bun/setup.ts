/**
 * Plugs Bun into the shared classes: client sockets from Bun.connect and
 * the "nodebuffer" binaryType (Bun has Buffer built in).
 */
import { registerBinaryType } from "../../web/websocket/binary.ts";
import { setConnector, setPermessageDeflate } from "../../web/transport/runtime.ts";
import { permessageDeflate } from "../node/zlib-codec.ts";
import { bunConnector } from "./connect.ts";
import { installBunAcceptKey } from "./native-accept-key.ts";
import { useLightMessageEvents } from "../../web/events/message-event.ts";

setConnector(bunConnector);

const NodeBuffer = (globalThis as { Buffer?: { from(buffer: ArrayBufferLike, offset: number, length: number): Uint8Array } }).Buffer;
if (NodeBuffer) registerBinaryType("nodebuffer", (data) => NodeBuffer.from(data.buffer, data.byteOffset, data.byteLength));

// permessage-deflate on Bun's node:zlib: clients offer it by default (as
// browsers do), servers on our own engine when asked.
setPermessageDeflate(permessageDeflate);

// Sec-WebSocket-Accept with Bun.CryptoHasher's SHA-1 rather than the portable one.
installBunAcceptKey();

// Message events without Bun's slow MessageEvent constructor (still
// instanceof MessageEvent: web/events/message-event.ts).
useLightMessageEvents();
