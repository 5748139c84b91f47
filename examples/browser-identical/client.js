/**
 * One WebSocket client written against the browser's API only (WHATWG
 * websockets standard). It runs unchanged in a web page with the browser's
 * own WebSocket and on Node, Deno and Bun with omnisocket's, and writes down
 * what it sees as a transcript of JSON-able entries:
 *
 *   runClient(url)                          a page: globalThis.WebSocket
 *   runClient(url, WebSocket)               a runtime: omnisocket's class
 *        |
 *        +-- constructor checks (SyntaxError cases)
 *        +-- "chat" connection to an echo server: open, text, ArrayBuffer,
 *        |   view, Blob, handler order, close(4000, "bye")
 *        +-- close() while CONNECTING
 *        v
 *   [{ step: ..., ... }, ...]   equal everywhere when the classes behave alike
 *
 * The server at `url` must echo every message (text as text, binary as
 * binary) and select the subprotocol "chat".
 *
 * @param {string} url ws:// URL of the echo server
 * @param {typeof WebSocket} [WebSocketClass] the class to test (default: the global one)
 * @returns {Promise<object[]>} the transcript
 */
export async function runClient(url, WebSocketClass = globalThis.WebSocket) {
  const transcript = [];
  const record = (step, details = {}) => transcript.push({ step, ...details });

  constructorChecks(url, WebSocketClass, record);
  await chat(url, WebSocketClass, record);
  await closeWhileConnecting(url, WebSocketClass, record);
  return transcript;
}

/** The name of what `fn` throws, or "none". */
function thrown(fn) {
  try {
    fn();
    return "none";
  } catch (error) {
    return error.name;
  }
}

/** WHATWG "new WebSocket(url, protocols)" steps that throw a SyntaxError. */
function constructorChecks(url, WebSocketClass, record) {
  const cases = {
    "bad scheme": () => new WebSocketClass("ftp://127.0.0.1/"),
    "fragment": () => new WebSocketClass(`${url}/#fragment`),
    "duplicate protocols": () => new WebSocketClass(url, ["chat", "chat"]),
    "invalid protocol": () => new WebSocketClass(url, ["not a token"]),
  };
  for (const [name, make] of Object.entries(cases)) {
    let socket = null;
    const error = thrown(() => { socket = make(); });
    socket?.close();
    record("constructor", { case: name, error });
  }
}

/** Resolves with the next event of `type`. */
function next(target, type) {
  return new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));
}

/** A message event's data as JSON: its kind plus its text or bytes. */
async function describeData(data) {
  if (typeof data === "string") return { kind: "string", text: data };
  if (data instanceof ArrayBuffer) return { kind: "ArrayBuffer", bytes: [...new Uint8Array(data)] };
  if (typeof Blob !== "undefined" && data instanceof Blob) {
    return { kind: "Blob", size: data.size, bytes: [...new Uint8Array(await data.arrayBuffer())] };
  }
  return { kind: "other" };
}

async function chat(url, WebSocketClass, record) {
  const ws = new WebSocketClass(`${url}/chat?room=1`, ["chat"]);
  record("created", {
    url: ws.url,
    readyState: ws.readyState,
    protocol: ws.protocol,
    binaryType: ws.binaryType,
    bufferedAmount: ws.bufferedAmount,
    constants: [ws.CONNECTING, ws.OPEN, ws.CLOSING, ws.CLOSED, WebSocketClass.OPEN],
  });
  // Checks that throw before any state changes.
  record("send while connecting", { error: thrown(() => ws.send("too early")) });
  record("close(1001)", { error: thrown(() => ws.close(1001)) });
  record("close with a 124-byte reason", { error: thrown(() => ws.close(4000, "x".repeat(124))) });

  let errors = 0;
  ws.addEventListener("error", () => { errors++; });
  const closed = next(ws, "close");

  await new Promise((resolve) => {
    ws.onopen = (event) => {
      record("open", { type: event.type, readyState: ws.readyState, protocol: ws.protocol });
      resolve();
    };
  });

  // Event handler attributes keep the place of their first assignment among
  // the listeners (WHATWG html, "event handlers"): h2 replaces h1 but still
  // runs before the listener added after h1.
  const order = [];
  const listener = () => order.push("listener");
  ws.onmessage = () => order.push("h1");
  ws.addEventListener("message", listener);
  ws.onmessage = () => order.push("h2");

  ws.send("hello");
  record("echo text", await describeData((await next(ws, "message")).data));
  record("handler order", { order: [...order], onmessage: typeof ws.onmessage });
  ws.removeEventListener("message", listener);
  ws.onmessage = null;
  record("onmessage = null", { onmessage: ws.onmessage });

  ws.binaryType = "arraybuffer";
  ws.send(new Uint8Array([1, 2, 3, 255]).buffer);
  record("echo ArrayBuffer", await describeData((await next(ws, "message")).data));

  ws.send(new Uint8Array([9, 8, 7, 6, 5]).subarray(1, 4));
  record("echo view", await describeData((await next(ws, "message")).data));

  ws.binaryType = "blob";
  ws.binaryType = "not a binary type"; // ignored
  record("binaryType", { binaryType: ws.binaryType });
  ws.send(new Blob(["blob!"]));
  record("echo Blob", await describeData((await next(ws, "message")).data));

  ws.close(4000, "bye");
  record("after close()", { readyState: ws.readyState });
  ws.close(4001, "again"); // no-op while CLOSING
  // WHATWG send() while CLOSING: no error, the data only counts in
  // bufferedAmount. (Compare the growth: whether the Close frame itself has
  // left yet depends on the transport.)
  const before = ws.bufferedAmount;
  record("send after close()", { error: thrown(() => ws.send("late")), bufferedAmountGrowth: ws.bufferedAmount - before });

  const event = await closed;
  record("close", {
    type: event.type,
    code: event.code,
    reason: event.reason,
    wasClean: event.wasClean,
    readyState: ws.readyState,
    errors,
  });
}

/** close() before the handshake ends: the connection fails (error, then close 1006). */
async function closeWhileConnecting(url, WebSocketClass, record) {
  const ws = new WebSocketClass(url, "chat");
  const events = [];
  ws.addEventListener("open", () => events.push("open"));
  ws.addEventListener("error", (event) => events.push(`${event.type} readyState=${ws.readyState}`));
  const closed = next(ws, "close");
  ws.close();
  record("close() while connecting", { readyState: ws.readyState });
  const event = await closed;
  events.push(`close readyState=${ws.readyState}`);
  record("closed while connecting", { events, code: event.code, reason: event.reason, wasClean: event.wasClean });
}
