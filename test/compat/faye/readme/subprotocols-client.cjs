// faye-websocket README, "Subprotocol negotiation": the client (the test's server picks the first offered).
var WebSocket = require('faye-websocket');

var ws = new WebSocket.Client('ws://www.example.com/', ['irc', 'amqp']);
ws.on('open', function() { console.log('client protocol', ws.protocol); ws.close(); });
ws.on('close', function(event) { console.log('client close', event.code, event.reason); });
