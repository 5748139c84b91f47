/**
 * Plugs Deno into the shared classes: client sockets from Deno.connect /
 * Deno.connectTls (no node: modules on the socket path), and node:zlib as
 * the permessage-deflate compressor.
 */
import { setConnector, setPermessageDeflate } from "../../web/transport/runtime.ts";
import { permessageDeflate } from "../node/zlib-codec.ts";
import { denoConnector } from "./connect.ts";
import { installNativeAcceptKey } from "../node/native-accept-key.ts";

setConnector(denoConnector);

// permessage-deflate on Deno's node:zlib (the compressor only; sockets stay
// native): clients offer it by default, servers on our own engine when asked.
setPermessageDeflate(permessageDeflate);

// Sec-WebSocket-Accept with node:crypto's SHA-1 (native in Deno) rather than the portable one.
installNativeAcceptKey();
