// ws README, "Simple server" and "Sending and receiving text data", on
// 127.0.0.1 and a free port; the client speaks only after the server has.
import WebSocket, { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });

wss.on('connection', function connection(ws) {
  ws.on('error', console.error);

  ws.on('message', function message(data) {
    console.log('received: %s', data);
    ws.close(1000, 'bye');
  });

  ws.send('something');
});

wss.on('listening', function () {
  const ws = new WebSocket(`ws://127.0.0.1:${wss.address().port}/path`);

  ws.on('error', console.error);

  ws.on('message', function message(data, isBinary) {
    console.log('client received: %s (binary: %s)', data, isBinary);
    ws.send('something');
  });

  ws.on('close', function (code, reason) {
    console.log('client close %d %s', code, reason);
    wss.close(function () {
      console.log('server closed');
    });
  });
});
