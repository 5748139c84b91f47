// ws README, "WebSocket compression": the tuned server options, and a
// client with `perMessageDeflate: false` next to one with the default.
import WebSocket, { WebSocketServer } from 'ws';

const wss = new WebSocketServer({
  port: 0,
  host: '127.0.0.1',
  perMessageDeflate: {
    zlibDeflateOptions: {
      // See zlib defaults.
      chunkSize: 1024,
      memLevel: 7,
      level: 3
    },
    zlibInflateOptions: {
      chunkSize: 10 * 1024
    },
    // Other options settable:
    clientNoContextTakeover: true, // Defaults to negotiated value.
    serverNoContextTakeover: true, // Defaults to negotiated value.
    serverMaxWindowBits: 10, // Defaults to negotiated value.
    // Below options specified as default values.
    concurrencyLimit: 10, // Limits zlib concurrency for perf.
    threshold: 1024 // Size (in bytes) below which messages
    // should not be compressed if context takeover is disabled.
  }
});

wss.on('headers', function (headers) {
  const ext = headers.find((h) => h.toLowerCase().startsWith('sec-websocket-extensions'));
  console.log('response extensions: %s', ext ? ext.split(':')[1].trim() : '(none)');
});

wss.on('connection', function (ws) {
  ws.on('message', function (data, isBinary) {
    ws.send(data, { binary: isBinary });
  });
});

function talk(options) {
  return new Promise(function (resolve) {
    const ws = new WebSocket(`ws://127.0.0.1:${wss.address().port}/path`, options);
    const big = 'compress me '.repeat(10000);
    ws.on('open', function () {
      console.log('client extensions: %j', ws.extensions);
      ws.send(big);
    });
    ws.on('message', function (data) {
      console.log('echo intact: %s (%d bytes)', data.toString() === big, data.length);
      ws.close();
    });
    ws.on('close', resolve);
  });
}

wss.on('listening', function () {
  talk(undefined).then(function () {
    return talk({ perMessageDeflate: false });
  }).then(function () {
    wss.close();
  });
});
