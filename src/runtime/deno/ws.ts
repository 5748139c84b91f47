/**
 * omnisocket/ws on Deno: ws 8's API (src/runtime/node/compat/ws) on the
 * runtime's own sockets: clients on Deno.connect / connectTls, WebSocketServer's
 * `port` mode on Deno.listen; `server` / `noServer` use its node:http (docs/ws.md).
 */
import "./setup.ts";
import { setRawListener } from "../../web/server/raw-listener.ts";
import { denoRawListen } from "./raw-listen.ts";

// WebSocketServer's `port` mode listens with Deno.listen (src/runtime/node/compat/ws/raw-upgrade.ts).
setRawListener(denoRawListen);

export * from "../node/compat/ws/index.ts";
export { default } from "../node/compat/ws/index.ts";
