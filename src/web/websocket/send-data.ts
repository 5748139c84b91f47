/**
 * What `send()` takes: WebIDL's `(BufferSource or Blob or USVString)`
 * (websockets standard, send() method) as the text or bytes to frame.
 */

/** Text as a string; an ArrayBuffer or a view as its bytes (no copy, the view's window only); a Blob as is. */
export function sendData(data: unknown): string | Uint8Array | Blob {
  if (typeof data === "string") return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && data instanceof SharedArrayBuffer)) return new Uint8Array(data);
  if (typeof Blob !== "undefined" && data instanceof Blob) return data;
  // Anything else is a USVString: converted with ToString (a Symbol throws a TypeError).
  return `${data as string}`;
}
