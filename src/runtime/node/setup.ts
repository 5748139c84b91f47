/**
 * Plugs Node into the shared classes: sockets from node:net / node:tls,
 * permessage-deflate on node:zlib, and the "nodebuffer" binaryType.
 */
import { Buffer } from "node:buffer";
import { registerBinaryType } from "../../web/websocket/binary.ts";
import { hasConnector, setConnector, setPermessageDeflate } from "../../web/transport/runtime.ts";
import { nodeConnector } from "./connect.ts";
import { permessageDeflate } from "./zlib-codec.ts";
import { installNativeMask } from "./native-mask.ts";
import { installNativeAcceptKey } from "./native-accept-key.ts";
import "./http-upgrade.ts";

// On Deno and Bun, node:net is the fallback: their own entries register
// native sockets, which stay in place when this entry is loaded too.
const g = globalThis as { Deno?: unknown; Bun?: unknown };
if ((g.Deno === undefined && g.Bun === undefined) || !hasConnector()) setConnector(nodeConnector);
// bufferutil's native masking when installed, on Node itself only.
if (g.Deno === undefined && g.Bun === undefined) installNativeMask();
// Sec-WebSocket-Accept with node:crypto's SHA-1 on Node (Deno and Bun entries install their own).
if (g.Deno === undefined && g.Bun === undefined) installNativeAcceptKey(true);
registerBinaryType("nodebuffer", (data) => Buffer.from(data.buffer, data.byteOffset, data.byteLength));
// permessage-deflate on node:zlib for `perMessageDeflate`: clients offer it
// by default (as browsers do), servers when asked.
setPermessageDeflate(permessageDeflate);
