/**
 * permessage-deflate negotiation (RFC 7692 section 7.1): the four
 * parameters, checked in offers and responses, and the agreement both ends
 * act on.
 *
 *   client                                   server
 *   buildOffer(options) ----- offer(s) ----> acceptOffer(offers, options)
 *                                              first acceptable offer wins
 *   acceptResponse(response, options) <----- response
 *        |                                     |
 *        v                                     v
 *     Agreement (no_context_takeover flags, window bits of each end)
 *
 * Options follow ws: `true` asks for a parameter, `false` refuses it, a
 * number is a window size (8..15), and `undefined` goes along with the peer.
 */
import { WebSocketError } from "../../../shared/errors.ts";
import type { ExtensionParams } from "../extension.ts";

/**
 * The four permessage-deflate parameters (RFC 7692 section 7.1), as each
 * end asks for them: `true` asks, `false` refuses, `undefined` goes along
 * with the peer.
 */
export interface NegotiationOptions {
  /** Server's compressor starts each message with an empty window. */
  serverNoContextTakeover?: boolean;
  /** Client's compressor starts each message with an empty window. */
  clientNoContextTakeover?: boolean;
  /** Server's LZ77 window (8..15); `false` declines offers that limit it. */
  serverMaxWindowBits?: number | boolean;
  /** Client's LZ77 window (8..15); `true` (default) offers the bare parameter, `false` omits it. */
  clientMaxWindowBits?: number | boolean;
}

/** What both ends act on after the handshake. */
export interface Agreement {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** LZ77 window of the server's compressor, 8..15 (15 when not negotiated). */
  serverMaxWindowBits: number;
  /** LZ77 window of the client's compressor, 8..15 (15 when not negotiated). */
  clientMaxWindowBits: number;
}

/** One offer or response, read and checked. */
interface Params {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | undefined;
  /** `true` for the bare form, only possible in an offer. */
  clientMaxWindowBits: number | true | undefined;
}

export const MAX_WINDOW_BITS = 15;
export const MIN_WINDOW_BITS = 8;

/** A window size option or parameter value is an integer in 8..15. */
export function isWindowBits(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= MIN_WINDOW_BITS && n <= MAX_WINDOW_BITS;
}

/**
 * Sections 7.1.2.1 and 7.1.2.2: a window bits value is 1*DIGIT, a decimal
 * integer from 8 to 15 (quotes are the header parser's business).
 */
function parseWindowBits(value: unknown): number | undefined {
  if (typeof value === "number") return isWindowBits(value) ? value : undefined;
  if (typeof value !== "string" || !/^[0-9]{1,2}$/.test(value)) return undefined;
  const n = Number(value);
  return isWindowBits(n) ? n : undefined;
}

/**
 * Reads the parameters of one offer (`inResponse` false) or response.
 * Null when section 7.1 says to decline the offer or fail the connection:
 * a parameter not defined for this use, an invalid value, or the same
 * parameter twice (a header parser hands duplicates over as an array).
 */
function readParams(params: ExtensionParams, inResponse: boolean): Params | null {
  const out: Params = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: undefined,
  };
  for (const name of Object.keys(params)) {
    const value: unknown = params[name];
    if (Array.isArray(value)) return null; // section 7.1: multiple parameters with the same name
    switch (name) {
      // Sections 7.1.1.1 and 7.1.1.2: these parameters have no value.
      case "server_no_context_takeover":
        if (value !== true) return null;
        out.serverNoContextTakeover = true;
        break;
      case "client_no_context_takeover":
        if (value !== true) return null;
        out.clientNoContextTakeover = true;
        break;
      // Section 7.1.2.1: always with a value, 8..15.
      case "server_max_window_bits": {
        const bits = parseWindowBits(value);
        if (bits === undefined) return null;
        out.serverMaxWindowBits = bits;
        break;
      }
      // Section 7.1.2.2: an offer may carry it bare; a response carries a value.
      case "client_max_window_bits": {
        if (value === true && !inResponse) {
          out.clientMaxWindowBits = true;
          break;
        }
        const bits = parseWindowBits(value);
        if (bits === undefined) return null;
        out.clientMaxWindowBits = bits;
        break;
      }
      default:
        return null; // section 7.1: a parameter not defined for this extension
    }
  }
  return out;
}

/** Throws on options no negotiation could honour (user misuse, not peer input). */
export function checkNegotiationOptions(options: NegotiationOptions): void {
  for (const key of ["serverMaxWindowBits", "clientMaxWindowBits"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "boolean" && !isWindowBits(v)) {
      throw new WebSocketError("WS_ERR_INVALID_ARGUMENT", `permessage-deflate: ${key} must be a boolean or an integer from 8 to 15, got ${String(v)}`);
    }
  }
}

/** The client's offer (section 7.1). */
export function buildOffer(options: NegotiationOptions): ExtensionParams {
  const offer: ExtensionParams = {};
  // Section 7.1.1.1: ask the server not to reuse its window.
  if (options.serverNoContextTakeover === true) offer.server_no_context_takeover = true;
  // Section 7.1.1.2: announce that this client will not reuse its window.
  if (options.clientNoContextTakeover === true) offer.client_no_context_takeover = true;
  // Section 7.1.2.1: ask the server to use a window of at most 2^n bytes.
  if (isWindowBits(options.serverMaxWindowBits)) offer.server_max_window_bits = String(options.serverMaxWindowBits);
  // Section 7.1.2.2: bare = "the server may limit my window"; a value also
  // hints the size this client will use. Browsers and ws send it bare.
  const client = options.clientMaxWindowBits;
  if (isWindowBits(client)) offer.client_max_window_bits = String(client);
  else if (client !== false) offer.client_max_window_bits = true;
  return offer;
}

/**
 * The server's choice among the client's offers, in the client's order:
 * the first one it can accept (section 7.1: "the server ... MUST decline an
 * extension negotiation offer" it cannot support; it may accept another).
 */
export function acceptOffer(
  offers: readonly ExtensionParams[],
  options: NegotiationOptions,
): { response: ExtensionParams; agreement: Agreement } | null {
  for (const offer of offers) {
    const params = readParams(offer, false);
    if (params === null) continue; // section 7.1: decline an invalid offer
    const accepted = acceptOne(params, options);
    if (accepted) return accepted;
  }
  return null;
}

function acceptOne(params: Params, options: NegotiationOptions): { response: ExtensionParams; agreement: Agreement } | null {
  // Configurations this server refuses (section 7.1: "the server doesn't
  // support the offered configuration").
  if (params.serverNoContextTakeover && options.serverNoContextTakeover === false) return null;
  if (params.serverMaxWindowBits !== undefined && options.serverMaxWindowBits === false) return null;
  // Section 7.1.2.2: without client_max_window_bits in the offer the response
  // MUST NOT limit the client, so a server that insists on a limit declines.
  if (isWindowBits(options.clientMaxWindowBits) && params.clientMaxWindowBits === undefined) return null;

  const response: ExtensionParams = {};
  // Section 7.1.1.1: an accepted server_no_context_takeover MUST be in the
  // response; the server may also add it unasked.
  const serverNoContextTakeover = params.serverNoContextTakeover || options.serverNoContextTakeover === true;
  if (serverNoContextTakeover) response.server_no_context_takeover = true;
  // Section 7.1.1.2: the server may ask the client not to reuse its window.
  const clientNoContextTakeover = params.clientNoContextTakeover || options.clientNoContextTakeover === true;
  if (clientNoContextTakeover) response.client_no_context_takeover = true;

  // Section 7.1.2.1: accept a server_max_window_bits offer by answering with
  // the same or a smaller value; the server may also limit itself unasked.
  const ownLimit = isWindowBits(options.serverMaxWindowBits) ? options.serverMaxWindowBits : MAX_WINDOW_BITS;
  const serverMaxWindowBits = Math.min(params.serverMaxWindowBits ?? MAX_WINDOW_BITS, ownLimit);
  if (params.serverMaxWindowBits !== undefined || isWindowBits(options.serverMaxWindowBits)) {
    response.server_max_window_bits = String(serverMaxWindowBits);
  }

  // Section 7.1.2.2: only when offered; a value no greater than the offered one.
  let clientMaxWindowBits = MAX_WINDOW_BITS;
  const offered = params.clientMaxWindowBits;
  if (offered !== undefined && options.clientMaxWindowBits !== false) {
    const limit = isWindowBits(options.clientMaxWindowBits) ? options.clientMaxWindowBits : MAX_WINDOW_BITS;
    clientMaxWindowBits = Math.min(offered === true ? MAX_WINDOW_BITS : offered, limit);
    // Bare and unlimited: nothing to say (15 is the default).
    if (offered !== true || clientMaxWindowBits < MAX_WINDOW_BITS) {
      response.client_max_window_bits = String(clientMaxWindowBits);
    }
  }

  return {
    response,
    agreement: { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits },
  };
}

/**
 * The client's check of the server's response (section 7.1: the client
 * MUST fail the connection on a response it cannot accept). Null fails.
 */
export function acceptResponse(response: ExtensionParams, options: NegotiationOptions): Agreement | null {
  const params = readParams(response, true);
  if (params === null) return null;

  // Section 7.1.1.1: a server accepting server_no_context_takeover MUST
  // answer with it. Unasked, it only concerns the server's own compressor.
  if (options.serverNoContextTakeover === true && !params.serverNoContextTakeover) return null;
  // Section 7.1.1.2: the client honours client_no_context_takeover unless
  // configured to refuse it.
  if (params.clientNoContextTakeover && options.clientNoContextTakeover === false) return null;

  // Section 7.1.2.1: a limit the client asked for comes back with the same
  // or a smaller value; unasked, any valid value only limits the server.
  if (isWindowBits(options.serverMaxWindowBits)) {
    if (params.serverMaxWindowBits === undefined || params.serverMaxWindowBits > options.serverMaxWindowBits) return null;
  }

  // Section 7.1.2.2: client_max_window_bits MUST NOT be in a response to an
  // offer without it, and may not exceed the value offered.
  const limit = params.clientMaxWindowBits as number | undefined;
  if (limit !== undefined) {
    if (options.clientMaxWindowBits === false) return null;
    if (isWindowBits(options.clientMaxWindowBits) && limit > options.clientMaxWindowBits) return null;
  }

  return {
    serverNoContextTakeover: params.serverNoContextTakeover,
    // A client that announced client_no_context_takeover keeps its word even
    // when the response leaves the parameter out.
    clientNoContextTakeover: params.clientNoContextTakeover || options.clientNoContextTakeover === true,
    serverMaxWindowBits: params.serverMaxWindowBits ?? MAX_WINDOW_BITS,
    clientMaxWindowBits: limit ?? (isWindowBits(options.clientMaxWindowBits) ? options.clientMaxWindowBits : MAX_WINDOW_BITS),
  };
}
