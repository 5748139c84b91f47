// faye-websocket README: statusCode and headers after a refused handshake.
var WebSocket = require('faye-websocket'),
    ws        = new WebSocket.Client('ws://www.example.com/refuse');

ws.on('error', function(event) {
  console.log('error', event.message);
  console.log('statusCode', ws.statusCode, 'x-test', ws.headers['x-test']);
});

ws.on('close', function(event) {
  console.log('close', event.code, event.reason);
});
