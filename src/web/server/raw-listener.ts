/**
 * A runtime's own TCP listener as a port: each accepted connection comes as
 * a ByteSocket with its peer's address. Deno (Deno.listen) and Bun
 * (Bun.listen) register one; omnisocket/ws's `port` mode listens with it
 * there (node:http elsewhere).
 *
 *   runtime listener --accept--> { socket: ByteSocket, remote address } --> onConnection
 */
import type { ByteSocket } from "../transport/byte-socket.ts";

export interface RawConnection {
  socket: ByteSocket;
  remoteAddress: string;
  remotePort: number;
  remoteFamily: "IPv4" | "IPv6";
}

export interface RawServer {
  /** Where it listens, in node:net's `address()` shape. */
  readonly address: { address: string; family: string; port: number };
  /** Stops accepting; open connections stay. */
  close(): Promise<void>;
}

export type RawListen = (options: { host?: string; port: number }, onConnection: (connection: RawConnection) => void) => RawServer;

let registered: RawListen | null = null;

export function setRawListener(listen: RawListen): void {
  registered = listen;
}

/** The running runtime's listener, or null where none is registered (Node: node:http is used). */
export function getRawListener(): RawListen | null {
  return registered;
}

/** node:net's family name for an address. */
export function familyOf(address: string): "IPv4" | "IPv6" {
  return address.includes(":") ? "IPv6" : "IPv4";
}
