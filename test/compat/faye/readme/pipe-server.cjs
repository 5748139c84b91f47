// faye-websocket README: "WebSocket objects are also duplex streams, so you
// could replace the ws.on('message', ...) line with: ws.pipe(ws);"
var WebSocket = require('faye-websocket'),
    http      = require('http');

var server = http.createServer();

server.on('upgrade', function(request, socket, body) {
  if (WebSocket.isWebSocket(request)) {
    var ws = new WebSocket(request, socket, body);

    ws.pipe(ws);

    ws.on('close', function(event) {
      console.log('close', event.code, event.reason);
      ws = null;
    });
  }
});

server.listen(8000);

// ---- test driver
require('./peer.cjs').talkTo(server, { messages: ['one', 'two', Buffer.from([0, 255])], close: [1000, 'done'], waitFor: ['close'] });
