// faye-websocket README: ws.ping() with a callback that fires on the pong.
var WebSocket = require('faye-websocket'),
    http      = require('http');

var server = http.createServer();

server.on('upgrade', function(request, socket, body) {
  var ws = new WebSocket(request, socket, body);
  ws.on('open', function() {
    var sent =
ws.ping('Mic check, one, two', function() {
  // fires when pong is received
  console.log('pong received');
});
    console.log('ping returned', sent);
  });
  ws.on('close', function(event) { console.log('close', event.code, event.reason); });
});

server.listen(8000);

// ---- test driver: the ws peer answers the ping; then it closes.
require('./peer.cjs').talkTo(server, { replies: 0, onPing: function(ws) { setImmediate(function() { ws.close(1000); }); }, waitFor: ['pong received', 'close'] });
