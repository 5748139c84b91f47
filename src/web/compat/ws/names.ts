/**
 * ws's names for what the engine reports, runtime-free: the `extensions`
 * property, and the error codes where ws's receiver names a failure
 * differently from the engine.
 */
import type { WebSocketError } from "../../../core/shared/errors.ts";

/** ws's `extensions` property: the negotiated extension names, comma separated. */
export function extensionNames(header: string): string {
  if (!header) return "";
  const names: string[] = [];
  for (const part of header.split(",")) {
    const name = part.split(";")[0]!.trim();
    if (name && !names.includes(name)) names.push(name);
  }
  return names.join();
}

/** Where ws names a failure differently from the engine, ws's name (its receiver's codes). */
const WS_CODES: Record<string, string> = {
  WS_ERR_UNEXPECTED_RSV_2: "WS_ERR_UNEXPECTED_RSV_2_3",
  WS_ERR_UNEXPECTED_RSV_3: "WS_ERR_UNEXPECTED_RSV_2_3",
  WS_ERR_INVALID_CONTINUATION_FRAME: "WS_ERR_INVALID_OPCODE",
  WS_ERR_EXPECTED_CONTINUATION_FRAME: "WS_ERR_INVALID_OPCODE",
  WS_ERR_INVALID_CLOSE_PAYLOAD: "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH",
  WS_ERR_TOO_MANY_FRAGMENTS: "WS_ERR_TOO_MANY_BUFFERED_PARTS",
};

/**
 * The engine's error as ws reports it: the same WS_ERR_* code (ws's name
 * where it has another), the close code, and the engine's error as `cause`.
 */
export function wsError(error: WebSocketError): Error {
  const code = WS_CODES[error.code];
  if (code === undefined) return error;
  return Object.assign(new RangeError(error.message, { cause: error }), { code, closeCode: error.closeCode });
}
