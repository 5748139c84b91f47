"use strict";
// require("omnisocket/ws") returns the WebSocket class itself, with .Server,
// .WebSocketServer, .WebSocket and .createWebSocketStream, as require("ws")
// does. The class lives in the ES module entry of the running runtime, which
// Node 20.19+, Deno and Bun load with require(); importing and requiring
// therefore share one class.
const g = globalThis;
const entry = g.Deno !== undefined
  ? "../dist/esm/runtime/deno/ws.js"
  : g.Bun !== undefined
    ? "../dist/esm/runtime/bun/ws.js"
    : "../dist/esm/runtime/node/compat/ws/index.js";
module.exports = require(entry).default;
