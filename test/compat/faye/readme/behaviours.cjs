// faye's rules beyond the README examples, side by side (not a README
// example): send() before open, Buffer data, event objects, ping callbacks,
// close() while connecting and its code, close() rules and messages,
// network errors, refused handshakes with statusCode/headers, a client
// whose subprotocols the server does not speak. Server-side lines are
// printed at the end (their timing relative to the client's differs: ours
// reports a close once TCP is closed, faye when the Close frame arrives).
var WebSocket = require('faye-websocket');
var http = require("http");
const log = (...a) => console.log(...a);
const serverLines = [];
const slog = (...a) => serverLines.push(a.join(" "));
const server = http.createServer((req, res) => { res.writeHead(404); res.end("nope"); });
server.on("upgrade", (req, socket, body) => {
  const ws = new WebSocket(req, socket, body, req.url === "/p" ? ["x"] : undefined);
  slog("server url", ws.url, ws.readyState, ws.version, ws.protocol);
  ws.on("open", () => slog("server open", ws.protocol));
  ws.on("message", (e) => { slog("server msg", typeof e.data, Buffer.isBuffer(e.data), e.data.toString()); if (e.data == "close") ws.close(4001, "bye"); else ws.send(e.data); });
  ws.on("close", (e) => slog("server close", e.code, e.reason));
});
server.listen(0, "127.0.0.1", async () => {
  const port = server.address().port;
  try { new WebSocket.Client(`ws://127.0.0.1:${port}/`, [], { foo: 1 }); } catch (e) { log("foo throws", e.message); }
  try { new WebSocket.Client(`http://127.0.0.1:${port}/`); } catch (e) { log("url throws", e.message); }
  const step = (name, fn) => new Promise((r) => fn(r));
  await step("a", (done) => {
    const ws = new WebSocket.Client(`ws://127.0.0.1:${port}/`, ["a", "b"]);
    log("client sent while connecting", ws.send("early"), ws.readyState, ws.url, ws.bufferedAmount);
    ws.on("open", (e) => log("client open", ws.protocol, ws.statusCode, JSON.stringify(Object.keys(ws.headers)), Object.keys(e)));
    ws.on("message", (e) => { log("client msg", typeof e.data, e.data); if (e.data === "early") { ws.send(Buffer.from([1,2,3])); } else { log("ping", ws.ping("hi", () => log("pong cb"))); ws.send("close"); } });
    ws.on("close", (e) => { log("client close", e.code, e.reason, ws.readyState, Object.keys(e)); done(); });
    ws.on("end", () => log("client end"));
  });
  await step("b", (done) => {
    const ws = new WebSocket.Client(`ws://127.0.0.1:${port}/`);
    ws.on("error", (e) => log("b error", e.message));
    ws.on("close", (e) => { log("b close", e.code, e.reason, ws.readyState); setTimeout(done, 50); });
    ws.close(); log("closed while connecting", ws.readyState);
  });
  await step("c", (done) => {
    const ws = new WebSocket.Client(`ws://127.0.0.1:${port}/x`);
    ws.on("open", () => { ws.close(); log("c closing", ws.readyState, ws.send("x")); });
    ws.on("close", (e) => { log("c close", e.code, e.reason); done(); });
  });
  await step("d", (done) => {
    const ws = new WebSocket.Client(`ws://127.0.0.1:1/`);
    ws.on("error", (e) => log("d error", e.message, Object.keys(e)));
    ws.on("close", (e) => { log("d close", e.code, e.reason); done(); });
  });
  await step("e", (done) => {
    const s2 = http.createServer((q, r) => { r.writeHead(404, {"X-A": "b"}); r.end(); }).listen(0, "127.0.0.1", () => {
      const ws = new WebSocket.Client(`ws://127.0.0.1:${s2.address().port}/`);
      ws.on("error", (e) => log("e error", e.message, ws.statusCode, ws.headers && ws.headers["x-a"]));
      ws.on("close", (e) => { log("e close", e.code, e.reason); s2.close(); done(); });
    });
  });
  await step("f", (done) => {
    const ws = new WebSocket.Client(`ws://127.0.0.1:${port}/p`, ["q"]);
    ws.on("open", (e) => { log("f open", ws.protocol); ws.close(); });
    ws.on("error", (e) => log("f error", e.message));
    ws.on("close", (e) => { log("f close", e.code, e.reason); done(); });
  });
  await step("g", (done) => {
    const ws = new WebSocket.Client(`ws://127.0.0.1:${port}/`);
    try { ws.close(1001) } catch (e) { log("g throws", e.message, e.constructor.name) }
    ws.on("open", (e) => { log("g open"); ws.close(); });
    ws.on("close", (e) => { log("g close", e.code, e.reason); done(); });
  });
  // Every server-side socket has closed.
  const count = (p) => serverLines.filter((l) => l.startsWith(p)).length;
  while (count("server close") < count("server url")) await new Promise((r) => setTimeout(r, 5));
  serverLines.sort().forEach((l) => log(l));
  server.close();
  process.exit(0);
});
