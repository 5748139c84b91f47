/**
 * Header fields as received: order kept, case-insensitive lookup.
 */

/**
 * Header fields in the order received, with case-insensitive lookup
 * (RFC 7230 section 3.2: field names are case-insensitive).
 */
export class HttpHeaders implements Iterable<readonly [string, string]> {
  /** `[name as sent, value]` pairs, in order. */
  readonly raw: ReadonlyArray<readonly [string, string]>;
  private readonly list: Array<readonly [string, string]> = [];
  private readonly index = new Map<string, string[]>();

  constructor(entries: Iterable<readonly [string, string]> = []) {
    this.raw = this.list;
    for (const [name, value] of entries) this.append(name, value);
  }

  /** Adds a field; used by the parser. Does not validate. */
  append(name: string, value: string): void {
    this.list.push([name, value]);
    const key = name.toLowerCase();
    const values = this.index.get(key);
    if (values) values.push(value);
    else this.index.set(key, [value]);
  }

  /**
   * The field's value; several lines of one name are joined with ", "
   * (RFC 7230 section 3.2.2). Undefined when absent.
   */
  get(name: string): string | undefined {
    const values = this.index.get(name.toLowerCase());
    if (values === undefined) return undefined;
    return values.length === 1 ? values[0] : values.join(", ");
  }

  /** Every value of the field, one per line received. */
  getAll(name: string): string[] {
    return (this.index.get(name.toLowerCase()) ?? []).slice();
  }

  has(name: string): boolean {
    return this.index.has(name.toLowerCase());
  }

  /** How many lines carried the field. */
  count(name: string): number {
    return this.index.get(name.toLowerCase())?.length ?? 0;
  }

  get size(): number {
    return this.list.length;
  }

  [Symbol.iterator](): Iterator<readonly [string, string]> {
    return this.list[Symbol.iterator]();
  }
}

/**
 * The first of `names` that appears on more than one line, or undefined.
 * Callers reject such a message when the field must be unique (e.g. Host,
 * RFC 7230 section 5.4; Sec-WebSocket-Key, RFC 6455 section 11.3.1).
 */
export function findDuplicateHeader(headers: HttpHeaders, names: readonly string[]): string | undefined {
  for (const name of names) if (headers.count(name) > 1) return name;
  return undefined;
}
