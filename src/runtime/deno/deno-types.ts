/**
 * The few Deno APIs this shim uses, declared here so the shim does not
 * depend on Deno's full type library (and type-checks anywhere). Shapes
 * follow lib.deno.d.ts of Deno 2.
 */

export interface DenoNetAddr {
  transport: "tcp" | "udp";
  hostname: string;
  port: number;
}

export interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  readonly localAddr: DenoNetAddr;
  readonly remoteAddr: DenoNetAddr;
  setNoDelay?(noDelay?: boolean): void;
}

export interface DenoListener<C extends DenoConn = DenoConn> extends AsyncIterable<C> {
  accept(): Promise<C>;
  close(): void;
  readonly addr: DenoNetAddr;
}

export interface DenoConnectTlsOptions {
  hostname?: string;
  port: number;
  caCerts?: string[];
  alpnProtocols?: string[];
  unsafelyDisableHostnameVerification?: boolean;
  cert?: string;
  key?: string;
}

export interface DenoWebSocketUpgrade {
  response: Response;
  socket: WebSocket;
}

export interface DenoApi {
  connect(options: { hostname?: string; port: number; transport?: "tcp" }): Promise<DenoConn>;
  connectTls(options: DenoConnectTlsOptions): Promise<DenoConn>;
  startTls(conn: DenoConn, options?: Omit<DenoConnectTlsOptions, "port" | "cert" | "key">): Promise<DenoConn>;
  listen(options: { hostname?: string; port: number; transport?: "tcp" }): DenoListener;
  listenTls(options: { hostname?: string; port: number; cert: string; key: string; alpnProtocols?: string[] }): DenoListener;
  upgradeWebSocket(request: Request, options?: { protocol?: string; idleTimeout?: number }): DenoWebSocketUpgrade;
}

/** The `Deno` global, typed with what we use. */
export function deno(): DenoApi {
  const api = (globalThis as { Deno?: DenoApi }).Deno;
  if (!api) throw new Error("omnisocket: the Deno entry needs the Deno runtime");
  return api;
}
