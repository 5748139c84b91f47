/** True for a promise or any object with a `then` method (Promises/A+ section 1.2, "thenable"). */
export function isThenable<T = unknown>(value: unknown): value is PromiseLike<T> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}
