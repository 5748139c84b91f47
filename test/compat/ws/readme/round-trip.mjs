// ws README, "Round-trip time" (with `origin`), against a local echo
// server instead of websocket-echo.com; three round trips, times not printed.
import WebSocket, { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('connection', function (ws, req) {
  console.log('origin: %s', req.headers.origin);
  ws.on('message', function (data) {
    ws.send(data);
  });
});

wss.on('listening', function () {
  const ws = new WebSocket(`ws://127.0.0.1:${wss.address().port}/`, { origin: 'https://websocket.org' });
  let trips = 0;

  ws.on('error', console.error);

  ws.on('open', function open() {
    console.log('connected');
    ws.send(Date.now());
  });

  ws.on('close', function close() {
    console.log('disconnected');
    wss.close();
  });

  ws.on('message', function message(data) {
    const ms = Date.now() - data;
    console.log(`Round-trip time is a number: ${Number.isFinite(ms) && ms >= 0}`);

    if (++trips === 3) return ws.close();
    setTimeout(function timeout() {
      ws.send(Date.now());
    }, 50);
  });
});
