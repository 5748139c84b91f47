/**
 * permessage-deflate through the real handshake code: header text in,
 * header text out (RFC 7692 section 5 and 7.1), both roles.
 */
import { describe, it, expect } from "../harness.ts";
import { permessageDeflate, type NodePermessageDeflateOptions } from "../../src/runtime/node/zlib-codec.ts";
import { createClientRequest, validateServerResponse } from "../../src/core/websocket/handshake/client.ts";
import { createServerResponse, negotiateServerExtensions } from "../../src/core/websocket/handshake/server.ts";
import { parseResponseHead } from "../../src/core/http/head-parser.ts";
import { WebSocketError } from "../../src/core/shared/errors.ts";
import { context } from "./helpers.ts";

function serverAnswers(header: string, options: NodePermessageDeflateOptions = {}): string | null {
  const result = negotiateServerExtensions([permessageDeflate(options)], header, context());
  if (result instanceof WebSocketError) throw result;
  for (const { session } of result.active) session.close?.();
  return result.active.length ? result.responseHeader : null;
}

function clientOffer(options: NodePermessageDeflateOptions = {}) {
  return createClientRequest({
    url: "ws://example.com/chat",
    extensions: [permessageDeflate(options)],
    extensionContext: context(),
    random: (b) => b.fill(1),
  });
}

function clientGets(header: string, options: NodePermessageDeflateOptions = {}): string | WebSocketError {
  const request = clientOffer(options);
  const head = parseResponseHead(
    createServerResponse({ key: request.key, extensionsHeader: header }),
  );
  if (head instanceof WebSocketError) throw head;
  const result = validateServerResponse(head, request);
  if (result instanceof WebSocketError) return result;
  for (const { session } of result.extensions) session.close?.();
  return result.extensionsHeader;
}

describe("permessage-deflate in the handshake", () => {
  it("the client offers permessage-deflate; client_max_window_bits by default", () => {
    expect(clientOffer().head).toMatch("\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
  });

  it("the client offers every parameter it is given", () => {
    const head = clientOffer({ serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 9 }).head;
    expect(head).toMatch(
      "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9\r\n",
    );
  });

  const server: [string, string, NodePermessageDeflateOptions, string | null][] = [
    ["a browser's offer", "permessage-deflate; client_max_window_bits", {}, "permessage-deflate"],
    ["quoted values", 'permessage-deflate; server_max_window_bits="10"', {}, "permessage-deflate; server_max_window_bits=10"],
    ["the first acceptable of several offers (RFC 7692 section 5.1)",
      "permessage-deflate; server_max_window_bits=7, permessage-deflate; client_no_context_takeover, permessage-deflate",
      {}, "permessage-deflate; client_no_context_takeover"],
    ["offers of another extension around it", "x-foo; a=1, permessage-deflate; server_no_context_takeover, x-bar", {},
      "permessage-deflate; server_no_context_takeover"],
    ["options added to the response", "permessage-deflate; client_max_window_bits", { serverNoContextTakeover: true, clientMaxWindowBits: 10 },
      "permessage-deflate; server_no_context_takeover; client_max_window_bits=10"],
    ["nothing acceptable", "permessage-deflate; foo, permessage-deflate; client_max_window_bits=16", {}, null],
  ];
  for (const [name, header, options, expected] of server) {
    it(`server: ${name}`, () => {
      expect(serverAnswers(header, options)).toBe(expected);
    });
  }

  it("client: accepts a response it can honour", () => {
    expect(clientGets("permessage-deflate; server_max_window_bits=10; client_max_window_bits=12")).toBe(
      "permessage-deflate; server_max_window_bits=10; client_max_window_bits=12",
    );
  });

  const refused: [string, string, NodePermessageDeflateOptions][] = [
    ["an unknown parameter", "permessage-deflate; foo", {}],
    ["window bits out of range", "permessage-deflate; server_max_window_bits=16", {}],
    ["client_max_window_bits without a value", "permessage-deflate; client_max_window_bits", {}],
    ["client_max_window_bits it did not offer", "permessage-deflate; client_max_window_bits=10", { clientMaxWindowBits: false }],
    ["a missing server_no_context_takeover it asked for", "permessage-deflate", { serverNoContextTakeover: true }],
  ];
  for (const [name, header, options] of refused) {
    it(`client: fails the connection on ${name}`, () => {
      const result = clientGets(header, options);
      expect(result).toBeInstanceOf(WebSocketError);
      expect((result as WebSocketError).message).toMatch("permessage-deflate");
    });
  }
});
