/**
 * Streaming UTF-8 validation (RFC 3629 section 4, as RFC 6455 section 8.1
 * requires for text messages and close reasons). State is carried across
 * calls, so a message can be checked fragment by fragment and fail at the
 * first fragment that holds a bad byte, before the rest arrives.
 */

export class Utf8Validator {
  /** Continuation bytes still expected for the current sequence. */
  private need = 0;
  /** Bounds for the next continuation byte (narrowed after E0, ED, F0, F4). */
  private lower = 0x80;
  private upper = 0xbf;

  /** Feeds bytes; false once the input can no longer be valid UTF-8. */
  write(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
    let need = this.need;
    let lower = this.lower;
    let upper = this.upper;
    let i = start;
    while (i < end) {
      if (need === 0) {
        // ASCII fast path: skip runs of bytes below 0x80.
        while (i < end && bytes[i]! < 0x80) i++;
        if (i === end) break;
        const b = bytes[i++]!;
        if (b >= 0xc2 && b <= 0xdf) need = 1;
        else if (b >= 0xe0 && b <= 0xef) {
          need = 2;
          if (b === 0xe0) lower = 0xa0; // no overlong 3-byte forms
          else if (b === 0xed) upper = 0x9f; // no UTF-16 surrogates
        } else if (b >= 0xf0 && b <= 0xf4) {
          need = 3;
          if (b === 0xf0) lower = 0x90; // no overlong 4-byte forms
          else if (b === 0xf4) upper = 0x8f; // nothing above U+10FFFF
        } else {
          return this.invalid(); // 0x80-0xC1 and 0xF5-0xFF never start a sequence
        }
      } else {
        const b = bytes[i++]!;
        if (b < lower || b > upper) return this.invalid();
        lower = 0x80;
        upper = 0xbf;
        need--;
      }
    }
    this.need = need;
    this.lower = lower;
    this.upper = upper;
    return true;
  }

  /** True when no sequence is left unfinished; resets for the next message. */
  end(): boolean {
    const complete = this.need === 0;
    this.reset();
    return complete;
  }

  reset(): void {
    this.need = 0;
    this.lower = 0x80;
    this.upper = 0xbf;
  }

  private invalid(): false {
    this.reset();
    return false;
  }
}

const shared = new Utf8Validator();

/** Whole-buffer check. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return shared.write(bytes) && shared.end();
}
