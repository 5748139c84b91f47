// ws README, "Multiple servers sharing a single HTTP/S server": two
// noServer servers on one http server, routed by path; other paths are dropped.
import { createServer } from 'http';
import WebSocket, { WebSocketServer } from 'ws';

const server = createServer();
const wss1 = new WebSocketServer({ noServer: true });
const wss2 = new WebSocketServer({ noServer: true });

wss1.on('connection', function connection(ws) {
  ws.on('error', console.error);

  ws.send('hello from wss1');
});

wss2.on('connection', function connection(ws) {
  ws.on('error', console.error);

  ws.send('hello from wss2');
});

server.on('upgrade', function upgrade(request, socket, head) {
  const { pathname } = new URL(request.url, 'wss://base.url');

  if (pathname === '/foo') {
    wss1.handleUpgrade(request, socket, head, function done(ws) {
      wss1.emit('connection', ws, request);
    });
  } else if (pathname === '/bar') {
    wss2.handleUpgrade(request, socket, head, function done(ws) {
      wss2.emit('connection', ws, request);
    });
  } else {
    socket.destroy();
  }
});

function visit(path) {
  return new Promise(function (resolve) {
    const ws = new WebSocket(`ws://127.0.0.1:${server.address().port}${path}`);
    ws.on('message', function (data) {
      console.log('%s: %s', path, data);
      ws.close();
    });
    ws.on('error', function (err) {
      console.log('%s: error %s', path, err.code || err.message);
    });
    ws.on('close', function (code) {
      console.log('%s: close %d', path, code);
      resolve();
    });
  });
}

server.listen(0, '127.0.0.1', function () {
  visit('/foo').then(function () {
    return visit('/bar');
  }).then(function () {
    return visit('/baz');
  }).then(function () {
    console.log('clients left: %d %d', wss1.clients.size, wss2.clients.size);
    wss1.close();
    wss2.close();
    server.close();
  });
});
