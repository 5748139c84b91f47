// faye-websocket README, "Initialization options", on the client:
// new WebSocket.Client(url, protocols, options) with headers, maxLength and
// ping, and an unknown option. The test's server echoes the X-Client
// header, then sends 17 bytes (past maxLength), after the first ping.
var WebSocket = require('faye-websocket');

try {
  new WebSocket.Client('ws://www.example.com/', [], { bogus: true });
} catch (e) {
  console.log('unknown option:', e.message);
}
try {
  new WebSocket.Client('http://www.example.com/');
} catch (e) {
  console.log('bad url:', e.message.replace(/:\d+/, ''));
}

var url = 'ws://www.example.com/options', protocols = null;
var options = { headers: { 'X-Client': 'hello' }, maxLength: 16, ping: 1 };
var ws = new WebSocket.Client(url, protocols, options);

ws.on('open', function() { console.log('open'); });
ws.on('message', function(event) { console.log('message', event.data); });
ws.on('error', function(event) { console.log('error event'); });
ws.on('close', function(event) {
  console.log('close', event.code);
  process.exit(0); // faye's client with the bogus option left its socket open
});
