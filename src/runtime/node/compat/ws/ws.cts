/**
 * CommonJS entry of `omnisocket/ws` on Node: `require("omnisocket/ws")`
 * returns the WebSocket class itself, with `.Server`, `.WebSocketServer`,
 * `.WebSocket` and `.createWebSocketStream`, as `require("ws")` does. The
 * class is the ES module's (Node 20.19+ loads it with require()), so
 * importing and requiring share one class.
 */
import ws = require("./index.ts");

// An alias, not a value: the class, its type and its namespace of type
// names (WebSocket.RawData, WebSocket.Server ...) all go with it.
import WebSocket = ws.WebSocket;

export = WebSocket;
