/**
 * One error class for everything the library refuses: the engine, the
 * handshakes, proxies and server-sent events. Each error carries a
 * stable `code` string (match on it, not on the message) and the close code
 * the connection ends with (RFC 6455 section 7.4.1), or 1006 where no close
 * frame can be sent (handshake failures, a transport that went away).
 */

/** Close codes (RFC 6455 section 7.4.1). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  NO_STATUS: 1005,
  ABNORMAL: 1006,
  INVALID_DATA: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
  TLS_HANDSHAKE: 1015,
} as const;

/** Every stable error code, with the close code it maps to. */
export const ErrorCodes = {
  WS_ERR_INVALID_OPCODE: 1002,
  WS_ERR_UNEXPECTED_RSV_1: 1002,
  WS_ERR_UNEXPECTED_RSV_2: 1002,
  WS_ERR_UNEXPECTED_RSV_3: 1002,
  WS_ERR_EXPECTED_FIN: 1002,
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: 1002,
  WS_ERR_INVALID_CONTINUATION_FRAME: 1002,
  WS_ERR_EXPECTED_CONTINUATION_FRAME: 1002,
  WS_ERR_EXPECTED_MASK: 1002,
  WS_ERR_UNEXPECTED_MASK: 1002,
  WS_ERR_INVALID_CLOSE_CODE: 1002,
  WS_ERR_INVALID_CLOSE_PAYLOAD: 1002,
  WS_ERR_DATA_AFTER_CLOSE: 1002,
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: 1009,
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_TOO_MANY_FRAGMENTS: 1008,
  /** More was sent than the peer reads: bufferedAmount passed the socket's backpressureLimit (docs/flow-control.md). */
  WS_ERR_BACKPRESSURE_LIMIT: 1008,
  WS_ERR_INVALID_UTF8: 1007,
  /** A hixie-75/76 connection was asked to send binary data: those drafts have none. */
  WS_ERR_LEGACY_BINARY: 1003,
  WS_ERR_INFLATE: 1007,
  WS_ERR_EXTENSION: 1011,
  WS_ERR_INTERNAL: 1011,
  WS_ERR_INVALID_STATE: 1011,
  WS_ERR_INVALID_ARGUMENT: 1011,
  WS_ERR_UNEXPECTED_EOF: 1006,
  /** The peer did not finish the closing handshake within closeTimeout ms: TCP was dropped. */
  WS_ERR_CLOSE_TIMEOUT: 1006,
  /** Heartbeat: nothing (no pong, no other frame) arrived within `timeout` ms of a ping. */
  WS_ERR_HEARTBEAT_TIMEOUT: 1006,
  /** Client: no complete handshake response (the proxy's CONNECT answer included) within handshakeTimeout ms. */
  WS_ERR_HANDSHAKE_TIMEOUT: 1006,
  WS_ERR_HANDSHAKE: 1006,
  WS_ERR_HTTP_PARSE: 1006,
  WS_ERR_HTTP_LIMIT: 1006,
  /** The HTTP proxy answered CONNECT with 407 (or 401): credentials missing or refused. */
  WS_ERR_PROXY_AUTH: 1006,
  /** The HTTP proxy answered CONNECT with another non-2xx status (403, 502 ...). */
  WS_ERR_PROXY_REFUSED: 1006,
  /** The HTTP proxy closed the connection before answering CONNECT. */
  WS_ERR_PROXY_CLOSED: 1006,
  /** The HTTP proxy's answer was malformed or over a limit, or bytes came through the tunnel before the client spoke. */
  WS_ERR_PROXY_RESPONSE: 1006,
  // Server-sent events: no close frame exists there, so 1006 by convention.
  /** An event larger than the parser's maxEventSize. */
  SSE_ERR_EVENT_TOO_LARGE: 1006,
  /** The event stream's response status was not 200. */
  SSE_ERR_STATUS: 1006,
  /** The event stream's response was not text/event-stream. */
  SSE_ERR_CONTENT_TYPE: 1006,
  /** The event stream's connection was lost or ended (the client reconnects). */
  SSE_ERR_CONNECTION: 1006,
} as const;

/** One of the stable error codes: a key of {@linkcode ErrorCodes}. */
export type ErrorCode = keyof typeof ErrorCodes;

/**
 * The one error class for what the library refuses (WHATWG's TypeError,
 * SyntaxError and DOMException aside): `code` says what went wrong,
 * `closeCode` how the connection ends. A WebSocket's `error` event carries one.
 */
export class WebSocketError extends Error {
  /** Stable identifier, e.g. `WS_ERR_INVALID_UTF8`. */
  readonly code: ErrorCode;
  /** The close code this failure ends the connection with. */
  readonly closeCode: number;

  /** An error with `code`; `closeCode` defaults to the code's entry in {@linkcode ErrorCodes}. */
  constructor(code: ErrorCode, message: string, closeCode: number = ErrorCodes[code]) {
    super(message);
    this.name = "WebSocketError";
    this.code = code;
    this.closeCode = closeCode;
  }
}
