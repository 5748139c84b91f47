/**
 * Where the runtimes truly differ, one named flag each, in this one place
 * (crossws's test style). A shared test reads a flag and asserts the
 * behaviour that runtime has; it never skips silently.
 */
import { runtime } from "./harness.ts";

export const flags = {
  /**
   * The server a shared test starts (test/peers/our-server.ts): node:http's
   * upgrade event with our faye-style hook on Node, our engine on the
   * runtime's own listener (listen(): Deno.listen, Bun.listen) elsewhere.
   */
  server: runtime === "node" ? "node:http hook" : "listen()",
  /**
   * The faye-style hook builds a WebSocket even for a refused handshake
   * (faye's constructor always returns a socket): the application sees
   * error, then close 1006. listen() answers the refusal itself and hands
   * no socket to the application.
   */
  refusedHandshakeReachesApp: runtime === "node",
  /** The example file of docs/runtimes.md written for this runtime's own servers (Node's are the README's: test/node). */
  runtimeExample: runtime === "deno" ? "examples/deno.ts" : runtime === "bun" ? "examples/bun.ts" : null,
  /** binaryType "nodebuffer" (a Buffer view): Node and Bun have Buffer built in, Deno's entry does not register it. */
  nodeBuffer: runtime !== "deno",
  /**
   * faye validates text with one regular expression over the whole message;
   * on Bun (JavaScriptCore) that takes minutes for 16 MiB (0.3 s for 1 MiB,
   * against 11 ms on V8): text to or from faye is capped at 1 MiB there.
   */
  fayeTextLimit: runtime === "bun" ? 1024 * 1024 : Infinity,
  /** The runtime's own WebSocket client: undici's on Node 20 (what Node 22 ships as its global), the global elsewhere. */
  nativeClient: runtime === "node" ? "undici" : "global",
  /**
   * tls.rejectUnauthorized: false on our client: Deno.connectTls has no
   * such switch (refused with a TypeError); node:tls and Bun honour it.
   */
  tlsRejectUnauthorized: runtime !== "deno",
  /**
   * Connect options go to node:net / node:tls as given on Node; Deno and
   * Bun take only those they have an equivalent for and refuse the rest
   * (tls.ciphers, net.localAddress ...) with a TypeError.
   */
  passesConnectOptions: runtime === "node",
} as const;
