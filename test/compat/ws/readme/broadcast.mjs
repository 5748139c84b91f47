// ws README, "Server broadcast": to every client, then to every other
// client. Three clients; what each received is printed sorted.
import WebSocket, { WebSocketServer } from 'ws';

function broadcastServer(includeSender) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });

  wss.on('connection', function connection(ws) {
    ws.on('error', console.error);

    ws.on('message', function message(data, isBinary) {
      wss.clients.forEach(function each(client) {
        if ((includeSender || client !== ws) && client.readyState === WebSocket.OPEN) {
          client.send(data, { binary: isBinary });
        }
      });
    });
  });
  return wss;
}

function open(url, name, log) {
  return new Promise(function (resolve) {
    const ws = new WebSocket(url);
    ws.on('message', function (data, isBinary) {
      log.push(`${name} got ${data} (binary: ${isBinary})`);
    });
    ws.on('open', function () {
      resolve(ws);
    });
  });
}

async function run(includeSender) {
  const wss = broadcastServer(includeSender);
  await new Promise((resolve) => wss.on('listening', resolve));
  const url = `ws://127.0.0.1:${wss.address().port}`;
  const log = [];
  const a = await open(url, 'a', log);
  const b = await open(url, 'b', log);
  const c = await open(url, 'c', log);
  while (wss.clients.size < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  a.send('text from a');
  b.send(Buffer.from('binary from b'));
  const expected = includeSender ? 6 : 4;
  while (log.length < expected) await new Promise((resolve) => setTimeout(resolve, 5));
  console.log('%s:\n  %s', includeSender ? 'everyone' : 'others', log.sort().join('\n  '));
  for (const ws of [a, b, c]) ws.close();
  await new Promise((resolve) => wss.close(resolve));
}

run(true).then(() => run(false)).then(() => console.log('done'));
