// ws README, "Sending binary data": a Float32Array, echoed back.
import WebSocket, { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('connection', function (ws) {
  ws.on('message', function (data, isBinary) {
    console.log('server got %d bytes, binary: %s', data.length, isBinary);
    ws.send(data, { binary: isBinary });
  });
});

wss.on('listening', function () {
  const ws = new WebSocket(`ws://127.0.0.1:${wss.address().port}/path`);

  ws.on('error', console.error);

  ws.on('open', function open() {
    const array = new Float32Array(5);

    for (var i = 0; i < array.length; ++i) {
      array[i] = i / 2;
    }

    ws.send(array);
  });

  ws.on('message', function (data) {
    const floats = new Float32Array(new Uint8Array(data).buffer);
    console.log('echoed: %s', Array.from(floats).join(' '));
    ws.close();
  });
  ws.on('close', function (code) {
    console.log('close %d', code);
    wss.close();
  });
});
