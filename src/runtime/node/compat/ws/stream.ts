/**
 * ws's createWebSocketStream(ws, options): a node:stream Duplex over one
 * socket, with backpressure both ways.
 *
 *   ws "message" --push()--> readable side   (push() false -> ws.pause(): the
 *                                              engine stops reading the socket)
 *   _read()      -----------> ws.resume()
 *   writable side --_write--> ws.send(chunk, cb)   (cb once the bytes are written)
 *   end()        --_final--> ws.close(), finished once the socket has closed
 *   destroy()    -----------> ws.terminate()
 *
 * Messages become chunks: a text message reaches an objectMode reader as a
 * string, otherwise every message is a Buffer.
 */
import { Duplex, type DuplexOptions } from "node:stream";
import { WebSocket } from "./websocket.ts";

/**
 * ws's createWebSocketStream: a node:stream Duplex whose chunks are the
 * socket's messages, with backpressure both ways (a full readable side
 * pauses the socket). `end()` closes the socket, `destroy()` terminates it.
 */
export function createWebSocketStream(ws: WebSocket, options?: DuplexOptions): Duplex {
  let terminateOnDestroy = true;
  const duplex = new Duplex({
    ...options,
    autoDestroy: false,
    emitClose: false,
    objectMode: false,
    writableObjectMode: false,
  });

  ws.on("message", (message: Buffer, isBinary: boolean) => {
    const data = !isBinary && duplex.readableObjectMode ? message.toString() : message;
    if (!duplex.push(data)) ws.pause();
  });
  ws.once("error", (err: Error) => {
    if (duplex.destroyed) return;
    // The engine has already failed the connection: no terminate() needed.
    terminateOnDestroy = false;
    duplex.destroy(err);
  });
  ws.once("close", () => {
    if (duplex.destroyed) return;
    duplex.push(null);
  });

  duplex._destroy = (err, callback) => {
    if (ws.readyState === WebSocket.CLOSED) {
      callback(err);
      process.nextTick(() => duplex.emit("close"));
      return;
    }
    let called = false;
    ws.once("error", (error: Error) => {
      called = true;
      callback(error);
    });
    ws.once("close", () => {
      if (!called) callback(err);
      process.nextTick(() => duplex.emit("close"));
    });
    if (terminateOnDestroy) ws.terminate();
  };

  duplex._final = (callback) => {
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.once("open", () => duplex._final!(callback));
      return;
    }
    if (ws.readyState === WebSocket.CLOSED) return callback();
    ws.once("close", () => callback());
    ws.close();
  };

  duplex._read = () => {
    if (ws.isPaused) ws.resume();
  };

  duplex._write = (chunk, _encoding, callback) => {
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.once("open", () => duplex._write(chunk, _encoding, callback));
      return;
    }
    ws.send(chunk, callback);
  };

  duplex.on("end", () => {
    if (!duplex.destroyed && duplex.writableFinished) duplex.destroy();
  });
  const onError = (err: Error) => {
    duplex.removeListener("error", onError);
    duplex.destroy();
    // With no listener of the caller's, the error still throws.
    if (duplex.listenerCount("error") === 0) duplex.emit("error", err);
  };
  duplex.on("error", onError);
  return duplex;
}
