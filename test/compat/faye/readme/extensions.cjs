// faye-websocket README, "Protocol extensions": permessage-deflate.
var WebSocket = require('faye-websocket'),
    http      = require('http');

var deflate = require('permessage-deflate');

var server = http.createServer();

server.on('upgrade', function(request, socket, body) {
var ws = new WebSocket(request, socket, body, [], { extensions: [deflate] });
  ws.on('message', function(event) { ws.send(event.data); });
  ws.on('close', function(event) { console.log('close', event.code, event.reason); });
});

server.listen(8000);

// ---- test driver: a compressing peer; a long text and binary come back.
require('./peer.cjs').talkTo(server, {
  ws: { perMessageDeflate: { threshold: 0 } },
  messages: ['x'.repeat(2000), Buffer.from([9, 8, 7])],
  close: [1000, 'ok'],
  waitFor: ['close'],
});
