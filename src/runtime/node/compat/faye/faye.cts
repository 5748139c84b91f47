/**
 * CommonJS entry of `omnisocket/faye`: `require("omnisocket/faye")` returns
 * the WebSocket class itself, as `require("faye-websocket")` does. The class
 * is the ES module's (Node 20.19+ loads it with require()), so the two
 * entries share one class and `instanceof` holds across them.
 */
import faye = require("./index.ts");

export = faye.default;
