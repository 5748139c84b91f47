/**
 * Extensions (RFC 6455 section 9) behind one interface, in the model of
 * websocket-extensions: an Extension negotiates, a Session processes whole
 * messages for one connection.
 *
 *   client: createClientSession -> generateOffer -> (response) -> activate
 *   server: createServerSession(offers) -> generateResponse
 *   both:   processIncomingMessage / processOutgoingMessage, then close
 *
 * Processing may be synchronous (return the message) or asynchronous (return
 * a promise); the engine keeps message order either way. A failure is a
 * thrown or rejected error; its `closeCode` (if any) closes the connection,
 * otherwise 1011. Sessions claim RSV bits through their Extension; a frame
 * may carry an RSV bit only on the first frame of a data message, and only
 * when an active extension claims it.
 */

/**
 * Parameters of one offer or response, typed as websocket-extensions types
 * them (so its plugins, faye's permessage-deflate among them, work as they
 * are): `true` for a bare flag, a number for a value written as a plain
 * decimal number (`server_max_window_bits=10` gives 10), otherwise the
 * string. A parameter repeated within one offer arrives as an array of its
 * values, so the extension can decline that offer (RFC 7692 section 7.1).
 */
export type ExtensionParamValue = string | number | true;
export type ExtensionParams = Record<string, ExtensionParamValue | ExtensionParamValue[]>;

/** One entry of a `Sec-WebSocket-Extensions` header. */
export interface ExtensionOffer {
  name: string;
  params: ExtensionParams;
}

/** A whole message as extensions see it. */
export interface ExtensionMessage {
  /** 1 text, 2 binary. */
  opcode: 1 | 2;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  data: Uint8Array;
  /** Outgoing only: `false` asks compressing extensions to leave it alone. */
  compress?: boolean;
}

/** What the engine tells a session about the connection. */
export interface ExtensionContext {
  /** Largest message accepted, in bytes after every extension (`maxLength`). */
  maxLength: number;
}

export interface ExtensionSession {
  processIncomingMessage(message: ExtensionMessage): ExtensionMessage | PromiseLike<ExtensionMessage>;
  processOutgoingMessage(message: ExtensionMessage): ExtensionMessage | PromiseLike<ExtensionMessage>;
  /** Release resources (compressors); called once when the connection ends. */
  close?(): void;
}

export interface ClientSession extends ExtensionSession {
  /** Parameters to offer; several objects make several offers, best first. */
  generateOffer(): ExtensionParams | ExtensionParams[];
  /** The server's response parameters; false fails the connection. */
  activate(params: ExtensionParams): boolean;
}

export interface ServerSession extends ExtensionSession {
  /** Parameters to send back in the response. */
  generateResponse(): ExtensionParams;
}

export interface Extension {
  readonly name: string;
  readonly type: "permessage";
  readonly rsv1: boolean;
  readonly rsv2: boolean;
  readonly rsv3: boolean;
  createClientSession(context: ExtensionContext): ClientSession | null;
  /** All offers of this extension's name, in the client's order; null declines. */
  createServerSession(offers: ExtensionParams[], context: ExtensionContext): ServerSession | null;
}

/** A negotiated session with the extension that made it. */
export interface ActiveExtension {
  extension: Extension;
  session: ExtensionSession;
}
