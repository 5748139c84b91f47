/**
 * CommonJS entry of `omnisocket/ws` on Deno: the class of the Deno entry
 * (Deno's sockets and listener), as `require("ws")` returns ws's class.
 */
import ws = require("./ws.ts");

// An alias, not a value: the class, its type and its namespace of type
// names (WebSocket.RawData, WebSocket.Server ...) all go with it.
import WebSocket = ws.WebSocket;

export = WebSocket;
