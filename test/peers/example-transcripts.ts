/** What examples/compression.ts's talk() logs against its createCompressingServer(). */
export const COMPRESSION_TRANSCRIPT: readonly string[] = [
  "extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits=12",
  "message: 12000 characters",
  "message: 4 characters",
  "close: 1000",
];
