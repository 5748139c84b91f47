/**
 * CommonJS entry of `omnisocket/ws` on Bun: the class of the Bun entry
 * (Bun's sockets and listener), as `require("ws")` returns ws's class.
 */
import ws = require("./ws.ts");

// An alias, not a value: the class, its type and its namespace of type
// names (WebSocket.RawData, WebSocket.Server ...) all go with it.
import WebSocket = ws.WebSocket;

export = WebSocket;
