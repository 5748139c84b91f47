/**
 * undici's EventSource, the real one on every runtime. Bun answers the bare
 * specifier "undici" with a built-in stand-in whose EventSource does
 * nothing; the file path reaches the installed package.
 */
export { EventSource as UndiciEventSource } from "undici/index.js";
