/**
 * Masking keys for client frames (RFC 6455 section 5.3).
 */
import { defaultRandom, type RandomSource } from "../../shared/platform.ts";

/**
 * Hands out 4-byte masking keys from a pooled block of random bytes, so that
 * each frame does not call into the random source.
 */
export class MaskSource {
  private pool: Uint8Array = new Uint8Array(0);
  private offset = 0;
  constructor(private readonly random: RandomSource = defaultRandom) {}

  next(): Uint8Array {
    if (this.offset + 4 > this.pool.length) {
      this.pool = this.random(new Uint8Array(1024));
      this.offset = 0;
    }
    const key = this.pool.subarray(this.offset, this.offset + 4);
    this.offset += 4;
    return key;
  }
}
