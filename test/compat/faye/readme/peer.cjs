// The README examples' test driver: a neutral peer (the `ws` package, or a
// raw TCP client for event streams) that exercises the example in this
// program and prints what it saw, after the example's own output.
'use strict';
// The real ws package by path (Bun answers a bare "ws" with its own stand-in).
var WS = require(require('path').join(__dirname, 'node_modules', 'ws', 'index.js')), net = require('net');

var lines = [];
var seen = [];
var waiters = [];
var print = console.log.bind(console);

// The example's own console.log lines are printed and remembered, so the
// driver can wait for them instead of for time.
console.log = function() {
  var line = Array.prototype.map.call(arguments, String).join(' ');
  print.apply(null, arguments);
  seen.push(line);
  waiters = waiters.filter(function(w) { if (line.indexOf(w.prefix) === 0) { w.resolve(); return false; } return true; });
};

function logged(prefix) {
  if (seen.some(function(l) { return l.indexOf(prefix) === 0; })) return Promise.resolve();
  return new Promise(function(resolve) { waiters.push({ prefix: prefix, resolve: resolve }); });
}

function log() { lines.push(Array.prototype.map.call(arguments, String).join(' ')); }

function show(data) {
  return typeof data === 'string' ? 'text ' + JSON.stringify(data) : 'binary [' + Array.from(data).join(',') + ']';
}

function portOf(server) {
  return new Promise(function(resolve) {
    if (server.listening) resolve(server.address().port);
    else server.on('listening', function() { resolve(server.address().port); });
  });
}

function finish(waitFor) {
  return Promise.all((waitFor || []).map(logged)).then(function() {
    lines.forEach(function(l) { print('peer:', l); });
    process.exit(0);
  });
}

// Connects to the example's server, sends `messages`, logs what comes back,
// closes with `close`; `extra(ws, log)` may do more once open.
function talkTo(server, opts) {
  opts = opts || {};
  return portOf(server).then(function(port) {
    return new Promise(function(resolve) {
      var ws = new WS('ws://127.0.0.1:' + port + (opts.path || '/'), opts.protocols || [], opts.ws || { perMessageDeflate: false });
      var expected = opts.replies === undefined ? (opts.messages || []).length : opts.replies;
      ws.on('open', function() {
        log('open', JSON.stringify(ws.protocol), JSON.stringify(ws.extensions));
        if (opts.onOpen) opts.onOpen(ws, log);
        (opts.messages || []).forEach(function(m) { ws.send(m); });
        if (expected === 0 && opts.close) ws.close(opts.close[0], opts.close[1]);
      });
      ws.on('upgrade', function(res) { if (opts.showHeaders) opts.showHeaders.forEach(function(h) { log('header', h, res.headers[h]); }); });
      ws.on('message', function(data, isBinary) {
        log('message', show(isBinary ? new Uint8Array(data) : data.toString()));
        expected -= 1;
        if (expected === 0 && opts.close) ws.close(opts.close[0], opts.close[1]);
      });
      ws.on('ping', function(data) { log('ping', JSON.stringify(data.toString())); if (opts.onPing) opts.onPing(ws, log); });
      ws.on('error', function(e) { log('error'); });
      ws.on('close', function(code, reason) { log('close', code, opts.hideReason ? '' : JSON.stringify(reason.toString())); resolve(); });
    });
  }).then(function() { return finish(opts.waitFor); });
}

// Reads an event stream over raw TCP until `events` events came, and logs
// the bytes exactly as they arrived on the wire.
function readEventStream(server, opts) {
  opts = opts || {};
  return portOf(server).then(function(port) {
    return new Promise(function(resolve) {
      var socket = net.connect(port, '127.0.0.1');
      var bytes = '';
      socket.setEncoding('latin1');
      socket.write('GET ' + (opts.path || '/stream') + ' HTTP/1.1\r\nHost: localhost:' + port + '\r\nAccept: text/event-stream\r\n' + (opts.headers || '') + '\r\n');
      socket.on('data', function(chunk) {
        bytes += chunk;
        if ((bytes.match(/data: /g) || []).length >= (opts.events || 1) && /\r\n\r\n$|\n\n$/.test(bytes)) socket.end();
      });
      socket.on('close', function() { log('wire', JSON.stringify(bytes)); resolve(); });
    });
  }).then(function() { return finish(opts.waitFor); });
}

// A plain GET, for the examples' "normal HTTP request" branch.
function plainGet(server) {
  return portOf(server).then(function(port) {
    return new Promise(function(resolve) {
      require('http').get('http://127.0.0.1:' + port + '/', function(res) {
        var body = '';
        res.on('data', function(c) { body += c; });
        res.on('end', function() { log('http', res.statusCode, res.headers['content-type'], JSON.stringify(body)); resolve(); });
      });
    });
  });
}

module.exports = { talkTo: talkTo, readEventStream: readEventStream, plainGet: plainGet, log: log, finish: finish, logged: logged, portOf: portOf };
