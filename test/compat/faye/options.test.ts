/**
 * The faye entry where it goes past faye-websocket 0.11 (docs/faye.md):
 * `allowDrafts` on the server (hixie-76, with send() held until the late key
 * body), `net` on the client, bytes other than Buffers sent as binary, no
 * line breaks in an EventSource's event or id; and faye's own option rules.
 */
import { Buffer } from "node:buffer";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, until } from "../../harness.ts";
import WebSocket, { EventSource } from "../../../src/runtime/node/compat/faye/index.ts";
import { DRAFT76_CHALLENGE, DRAFT76_KEY3, hixieClient } from "../../peers/hixie-client.ts";

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

describe("omnisocket/faye beyond faye-websocket 0.11", () => {
  it("throws faye's error for an unknown option, before connecting", () => {
    expect(() => new WebSocket.Client("ws://127.0.0.1:1/", [], { bogus: 1 } as never)).toThrow("Unrecognized option: bogus");
    expect(() => new WebSocket.Client("ftp://127.0.0.1/")).toThrow("ftp://127.0.0.1/ is not a valid WebSocket URL");
  });

  it("allowDrafts: a hixie-76 client whose key body comes late gets the challenge, then what send() held", async () => {
    const server = http.createServer();
    let version = "";
    server.on("upgrade", (request, socket, body) => {
      const ws = new WebSocket(request, socket, body, null, { allowDrafts: true });
      version = ws.version;
      expect(ws.send("held")).toBe(true); // before the key body: queued, as faye does
    });
    const port = await listen(server);
    try {
      const client = await hixieClient(port, { draft: "hixie-76", lateKey: true });
      await client.head();
      client.sendKey(DRAFT76_KEY3);
      const expected = DRAFT76_CHALLENGE + "\x00held\xff";
      await until(() => client.afterHead().length >= expected.length, 10_000, "challenge and message");
      expect(client.afterHead().toString("latin1")).toBe(expected);
      expect(version).toBe("hixie-76");
      client.socket.destroy();
    } finally {
      server.close();
    }
  });

  it("without allowDrafts a hixie request is refused: error, then close 1006", async () => {
    const server = http.createServer();
    const events: string[] = [];
    server.on("upgrade", (request, socket, body) => {
      const ws = new WebSocket(request, socket, body);
      ws.on("error", () => events.push("error"));
      ws.on("close", (event: { code: number }) => events.push(`close ${event.code}`));
    });
    const port = await listen(server);
    try {
      const client = await hixieClient(port, { draft: "hixie-76" });
      const head = await client.head();
      expect(head.startsWith("HTTP/1.1 4")).toBe(true);
      await until(() => events.length === 2, 10_000, "error and close");
      expect(events).toEqual(["error", "close 1006"]);
    } finally {
      server.close();
    }
  });

  it("the client takes `net` (faye 0.11 documents it and throws for it) and sends Uint8Arrays as binary", async () => {
    const server = http.createServer();
    const got: unknown[] = [];
    server.on("upgrade", (request, socket, body) => {
      const ws = new WebSocket(request, socket, body);
      ws.on("message", (event: { data: unknown }) => { got.push(event.data); ws.close(); });
    });
    const port = await listen(server);
    try {
      const client = new WebSocket.Client(`ws://127.0.0.1:${port}/`, null, { net: { family: 4 } });
      client.on("open", () => client.send(new Uint8Array([7, 8])));
      await new Promise((resolve) => client.on("close", resolve));
      expect(Buffer.isBuffer(got[0])).toBe(true);
      expect([...(got[0] as Buffer)]).toEqual([7, 8]);
    } finally {
      server.close();
    }
  });

  it("EventSource: a line break in event or id throws instead of forging fields", async () => {
    const server = http.createServer((request, response) => {
      const es = new EventSource(request, response);
      try {
        expect(() => es.send("x", { event: "a\r\nid: 1" })).toThrow(TypeError);
        expect(() => es.send("x", { id: "1\ndata: forged" })).toThrow(TypeError);
        expect(es.send("ok", { id: "2" })).toBe(true);
      } finally {
        es.close();
      }
    });
    const port = await listen(server);
    try {
      const text = await new Promise<string>((resolve, reject) => {
        http.get({ port, host: "127.0.0.1", headers: { accept: "text/event-stream" } }, (res) => {
          let body = "";
          res.setEncoding("latin1");
          res.on("data", (chunk: string) => { body += chunk; });
          res.on("end", () => resolve(body));
        }).on("error", reject);
      });
      expect(text).toBe("retry: 5000\r\n\r\nid: 2\r\ndata: ok\r\n\r\n");
    } finally {
      server.close();
    }
  });
});
