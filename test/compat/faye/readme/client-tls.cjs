// faye-websocket README, "Initialization options": the client's `tls`
// (passed to tls.connect()) and `ca` ("a shorthand for passing
// { tls: { ca: value } }"), against the test's wss: server, whose
// self-signed certificate is in ca.pem.
var WebSocket = require('faye-websocket'),
    fs        = require('fs');

var ca = fs.readFileSync('ca.pem');

function talk(name, options, next) {
  var ws = new WebSocket.Client('wss://www.example.com/', [], options);
  ws.on('open', function() { console.log(name, 'open', ws.url.replace(/:\d+/, '')); ws.send(name); });
  ws.on('message', function(event) { console.log(name, 'message', event.data); });
  ws.on('error', function(event) { console.log(name, 'error'); });
  ws.on('close', function(event) { console.log(name, 'close', event.code, event.reason); if (next) next(); });
}

talk('tls', { tls: { ca: ca } }, function() {
  talk('ca', { ca: ca }, function() {
    talk('untrusted', {});
  });
});
