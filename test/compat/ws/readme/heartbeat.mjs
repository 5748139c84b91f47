// ws README, "How to detect and close broken connections?": the server
// recipe (a 100 ms ping round instead of 30 s) and the client recipe. One
// client answers pings; one does not (autoPong: false) and is terminated.
import WebSocket, { WebSocketServer } from 'ws';

function heartbeat() {
  this.isAlive = true;
}

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });

wss.on('connection', function connection(ws, req) {
  ws.isAlive = true;
  ws.name = req.url.slice(1);
  ws.on('error', console.error);
  ws.on('pong', heartbeat);
});

const interval = setInterval(function ping() {
  wss.clients.forEach(function each(ws) {
    if (ws.isAlive === false) return ws.terminate();

    ws.isAlive = false;
    ws.ping();
  });
}, 100);

wss.on('close', function close() {
  clearInterval(interval);
  console.log('server closed');
});

function clientHeartbeat() {
  clearTimeout(this.pingTimeout);

  this.pingTimeout = setTimeout(() => {
    this.terminate();
  }, 100 + 1000);
}

wss.on('listening', function () {
  const url = `ws://127.0.0.1:${wss.address().port}`;
  const client = new WebSocket(`${url}/alive`);
  let pings = 0;

  client.on('error', console.error);
  client.on('open', clientHeartbeat);
  client.on('ping', clientHeartbeat);
  client.on('ping', function () {
    if (++pings === 3) {
      console.log('alive client got 3 pings');
      client.close();
    }
  });
  client.on('close', function clear() {
    clearTimeout(this.pingTimeout);
    console.log('alive client closed');
    const silent = new WebSocket(`${url}/silent`, { autoPong: false });
    silent.on('close', function (code) {
      console.log('silent client closed: %d', code);
      wss.close();
    });
  });
});
