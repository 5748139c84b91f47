// ws README, "Use the Node.js streams API": createWebSocketStream over a
// client, with a local echo server; lines written in come back out.
import { Readable, Writable } from 'stream';
import WebSocket, { createWebSocketStream, WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('connection', function (ws) {
  ws.on('message', function (data, isBinary) {
    ws.send(data, { binary: isBinary });
  });
});

wss.on('listening', function () {
  const ws = new WebSocket(`ws://127.0.0.1:${wss.address().port}/`);

  const duplex = createWebSocketStream(ws, { encoding: 'utf8' });

  duplex.on('error', console.error);

  let received = '';
  const stdout = new Writable({
    write(chunk, _encoding, callback) {
      received += chunk;
      if (received.length === 'one\ntwo\nthree\n'.length) {
        console.log('echoed: %j', received);
        duplex.end();
      }
      callback();
    }
  });
  duplex.pipe(stdout);
  Readable.from(['one\n', 'two\n', 'three\n']).pipe(duplex, { end: false });

  ws.on('close', function (code) {
    console.log('close %d', code);
    wss.close();
  });
});
