// faye-websocket README: "To connect via a proxy, set the proxy option to the
// HTTP origin of the proxy, including any authorization information, custom
// headers and TLS config you require." (The test's proxy is tinyproxy with
// Basic auth; the test's server echoes, then closes with 1000 "bye".)
var WebSocket = require('faye-websocket'),
    fs        = require('fs');

var ws = new WebSocket.Client('ws://www.example.com/', [], {
  proxy: {
    origin:  'http://username:password@proxy.example.com',
    headers: { 'User-Agent': 'node' },
    tls:     { cert: fs.readFileSync('client.crt') }
  }
});

ws.on('open', function() { console.log('open'); ws.send('through the proxy'); });
ws.on('message', function(event) { console.log('message', event.data); });
ws.on('error', function(event) { console.log('error'); });
ws.on('close', function(event) { console.log('close', event.code, event.reason); });
