/**
 * Frame layout (RFC 6455 section 5.2): opcodes, RSV bits and the parsed frame.
 *
 *    0                   1                   2                   3
 *   +-+-+-+-+-------+-+-------------+-------------------------------+
 *   |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *   |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *   |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *   | |1|2|3|       |K|             |                               |
 *   +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 *   |     Extended payload length continued, if payload len == 127  |
 *   + - - - - - - - - - - - - - - - +-------------------------------+
 *   |                               |Masking-key, if MASK set to 1  |
 *   +-------------------------------+-------------------------------+
 *   | Masking-key (continued)       |          Payload Data         |
 *   +-------------------------------- - - - - - - - - - - - - - - - +
 */
export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

/** RSV bits as a 3-bit field: rsv1 = 4, rsv2 = 2, rsv3 = 1. */
export const RSV1 = 4;
export const RSV2 = 2;
export const RSV3 = 1;

export interface Frame {
  fin: boolean;
  /** RSV1..RSV3 packed as bits 2..0. */
  rsv: number;
  opcode: number;
  payload: Uint8Array;
  /**
   * The parser already checked this text payload as UTF-8 (section 8.1), as
   * part of its message. False for binary and control frames, for text the
   * parser leaves to an extension (RSV set), and for a whole unfragmented
   * text message that arrived at once: the engine's one strict decode
   * validates that faster.
   */
  checked?: boolean;
}
