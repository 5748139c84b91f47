// ws README, "How to get the IP address of the client?": the socket's
// address, and the first X-Forwarded-For entry behind a proxy.
import WebSocket, { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });

wss.on('connection', function connection(ws, req) {
  const ip = req.socket.remoteAddress;
  const forwarded = req.headers['x-forwarded-for'];

  ws.on('error', console.error);
  if (forwarded) {
    const proxied = req.headers['x-forwarded-for'].split(',')[0].trim();
    console.log('behind a proxy: %s', proxied);
  } else {
    console.log('direct: %s', ip);
  }
  ws.close();
});

function visit(headers) {
  return new Promise(function (resolve) {
    const ws = new WebSocket(`ws://127.0.0.1:${wss.address().port}/`, { headers });
    ws.on('close', resolve);
  });
}

wss.on('listening', function () {
  visit({}).then(function () {
    return visit({ 'X-Forwarded-For': '203.0.113.7, 10.0.0.1' });
  }).then(function () {
    wss.close();
  });
});
