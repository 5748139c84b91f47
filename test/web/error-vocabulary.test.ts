/**
 * One error vocabulary: every failure the library reports is a
 * WebSocketError whose `code` comes from one table (ErrorCodes), whether
 * it is the engine's, a handshake's, a proxy's or an event stream's.
 */
import http from "node:http";
import { describe, expect, it, runtime } from "../harness.ts";
import { entry } from "../entry.ts";

const { ErrorCodes, SseError, SseParser, WebSocket, WebSocketError, EventSource } = entry;

describe(`one error vocabulary on the ${runtime} entry`, () => {
  it("the code table holds the handshake, proxy and SSE codes next to the engine's", () => {
    for (const code of ["WS_ERR_INVALID_UTF8", "WS_ERR_HANDSHAKE", "WS_ERR_PROXY_REFUSED", "WS_ERR_PROXY_AUTH", "SSE_ERR_EVENT_TOO_LARGE", "SSE_ERR_STATUS", "SSE_ERR_CONTENT_TYPE", "SSE_ERR_CONNECTION"]) {
      expect(typeof (ErrorCodes as Record<string, number>)[code]).toBe("number");
    }
  });

  it("SseError is a WebSocketError: the parser's limit reports one", () => {
    const parser = new SseParser({ maxEventSize: 4 });
    parser.receiveData(new TextEncoder().encode("data: 0123456789\n\n"));
    const failure = parser.eventsReceived().find((e) => e.type === "error");
    expect(failure?.type).toBe("error");
    const error = (failure as { error: InstanceType<typeof SseError> }).error;
    expect(error).toBeInstanceOf(SseError);
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error.code).toBe("SSE_ERR_EVENT_TOO_LARGE");
    expect(error.name).toBe("SseError");
  });

  it("a refused WebSocket handshake: the error event carries WS_ERR_HANDSHAKE and the status", async () => {
    const server = http.createServer((_req, res) => res.writeHead(403).end());
    server.on("upgrade", (_req, socket) => socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      const error = await new Promise<unknown>((resolve) => ws.once("error", (event) => resolve(event.error)));
      expect(error).toBeInstanceOf(WebSocketError);
      expect((error as { code: string }).code).toBe("WS_ERR_HANDSHAKE");
      expect(ws.statusCode).toBe(403);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("an EventSource that loses its stream reports SSE_ERR_CONNECTION, and on() is typed", async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end("data: one\n\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const es = new EventSource(`http://127.0.0.1:${port}/`, { retry: 60_000 });
      const data = await new Promise<string>((resolve) => es.once("message", (event) => resolve(event.data as string)));
      expect(data).toBe("one");
      const code = await new Promise<string>((resolve) => es.once("error", (event) => resolve(event.error.code)));
      expect(code).toBe("SSE_ERR_CONNECTION");
      es.close();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
