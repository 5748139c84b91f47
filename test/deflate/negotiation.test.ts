/**
 * permessage-deflate negotiation (RFC 7692 section 7.1), both roles, as
 * tables: every parameter with and without a value, every rejection, and
 * every agreement the two ends can reach carried through real messages.
 */
import { describe, it, expect, until } from "../harness.ts";
import { permessageDeflate, type NodePermessageDeflateOptions } from "../../src/runtime/node/zlib-codec.ts";
import type { ExtensionParams } from "../../src/core/websocket/extensions/extension.ts";
import type { Agreement } from "../../src/core/websocket/extensions/permessage-deflate/extension.ts";
import { context, negotiate } from "./helpers.ts";
import { Link } from "./link.ts";

type Options = NodePermessageDeflateOptions;
const agreementOf = (session: unknown) => (session as { agreement: Agreement | null }).agreement;
const AGREE_DEFAULT: Agreement = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

/** The server's response to `offers`, or null when it declines them all. */
function respond(options: Options, offers: ExtensionParams[]): { response: ExtensionParams; agreement: Agreement } | null {
  const session = permessageDeflate(options).createServerSession(offers, context());
  if (!session) return null;
  return { response: session.generateResponse(), agreement: agreementOf(session)! };
}

describe("permessage-deflate server: accepting offers (RFC 7692 section 7.1)", () => {
  const accepted: [string, Options, ExtensionParams[], ExtensionParams, Partial<Agreement>][] = [
    ["a bare offer", {}, [{}], {}, {}],
    ["the browsers' offer (bare client_max_window_bits)", {}, [{ client_max_window_bits: true }], {}, {}],
    // 7.1.1.1
    ["server_no_context_takeover offered", {}, [{ server_no_context_takeover: true }], { server_no_context_takeover: true }, { serverNoContextTakeover: true }],
    ["server_no_context_takeover by option", { serverNoContextTakeover: true }, [{}], { server_no_context_takeover: true }, { serverNoContextTakeover: true }],
    // 7.1.1.2
    ["client_no_context_takeover offered", {}, [{ client_no_context_takeover: true }], { client_no_context_takeover: true }, { clientNoContextTakeover: true }],
    ["client_no_context_takeover by option", { clientNoContextTakeover: true }, [{}], { client_no_context_takeover: true }, { clientNoContextTakeover: true }],
    // 7.1.2.1
    ["server_max_window_bits offered", {}, [{ server_max_window_bits: "10" }], { server_max_window_bits: "10" }, { serverMaxWindowBits: 10 }],
    ["server_max_window_bits=8 offered", {}, [{ server_max_window_bits: "8" }], { server_max_window_bits: "8" }, { serverMaxWindowBits: 8 }],
    ["server_max_window_bits offered above the option: the option", { serverMaxWindowBits: 9 }, [{ server_max_window_bits: "10" }], { server_max_window_bits: "9" }, { serverMaxWindowBits: 9 }],
    ["server_max_window_bits offered below the option: the offer", { serverMaxWindowBits: 12 }, [{ server_max_window_bits: "10" }], { server_max_window_bits: "10" }, { serverMaxWindowBits: 10 }],
    ["server_max_window_bits by option, unasked", { serverMaxWindowBits: 11 }, [{}], { server_max_window_bits: "11" }, { serverMaxWindowBits: 11 }],
    ["serverMaxWindowBits: false and no limit offered", { serverMaxWindowBits: false }, [{}], {}, {}],
    // 7.1.2.2
    ["client_max_window_bits bare, limited by option", { clientMaxWindowBits: 10 }, [{ client_max_window_bits: true }], { client_max_window_bits: "10" }, { clientMaxWindowBits: 10 }],
    ["client_max_window_bits with a value: echoed", {}, [{ client_max_window_bits: "12" }], { client_max_window_bits: "12" }, { clientMaxWindowBits: 12 }],
    ["client_max_window_bits with a value above the option", { clientMaxWindowBits: 10 }, [{ client_max_window_bits: "12" }], { client_max_window_bits: "10" }, { clientMaxWindowBits: 10 }],
    ["client_max_window_bits with a value below the option", { clientMaxWindowBits: 14 }, [{ client_max_window_bits: "12" }], { client_max_window_bits: "12" }, { clientMaxWindowBits: 12 }],
    ["clientMaxWindowBits: false leaves it out", { clientMaxWindowBits: false }, [{ client_max_window_bits: "12" }], {}, {}],
    ["every parameter at once", {}, [{ server_no_context_takeover: true, client_no_context_takeover: true, server_max_window_bits: "9", client_max_window_bits: "8" }],
      { server_no_context_takeover: true, client_no_context_takeover: true, server_max_window_bits: "9", client_max_window_bits: "8" },
      { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 9, clientMaxWindowBits: 8 }],
    // several offers: the first acceptable one wins
    ["the first of two valid offers", {}, [{ server_no_context_takeover: true }, {}], { server_no_context_takeover: true }, { serverNoContextTakeover: true }],
    ["an invalid offer skipped for the next", {}, [{ server_max_window_bits: "16" }, { client_no_context_takeover: true }], { client_no_context_takeover: true }, { clientNoContextTakeover: true }],
    ["an unsupported offer skipped for the next", { serverMaxWindowBits: false }, [{ server_max_window_bits: "10" }, { client_max_window_bits: true }], {}, {}],
    ["an offer without client_max_window_bits skipped when the option needs it", { clientMaxWindowBits: 9 }, [{}, { client_max_window_bits: true }], { client_max_window_bits: "9" }, { clientMaxWindowBits: 9 }],
  ];
  for (const [name, options, offers, response, agreement] of accepted) {
    it(`accepts ${name}`, () => {
      const result = respond(options, offers);
      expect(result).toEqual({ response, agreement: { ...AGREE_DEFAULT, ...agreement } });
    });
  }

  const declined: [string, Options, ExtensionParams][] = [
    // the option refuses what the offer asks (section 7.1: configuration not supported)
    ["server_no_context_takeover when serverNoContextTakeover is false", { serverNoContextTakeover: false }, { server_no_context_takeover: true }],
    ["server_max_window_bits when serverMaxWindowBits is false", { serverMaxWindowBits: false }, { server_max_window_bits: "10" }],
    ["an offer without client_max_window_bits when clientMaxWindowBits is a number", { clientMaxWindowBits: 10 }, {}],
    // section 7.1: parameters not defined for an offer
    ["an unknown parameter", {}, { x_custom: true }],
    ["a parameter of another extension", {}, { max_window_bits: "10" }],
    // section 7.1: invalid values
    ["server_no_context_takeover with a value", {}, { server_no_context_takeover: "true" }],
    ["client_no_context_takeover with a value", {}, { client_no_context_takeover: "1" }],
    ["server_max_window_bits without a value", {}, { server_max_window_bits: true }],
    ["server_max_window_bits=7", {}, { server_max_window_bits: "7" }],
    ["server_max_window_bits=16", {}, { server_max_window_bits: "16" }],
    ["server_max_window_bits=0", {}, { server_max_window_bits: "0" }],
    ["server_max_window_bits=abc", {}, { server_max_window_bits: "abc" }],
    ["server_max_window_bits empty", {}, { server_max_window_bits: "" }],
    ["server_max_window_bits=1e1", {}, { server_max_window_bits: "1e1" }],
    ["server_max_window_bits=+9", {}, { server_max_window_bits: "+9" }],
    ["server_max_window_bits=9.0", {}, { server_max_window_bits: "9.0" }],
    ["server_max_window_bits=015", {}, { server_max_window_bits: "015" }],
    ["client_max_window_bits=7", {}, { client_max_window_bits: "7" }],
    ["client_max_window_bits=16", {}, { client_max_window_bits: "16" }],
    ["client_max_window_bits=x", {}, { client_max_window_bits: "x" }],
    // section 7.1: the same parameter twice (a header parser hands duplicates over as an array)
    ["server_max_window_bits twice", {}, { server_max_window_bits: ["10", "11"] } as unknown as ExtensionParams],
    ["server_no_context_takeover twice", {}, { server_no_context_takeover: [true, true] } as unknown as ExtensionParams],
    ["client_max_window_bits twice", {}, { client_max_window_bits: [true, "10"] } as unknown as ExtensionParams],
  ];
  for (const [name, options, offer] of declined) {
    it(`declines ${name}`, () => {
      expect(respond(options, [offer])).toBeNull();
    });
  }

  it("declines when every offer is unacceptable", () => {
    expect(respond({}, [{ foo: true }, { server_max_window_bits: "5" }, { client_no_context_takeover: "x" }])).toBeNull();
  });

  it("declines an empty offer list", () => {
    expect(respond({}, [])).toBeNull();
  });
});

describe("permessage-deflate client: offers (RFC 7692 section 7.1)", () => {
  const offers: [string, Options, ExtensionParams][] = [
    ["by default, bare client_max_window_bits, as browsers", {}, { client_max_window_bits: true }],
    ["clientMaxWindowBits: true", { clientMaxWindowBits: true }, { client_max_window_bits: true }],
    ["clientMaxWindowBits: false", { clientMaxWindowBits: false }, {}],
    ["clientMaxWindowBits: 10", { clientMaxWindowBits: 10 }, { client_max_window_bits: "10" }],
    ["every parameter", { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 11 },
      { server_no_context_takeover: true, client_no_context_takeover: true, server_max_window_bits: "10", client_max_window_bits: "11" }],
    ["false flags offer nothing", { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: false }, { client_max_window_bits: true }],
  ];
  for (const [name, options, offer] of offers) {
    it(`offers ${name}`, () => {
      expect(permessageDeflate(options).createClientSession(context())!.generateOffer()).toEqual(offer);
    });
  }
});

describe("permessage-deflate client: checking responses (RFC 7692 section 7.1)", () => {
  function activate(options: Options, response: ExtensionParams): Agreement | null {
    const session = permessageDeflate(options).createClientSession(context())!;
    return session.activate(response) ? agreementOf(session) : null;
  }

  const accepted: [string, Options, ExtensionParams, Partial<Agreement>][] = [
    ["an empty response", {}, {}, {}],
    ["server_no_context_takeover unasked (7.1.1.1)", {}, { server_no_context_takeover: true }, { serverNoContextTakeover: true }],
    ["server_no_context_takeover asked for", { serverNoContextTakeover: true }, { server_no_context_takeover: true }, { serverNoContextTakeover: true }],
    ["client_no_context_takeover from the server (7.1.1.2)", {}, { client_no_context_takeover: true }, { clientNoContextTakeover: true }],
    ["no client_no_context_takeover after offering it: still honoured", { clientNoContextTakeover: true }, {}, { clientNoContextTakeover: true }],
    ["server_max_window_bits unasked (7.1.2.1)", {}, { server_max_window_bits: "10" }, { serverMaxWindowBits: 10 }],
    ["server_max_window_bits as asked", { serverMaxWindowBits: 10 }, { server_max_window_bits: "10" }, { serverMaxWindowBits: 10 }],
    ["server_max_window_bits smaller than asked", { serverMaxWindowBits: 10 }, { server_max_window_bits: "8" }, { serverMaxWindowBits: 8 }],
    ["client_max_window_bits after a bare offer (7.1.2.2)", {}, { client_max_window_bits: "9" }, { clientMaxWindowBits: 9 }],
    ["client_max_window_bits=8", {}, { client_max_window_bits: "8" }, { clientMaxWindowBits: 8 }],
    ["client_max_window_bits below the offered value", { clientMaxWindowBits: 12 }, { client_max_window_bits: "10" }, { clientMaxWindowBits: 10 }],
    ["no client_max_window_bits after offering a value: the offered value", { clientMaxWindowBits: 12 }, {}, { clientMaxWindowBits: 12 }],
  ];
  for (const [name, options, response, agreement] of accepted) {
    it(`accepts ${name}`, () => {
      expect(activate(options, response)).toEqual({ ...AGREE_DEFAULT, ...agreement });
    });
  }

  const refused: [string, Options, ExtensionParams][] = [
    // the response does not grant what was asked
    ["a response without the server_no_context_takeover asked for", { serverNoContextTakeover: true }, {}],
    ["a response without the server_max_window_bits asked for", { serverMaxWindowBits: 10 }, {}],
    ["server_max_window_bits above the value asked for", { serverMaxWindowBits: 10 }, { server_max_window_bits: "11" }],
    ["client_max_window_bits above the value offered", { clientMaxWindowBits: 10 }, { client_max_window_bits: "11" }],
    ["client_max_window_bits when the offer had none (7.1.2.2 MUST NOT)", { clientMaxWindowBits: false }, { client_max_window_bits: "10" }],
    ["client_no_context_takeover when clientNoContextTakeover is false", { clientNoContextTakeover: false }, { client_no_context_takeover: true }],
    // section 7.1: parameters not defined for a response, invalid values, duplicates
    ["an unknown parameter", {}, { foo: true }],
    ["client_max_window_bits without a value", {}, { client_max_window_bits: true }],
    ["server_max_window_bits without a value", {}, { server_max_window_bits: true }],
    ["server_max_window_bits=7", {}, { server_max_window_bits: "7" }],
    ["server_max_window_bits=16", {}, { server_max_window_bits: "16" }],
    ["client_max_window_bits=16", {}, { client_max_window_bits: "16" }],
    ["client_max_window_bits=a", {}, { client_max_window_bits: "a" }],
    ["server_no_context_takeover with a value", {}, { server_no_context_takeover: "x" }],
    ["client_no_context_takeover with a value", {}, { client_no_context_takeover: "x" }],
    ["a duplicate parameter", {}, { server_no_context_takeover: [true, true] } as unknown as ExtensionParams],
  ];
  for (const [name, options, response] of refused) {
    it(`refuses ${name}`, () => {
      expect(activate(options, response)).toBeNull();
    });
  }

  it("refuses a second activation", () => {
    const session = permessageDeflate().createClientSession(context())!;
    expect(session.activate({})).toBe(true);
    expect(session.activate({})).toBe(false);
  });

  it("rejects options outside 8..15 when the extension is made", () => {
    expect(() => permessageDeflate({ serverMaxWindowBits: 16 })).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    expect(() => permessageDeflate({ clientMaxWindowBits: 7 })).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    expect(() => permessageDeflate({ clientMaxWindowBits: 9.5 })).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    expect(() => permessageDeflate({ threshold: -1 })).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
    expect(() => permessageDeflate({ concurrencyLimit: 0 })).toThrow({ code: "WS_ERR_INVALID_ARGUMENT" });
  });
});

describe("permessage-deflate: every agreement carries real messages both ways", () => {
  const clientChoices: Options[] = [
    {},
    { clientMaxWindowBits: false },
    { clientMaxWindowBits: 8 },
    { clientNoContextTakeover: true, serverNoContextTakeover: true },
    { serverMaxWindowBits: 8, clientMaxWindowBits: 9 },
    { serverMaxWindowBits: 12 },
  ];
  const serverChoices: Options[] = [
    {},
    { serverNoContextTakeover: true, clientNoContextTakeover: true },
    { serverMaxWindowBits: 8 },
    { clientMaxWindowBits: 8 },
    { serverMaxWindowBits: 9, clientMaxWindowBits: 10, zlibDeflateOptions: { level: 1, memLevel: 1 } },
  ];
  // Text with repeats near and far (distances past 256 and 512 bytes), so a
  // window mismatch between compressor and decompressor would show.
  const words = Array.from({ length: 400 }, (_, i) => `word${(i * 7919) % 97}`).join(" ");
  const messages = [words, words.slice(100) + words, "tiny", words.toUpperCase()];

  for (const [ci, c] of clientChoices.entries()) {
    for (const [si, s] of serverChoices.entries()) {
      it(`client option set ${ci} x server option set ${si}`, async () => {
        const clientExt = permessageDeflate({ threshold: 16, ...c });
        const serverExt = permessageDeflate({ threshold: 16, ...s });
        const n = negotiate(clientExt, serverExt);
        // Only the combination that insists on a limit the client did not offer is declined.
        const expectDeclined = c.clientMaxWindowBits === false && typeof s.clientMaxWindowBits === "number";
        expect(n.server === null).toBe(expectDeclined);
        if (!n.server) return;
        expect(n.activated).toBe(true);
        const link = new Link({
          client: [{ extension: clientExt, session: n.client }],
          server: [{ extension: serverExt, session: n.server }],
        });
        for (const m of messages) {
          link.client.sendText(m);
          link.server.sendText(m);
        }
        link.pump();
        await until(() => link.clientEvents.length === messages.length && link.serverEvents.length === messages.length, 10_000, "messages");
        const texts = messages.map((data) => ({ type: "text", data }));
        expect(link.serverEvents).toEqual(texts);
        expect(link.clientEvents).toEqual(texts);
        n.client.close?.();
        n.server.close?.();
      });
    }
  }
});
