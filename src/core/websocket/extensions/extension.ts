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
 * One parameter's value, typed as websocket-extensions types it (so its
 * plugins, faye's permessage-deflate among them, work as they are): `true`
 * for a bare flag, a number for a value written as a plain decimal number
 * (`server_max_window_bits=10` gives 10), otherwise the string.
 */
export type ExtensionParamValue = string | number | true;
/**
 * Parameters of one offer or response (RFC 6455 section 9.1), by name. A
 * parameter repeated within one offer arrives as an array of its values, so
 * the extension can decline that offer (RFC 7692 section 7.1).
 */
export type ExtensionParams = Record<string, ExtensionParamValue | ExtensionParamValue[]>;

/** One entry of a `Sec-WebSocket-Extensions` header. */
export interface ExtensionOffer {
  /** The extension token, e.g. `permessage-deflate`. */
  name: string;
  /** The parameters after the name, in the header's order; `{}` when none. */
  params: ExtensionParams;
}

/** A whole message as extensions see it. */
export interface ExtensionMessage {
  /** 1 text, 2 binary. */
  opcode: 1 | 2;
  /** RSV1 of the message's first frame (permessage-deflate: "compressed", RFC 7692 section 6). */
  rsv1: boolean;
  /** RSV2 of the message's first frame; set only by an extension that claims it. */
  rsv2: boolean;
  /** RSV3 of the message's first frame; set only by an extension that claims it. */
  rsv3: boolean;
  /** The payload: the whole message, all fragments joined. */
  data: Uint8Array;
  /** Outgoing only: `false` asks compressing extensions to leave it alone. */
  compress?: boolean;
}

/** What the engine tells a session about the connection. */
export interface ExtensionContext {
  /** Largest message accepted, in bytes after every extension (`maxLength`). */
  maxLength: number;
}

/**
 * A transformation whose output depends on the message alone (no state
 * carried from one message to the next), so one run serves every session
 * that hands out the same object: pub/sub compresses a publish once for
 * all such subscribers (core/pubsub).
 */
export interface SharedTransform {
  /** The RSV bits (RSV1 = 4, RSV2 = 2, RSV3 = 1) the transformed message carries. */
  readonly rsv: number;
  /** The message's payload as it goes on the wire (compressed, say), at once or later. */
  transform(data: Uint8Array): Uint8Array | PromiseLike<Uint8Array>;
}

/**
 * An extension at work on one connection: transforms whole messages in each
 * direction. Answer with the message or a promise of it; a throw or a
 * rejection fails the connection (the error's `closeCode`, else 1011).
 */
export interface ExtensionSession {
  /** A message as it came off the wire (last negotiated extension first); returns it as the next one should see it. */
  processIncomingMessage(message: ExtensionMessage): ExtensionMessage | PromiseLike<ExtensionMessage>;
  /** A message on its way out (first negotiated extension first); returns it as the next one (or the framer) should see it. */
  processOutgoingMessage(message: ExtensionMessage): ExtensionMessage | PromiseLike<ExtensionMessage>;
  /**
   * Optional, for pub/sub: how this session would send a message of
   * `length` bytes. "as-is": it would pass the message on unchanged (bytes
   * framed once without it fit); a SharedTransform: its output depends on
   * the message alone, and every session returning the same object makes
   * the same output; null or absent: the connection must process the
   * message itself.
   */
  sharedOutgoing?(length: number, compress: boolean | undefined): "as-is" | SharedTransform | null;
  /** Release resources (compressors); called once when the connection ends. */
  close?(): void;
}

/** A client's session: offers parameters, then accepts or refuses the server's response (RFC 6455 section 9.1). */
export interface ClientSession extends ExtensionSession {
  /** Parameters to offer; several objects make several offers, best first. */
  generateOffer(): ExtensionParams | ExtensionParams[];
  /** The server's response parameters; false fails the connection. */
  activate(params: ExtensionParams): boolean;
}

/** A server's session, made from the offers it accepted; answers with response parameters. */
export interface ServerSession extends ExtensionSession {
  /** Parameters to send back in the response. */
  generateResponse(): ExtensionParams;
}

/**
 * An extension users pass in `extensions: [...]` (a websocket-extensions
 * plugin fits as it is): its name, the RSV bits it claims, and a factory of
 * sessions for each side. Two extensions that claim the same RSV bit are
 * never active together.
 */
export interface Extension {
  /** The token in `Sec-WebSocket-Extensions`, e.g. `permessage-deflate`. */
  readonly name: string;
  /** Only per-message extensions are supported: they see whole messages, not frames. */
  readonly type: "permessage";
  /** Claims RSV1: its sessions may set it on a message's first frame. */
  readonly rsv1: boolean;
  /** Claims RSV2. */
  readonly rsv2: boolean;
  /** Claims RSV3. */
  readonly rsv3: boolean;
  /** A session for a new client connection; null leaves this extension out of the offer. */
  createClientSession(context: ExtensionContext): ClientSession | null;
  /** All offers of this extension's name, in the client's order; null declines. */
  createServerSession(offers: ExtensionParams[], context: ExtensionContext): ServerSession | null;
}

/** A negotiated session with the extension that made it. */
export interface ActiveExtension {
  /** The extension that was negotiated. */
  extension: Extension;
  /** Its session on this connection. */
  session: ExtensionSession;
}
