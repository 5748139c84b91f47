// ws README, "External HTTP/S server": an https server, the certificate
// from the current directory, trusted by the client through `ca`.
import { createServer } from 'https';
import { readFileSync } from 'fs';
import WebSocket, { WebSocketServer } from 'ws';

const server = createServer({
  cert: readFileSync('cert.pem'),
  key: readFileSync('key.pem')
});
const wss = new WebSocketServer({ server });

wss.on('connection', function connection(ws, req) {
  ws.on('error', console.error);

  ws.on('message', function message(data) {
    console.log('received: %s', data);
    ws.close();
  });

  console.log('secure connection: %s', req.socket.encrypted === true);
  ws.send('something');
});

server.listen(0, '127.0.0.1', function () {
  const ws = new WebSocket(`wss://127.0.0.1:${server.address().port}/`, { ca: readFileSync('cert.pem') });
  ws.on('error', console.error);
  ws.on('message', function (data) {
    console.log('client received: %s', data);
    ws.send('hello over tls');
  });
  ws.on('close', function (code) {
    console.log('client close %d', code);
    wss.close();
    server.close();
  });
});
