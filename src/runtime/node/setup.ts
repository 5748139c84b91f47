/**
 * Plugs Node into the shared classes: sockets from node:net / node:tls and
 * the "nodebuffer" binaryType.
 */
import { Buffer } from "node:buffer";
import { registerBinaryType } from "../../web/binary.ts";
import { setConnector } from "../../web/runtime.ts";
import { nodeConnector } from "./connect.ts";

setConnector(nodeConnector);
registerBinaryType("nodebuffer", (data) => Buffer.from(data.buffer, data.byteOffset, data.byteLength));
