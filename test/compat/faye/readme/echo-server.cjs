// faye-websocket README, "Handling WebSocket connections in Node": the echo server.
var WebSocket = require('faye-websocket'),
    http      = require('http');

var server = http.createServer();

server.on('upgrade', function(request, socket, body) {
  if (WebSocket.isWebSocket(request)) {
    var ws = new WebSocket(request, socket, body);

    ws.on('message', function(event) {
      ws.send(event.data);
    });

    ws.on('close', function(event) {
      console.log('close', event.code, event.reason);
      ws = null;
    });
  }
});

server.listen(8000);

// ---- test driver: text and binary echoed, then a close from the client.
require('./peer.cjs').talkTo(server, { messages: ['Hello, world!', Buffer.from([1, 2, 3])], close: [4000, 'bye'], waitFor: ['close'] });
