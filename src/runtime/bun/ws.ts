/**
 * omnisocket/ws on Bun: ws 8's API (src/runtime/node/compat/ws) on the
 * runtime's own sockets: clients on Bun.connect, WebSocketServer's
 * `port` mode on Bun.listen; `server` / `noServer` use its node:http (docs/ws.md).
 */
import "./setup.ts";
import { setRawListener } from "../../web/server/raw-listener.ts";
import { bunRawListen } from "./raw-listen.ts";

// WebSocketServer's `port` mode listens with Bun.listen (src/runtime/node/compat/ws/raw-upgrade.ts).
setRawListener(bunRawListen);

export * from "../node/compat/ws/index.ts";
export { default } from "../node/compat/ws/index.ts";
