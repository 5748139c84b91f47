/**
 * node:net's `family` option (4 or 6) for connectors whose own connect call
 * has none (Deno.connect, Bun.connect): the host is resolved to an address of
 * that family with node:dns, which all three runtimes ship, and that address
 * is dialled. TLS keeps checking and sending SNI for the host name.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/** The address to dial for `host` when `family` is asked for; `host` itself when it is not. */
export async function addressForFamily(host: string, family: unknown): Promise<string> {
  if (family === undefined || family === 0) return host;
  if (family !== 4 && family !== 6) throw new TypeError(`The net option "family" must be 4 or 6; got ${String(family)}.`);
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  // As in node:net, the family only steers the name lookup: an IP literal is dialled as it is.
  if (isIP(bare) !== 0) return bare;
  return (await lookup(bare, { family })).address;
}
