/**
 * The browser entry (package.json's "browser" condition, JSR's "./browser").
 *
 *   import { WebSocket } from "omnisocket"
 *        |
 *        +-- Node / Deno / Bun --> our WebSocket over the runtime's sockets
 *        +-- browser ----------> this file: the browser's own classes
 *
 * Browsers already ship WebSocket, EventSource and their events, and a page
 * cannot open raw TCP sockets, so the package hands back the native classes:
 * code written against omnisocket runs in a page unchanged, at no cost in
 * bundle size. The error vocabulary (runtime-free) comes along so `code`
 * checks written for the server side still compile.
 */
export { WebSocketError, ErrorCodes, CloseCode } from "../core/shared/errors.ts";

/** The browser's WebSocket (WHATWG websockets standard). */
export const WebSocket: typeof globalThis.WebSocket = globalThis.WebSocket;
/** The browser's WebSocket instance type. */
export type WebSocket = globalThis.WebSocket;

/** The browser's EventSource (WHATWG html, server-sent events). */
export const EventSource: typeof globalThis.EventSource = globalThis.EventSource;
/** The browser's EventSource instance type. */
export type EventSource = globalThis.EventSource;

/** The browser's CloseEvent (`code`, `reason`, `wasClean`). */
export const CloseEvent: typeof globalThis.CloseEvent = globalThis.CloseEvent;
/** The browser's CloseEvent instance type. */
export type CloseEvent = globalThis.CloseEvent;

/** The browser's ErrorEvent. */
export const ErrorEvent: typeof globalThis.ErrorEvent = globalThis.ErrorEvent;
/** The browser's ErrorEvent instance type. */
export type ErrorEvent = globalThis.ErrorEvent;

/** The browser's MessageEvent (`data`, `origin`). */
export const MessageEvent: typeof globalThis.MessageEvent = globalThis.MessageEvent;
/** The browser's MessageEvent instance type. */
export type MessageEvent<T = unknown> = globalThis.MessageEvent<T>;
