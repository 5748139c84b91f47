// faye-websocket README: es.send() with event and id, the options example
// (headers, ping, retry), es.ping(), and a multi-line message.
var WebSocket   = require('faye-websocket'),
    EventSource = WebSocket.EventSource,
    http        = require('http');

var server = http.createServer(function(request, response) {
var es = new EventSource(request, response, {
  headers: { 'Access-Control-Allow-Origin': '*' },
  ping:    15,
  retry:   10
});
  es.on('open', function() {
    console.log('open', es.readyState);
es.send('Breaking News!', { event: 'notification', id: '99' });
es.ping();
    es.send('line one\nline two\r\nline three');
    console.log('send after close', (es.close(), es.send('late')), es.readyState);
  });
  es.on('close', function() { console.log('close'); });
});

server.listen(8000);

// ---- test driver
require('./peer.cjs').readEventStream(server, { events: 100, waitFor: ['close'] });
