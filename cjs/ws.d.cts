// Types of require("omnisocket/ws"): the WebSocket class (with ws's statics
// and its namespace of type names), as `export =`, like @types/ws.
import WebSocket = require("../dist/esm/runtime/node/compat/ws/index.js");
export = WebSocket.default;
