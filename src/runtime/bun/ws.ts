/**
 * omnisocket/ws on Bun: ws 8's API (src/runtime/node/compat/ws) with Bun's
 * own sockets for clients (Bun.connect); servers use Bun's node:http
 * (docs/ws.md).
 */
import "./setup.ts";

export * from "../node/compat/ws/index.ts";
export { default } from "../node/compat/ws/index.ts";
