// ws README, "Client authentication": authenticate() here accepts the
// token "secret" from the Authorization header.
import { createServer } from 'http';
import WebSocket, { WebSocketServer } from 'ws';

function onSocketError(err) {
  console.error(err);
}

function authenticate(request, next) {
  const header = request.headers.authorization;
  if (header === 'Bearer secret') next(null, 'alice');
  else next(new Error('unauthorized'));
}

const server = createServer();
const wss = new WebSocketServer({ noServer: true });

wss.on('connection', function connection(ws, request, client) {
  ws.on('error', console.error);

  ws.on('message', function message(data) {
    console.log(`Received message ${data} from user ${client}`);
    ws.close();
  });
});

server.on('upgrade', function upgrade(request, socket, head) {
  socket.on('error', onSocketError);

  authenticate(request, function next(err, client) {
    if (err || !client) {
      socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
      socket.destroy();
      return;
    }

    socket.removeListener('error', onSocketError);

    wss.handleUpgrade(request, socket, head, function done(ws) {
      wss.emit('connection', ws, request, client);
    });
  });
});

function attempt(token) {
  return new Promise(function (resolve) {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const ws = new WebSocket(`ws://127.0.0.1:${server.address().port}/`, { headers });
    ws.on('open', function () {
      console.log('%s: open', token);
      ws.send('hi');
    });
    ws.on('error', function (err) {
      console.log('%s: error %s', token, err.message);
    });
    ws.on('close', function (code) {
      console.log('%s: close %d', token, code);
      resolve();
    });
  });
}

server.listen(0, '127.0.0.1', function () {
  attempt('wrong').then(function () {
    return attempt('secret');
  }).then(function () {
    wss.close();
    server.close();
  });
});
