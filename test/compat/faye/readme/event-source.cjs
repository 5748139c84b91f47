// faye-websocket README, "Handling EventSource connections in Node".
var WebSocket   = require('faye-websocket'),
    EventSource = WebSocket.EventSource,
    http        = require('http');

var server = http.createServer();

server.on('request', function(request, response) {
  if (EventSource.isEventSource(request)) {
    var es = new EventSource(request, response);
    console.log('open', es.url, es.lastEventId);

    // Periodically send messages
    var loop = setInterval(function() { es.send('Hello') }, 1000);

    es.on('close', function() {
      clearInterval(loop);
      es = null;
    });

  } else {
    // Normal HTTP request
    response.writeHead(200, { 'Content-Type': 'text/plain' });
    response.end('Hello');
  }
});

server.listen(8000);

// ---- test driver: the stream's bytes as they came, then a plain GET.
var peer = require('./peer.cjs');
peer.plainGet(server).then(function() {
  return peer.readEventStream(server, { events: 2, headers: 'Last-Event-ID: 41\r\n' });
});
