/** A decompression bomb for permessage-deflate limit tests. */
import zlib from "node:zlib";
import { concatBytes } from "../../src/core/shared/bytes.ts";

const MiB = 1024 * 1024;

/** Raw DEFLATE of `size` zero bytes, sync-flushed, without the 00 00 ff ff tail (RFC 7692 section 7.2.1). */
export async function zeroBomb(size: number): Promise<Uint8Array> {
  // Once the window is all zeros, every further 4 MiB of zeros compresses to
  // the same bytes: compress two pieces, then repeat the second. No 1 GiB buffer.
  const piece = 4 * MiB;
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const zeros = new Uint8Array(piece);
  const flushPiece = () => new Promise<Uint8Array>((resolve) => {
    const out: Uint8Array[] = [];
    const onData = (chunk: Uint8Array) => out.push(chunk);
    deflate.on("data", onData);
    deflate.write(zeros);
    deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      deflate.off("data", onData);
      resolve(concatBytes(out));
    });
  });
  const first = await flushPiece();
  const next = await flushPiece();
  deflate.close();
  const parts = [first];
  for (let done = 2 * piece; done <= size; done += piece) parts.push(next);
  const all = concatBytes(parts);
  return all.subarray(0, all.length - 4);
}
