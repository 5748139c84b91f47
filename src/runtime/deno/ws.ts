/**
 * omnisocket/ws on Deno: ws 8's API (src/runtime/node/compat/ws) with
 * Deno's own sockets for clients (Deno.connect / connectTls); servers use
 * Deno's node:http (docs/ws.md).
 */
import "./setup.ts";

export * from "../node/compat/ws/index.ts";
export { default } from "../node/compat/ws/index.ts";
