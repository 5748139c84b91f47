/**
 * The running runtime's own entry, for the shared suite: one import that
 * is src/runtime/node/index.ts under vitest, src/runtime/deno/index.ts
 * under `deno test` and src/runtime/bun/index.ts under `bun test`, as
 * package.json's export conditions pick it for users.
 *
 *   test file --import--> test/entry.ts --await import--> src/runtime/<runtime>/index.ts
 *
 * So `new WebSocket(url)` in a shared test dials with node:net on Node,
 * Deno.connect on Deno and Bun.connect on Bun, and `startOurServer`
 * (test/peers/our-server.ts) listens with the runtime's own server.
 *
 * The exports every entry shares are typed once (src/runtime/shared.ts);
 * what only one runtime has is on `node`, `deno` or `bun`, which is null
 * elsewhere.
 */
import { runtime } from "./harness.ts";
import type * as NodeEntry from "../src/runtime/node/index.ts";
import type * as DenoEntry from "../src/runtime/deno/index.ts";
import type * as BunEntry from "../src/runtime/bun/index.ts";
import type * as SharedEntry from "../src/runtime/shared.ts";

const ENTRIES = {
  node: "../src/runtime/node/index.ts",
  deno: "../src/runtime/deno/index.ts",
  bun: "../src/runtime/bun/index.ts",
} as const;

/** The path of the running runtime's entry, relative to this file. */
export const ENTRY_PATH: string = ENTRIES[runtime];

type Shared = typeof SharedEntry;

const loaded = (await import(ENTRY_PATH)) as Record<string, unknown>;

/** The running runtime's entry, as every entry has it. */
export const entry = loaded as unknown as Shared;
/** The Node entry when running on Node, else null. */
export const node = runtime === "node" ? (loaded as unknown as typeof NodeEntry) : null;
/** The Deno entry when running on Deno, else null. */
export const deno = runtime === "deno" ? (loaded as unknown as typeof DenoEntry) : null;
/** The Bun entry when running on Bun, else null. */
export const bun = runtime === "bun" ? (loaded as unknown as typeof BunEntry) : null;

export const {
  WebSocket,
  CloseEvent,
  ErrorEvent,
  MessageEvent,
  WebSocketError,
  ErrorCodes,
  CloseCode,
  permessageDeflate,
  EventSource,
  EventSourceStream,
  EventSourceServer,
  WebSocketStream,
} = entry;
export type WebSocket = InstanceType<Shared["WebSocket"]>;
export type CloseEvent = InstanceType<Shared["CloseEvent"]>;
export type WebSocketStream = InstanceType<Shared["WebSocketStream"]>;
export type ErrorEvent = InstanceType<Shared["ErrorEvent"]>;
export type MessageEvent = InstanceType<Shared["MessageEvent"]>;
export type WebSocketError = InstanceType<Shared["WebSocketError"]>;
export type { WebSocketOptions, ServerWebSocketOptions, BinaryType } from "../src/web/websocket/websocket.ts";
