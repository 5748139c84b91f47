// A ws.pipe(ws) echo server that reports its peak memory, run as its own
// process so the figure is the server's alone. Argument: the module to use
// ("omnisocket/faye" or "faye-websocket"). Prints {"port"} when listening and
// {"peak"...} when its one connection closes.
import http from "node:http";
import process from "node:process";

const moduleName = process.argv[2] ?? "omnisocket/faye";
const WebSocket = (await import(moduleName)).default;

const memory = () => {
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.arrayBuffers };
};
globalThis.gc?.();
const base = memory();
const peak = { ...base };
// Live memory: collected first (where the runtime lets us), so garbage
// waiting for the collector does not count as buffering.
const sample = () => {
  globalThis.gc?.();
  const m = memory();
  peak.rss = Math.max(peak.rss, m.rss);
  peak.heap = Math.max(peak.heap, m.heap);
};
const sampler = setInterval(sample, 20);

const server = http.createServer();
server.on("upgrade", (request, socket, body) => {
  const ws = new WebSocket(request, socket, body);
  ws.pipe(ws);
  ws.on("close", () => {
    sample();
    clearInterval(sampler);
    console.log(JSON.stringify({ base, peak }));
    server.close();
    process.exit(0);
  });
});
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: server.address().port })));
