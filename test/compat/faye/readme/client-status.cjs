// faye-websocket README: "The WebSocket client also lets you inspect the
// status and headers of the handshake response via its statusCode and
// headers properties."
var WebSocket = require('faye-websocket'),
    ws        = new WebSocket.Client('ws://www.example.com/');

ws.on('open', function(event) {
  console.log('statusCode', ws.statusCode);
  console.log('upgrade', ws.headers['upgrade'], 'connection', ws.headers['connection']);
  console.log('x-test', ws.headers['x-test']);
  console.log('protocol', JSON.stringify(ws.protocol), 'version', ws.version, 'url', ws.url);
  ws.close();
});

ws.on('close', function(event) {
  console.log('close', event.code, event.reason);
});
