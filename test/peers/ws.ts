/**
 * The real `ws` package on every runtime. Bun answers the bare specifier
 * "ws" with a built-in stand-in; loading the package's own CommonJS entry
 * by path reaches the installed package everywhere.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type * as WsModule from "ws";

const require = createRequire(import.meta.url);

export const ws: typeof WsModule = require(fileURLToPath(new URL("../../node_modules/ws/index.js", import.meta.url)));
