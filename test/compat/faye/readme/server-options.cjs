// faye-websocket README, "Initialization options", on the server:
// new WebSocket(request, socket, body, protocols, options) with headers,
// maxLength and ping (extensions: see extensions.cjs). faye's failure Close
// carries its error message as the reason, ours none (docs/faye.md): the
// peer prints the code only.
var WebSocket = require('faye-websocket'),
    http      = require('http');

var server = http.createServer();

server.on('upgrade', function(request, socket, body) {
  var protocols = ['chat'];
  var options = { headers: { 'X-Server': 'faye-ish' }, maxLength: 16, ping: 1 };
  var ws = new WebSocket(request, socket, body, protocols, options);
  ws.on('message', function(event) { ws.send(event.data); });
  ws.on('error', function(event) { console.log('error event'); });
  ws.on('close', function(event) { console.log('close', event.code); });
});

server.listen(8000);

// ---- test driver: the header, the first keep-alive ping ("1"), an echo
// within maxLength, then a message past it (closed with 1009).
require('./peer.cjs').talkTo(server, {
  protocols: ['chat'],
  showHeaders: ['x-server'],
  replies: 1,
  messages: ['sixteen bytes!!!'],
  onPing: function(ws) { ws.send('seventeen bytes!!'); },
  hideReason: true,
  waitFor: ['close'],
});
