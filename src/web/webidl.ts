/**
 * Makes a class look the way WebIDL's ECMAScript binding lays out an
 * interface (WebIDL section 3.7 "Interfaces"):
 *
 *   Interface.prototype   own attributes and operations, enumerable (3.7.6, 3.7.7)
 *                         constants: { writable: false, enumerable: true, configurable: false } (3.7.5)
 *                         @@toStringTag = the interface name (3.7.3)
 *   Interface             the same constants
 *
 * Class syntax gives non-enumerable members and writable static fields;
 * this fixes both once, at module load.
 */

// deno-lint-ignore no-explicit-any
type AnyClass = abstract new (...args: any[]) => unknown;

export function exposeInterface(cls: AnyClass, name: string, constants: Readonly<Record<string, number>> = {}): void {
  const proto = cls.prototype as object;
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key === "constructor") continue;
    const desc = Object.getOwnPropertyDescriptor(proto, key)!;
    if (!desc.enumerable) Object.defineProperty(proto, key, { enumerable: true });
  }
  for (const [constant, value] of Object.entries(constants)) {
    const desc = { value, writable: false, enumerable: true, configurable: false };
    Object.defineProperty(cls, constant, desc);
    Object.defineProperty(proto, constant, desc);
  }
  Object.defineProperty(proto, Symbol.toStringTag, { value: name, writable: false, enumerable: false, configurable: true });
}

/** WebIDL `[Clamp] unsigned short` (WebIDL section 3.2.4): clamp to 0..65535, round half to even; NaN is 0. */
export function clampUint16(value: unknown): number {
  const x = Number(value);
  if (Number.isNaN(x)) return 0;
  const clamped = Math.min(Math.max(x, 0), 65535);
  const floor = Math.floor(clamped);
  const diff = clamped - floor;
  if (diff > 0.5 || (diff === 0.5 && floor % 2 === 1)) return floor + 1;
  return floor;
}

/** WebIDL `unsigned short` (WebIDL section 3.2.4, ConvertToInt, 16 bits, no clamp): modulo 2^16. */
export function toUint16(value: unknown): number {
  const n = Number(value);
  if (!Number.isFinite(n)) return 0;
  const int = Math.trunc(n) % 65536;
  return int < 0 ? int + 65536 : int;
}
