// faye-websocket README, "Subprotocol negotiation": the server.
var WebSocket = require('faye-websocket'),
    http      = require('http');

var server = http.createServer();

server.on('upgrade', function(request, socket, body) {
var ws = new WebSocket(request, socket, body, ['irc', 'amqp']);
  ws.on('open', function() { console.log('server protocol', ws.protocol); });
  ws.on('close', function(event) { console.log('server close', event.code); });
});

server.listen(8000);

// ---- test driver: a peer offering amqp and xmpp gets amqp from the server.
require('./peer.cjs').talkTo(server, { protocols: ['xmpp', 'amqp'], replies: 0, close: [1000], waitFor: ['server close'] });
