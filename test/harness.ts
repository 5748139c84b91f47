/**
 * One test vocabulary for three runners.
 *
 *   test file --describe/it/expect--> harness --> vitest   (Node)
 *                                            \--> bun:test (Bun)
 *                                             \-> Deno.test (Deno)
 *
 * Suites are written once against this module and run unchanged under
 * `vitest`, `bun test` and `deno test`. Assertions are our own (on top of
 * node:assert, which all three runtimes ship), so a matcher behaves the same
 * everywhere.
 */
import assert from "node:assert/strict";
import { runningTest } from "./native-usage.ts";

type TestFn = () => void | Promise<void>;
type Hook = TestFn;

interface Runner {
  describe(name: string, body: () => void): void;
  it(name: string, fn: TestFn, timeout?: number): void;
  beforeAll(fn: Hook, timeout?: number): void;
  afterAll(fn: Hook, timeout?: number): void;
}

const g = globalThis as unknown as {
  Deno?: {
    test(def: {
      name: string;
      fn: () => Promise<void>;
      sanitizeOps: boolean;
      sanitizeResources: boolean;
    }): void;
  };
  Bun?: unknown;
};

/** The runtime this suite runs on: "node", "deno" or "bun". */
export const runtime: "node" | "deno" | "bun" = g.Deno ? "deno" : g.Bun ? "bun" : "node";

/** Default per-test and per-hook timeouts, the same on every runner. */
const TEST_TIMEOUT = 20_000;
const HOOK_TIMEOUT = 60_000;

/**
 * Runs `fn` and fails once `ms` pass first: Deno.test has no timeout of its
 * own, so a hang must become a failure here rather than stall the run.
 */
async function withTimeout(fn: TestFn, ms: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    await Promise.race([Promise.resolve().then(fn), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function denoRunner(): Runner {
  const deno = g.Deno!;
  // Deno.test has no suites: names carry the path, and hooks become
  // registered steps placed where they must run (tests run in order).
  const stack: { name: string; after: { fn: Hook; timeout: number }[] }[] = [];
  const prefix = () => stack.map((s) => s.name).join(" > ");
  const register = (name: string, fn: TestFn, timeout: number) => {
    const full = stack.length ? `${prefix()} > ${name}` : name;
    deno.test({
      name: full,
      // Hooks are steps of their own here; they name no test (native-usage.ts).
      fn: () => withTimeout(() => (runningTest(name.startsWith("(") ? "" : full), fn()), timeout, full),
      sanitizeOps: false,
      sanitizeResources: false,
    });
  };
  return {
    describe(name, body) {
      stack.push({ name, after: [] });
      body();
      const frame = stack[stack.length - 1]!;
      for (const hook of frame.after) register("(afterAll)", hook.fn, hook.timeout);
      stack.pop();
    },
    it: (name, fn, timeout) => register(name, fn, timeout ?? TEST_TIMEOUT),
    beforeAll: (fn, timeout) => register("(beforeAll)", fn, timeout ?? HOOK_TIMEOUT),
    afterAll(fn, timeout) {
      const frame = stack[stack.length - 1];
      if (frame) frame.after.push({ fn, timeout: timeout ?? HOOK_TIMEOUT });
      else register("(afterAll)", fn, timeout ?? HOOK_TIMEOUT);
    },
  };
}

async function loadRunner(): Promise<Runner> {
  if (runtime === "deno") return denoRunner();
  // A computed specifier keeps other runtimes' loaders from resolving it.
  const spec = runtime === "bun" ? "bun:test" : "vitest";
  const m = (await import(spec)) as Runner;
  // Suite names around the test being registered (bun:test runs describe bodies later, vitest at once).
  const path: string[] = [];
  return {
    describe: (name, body) => {
      const parent = path.slice();
      m.describe(name, () => {
        const saved = path.splice(0, path.length, ...parent, name);
        try {
          body();
        } finally {
          path.splice(0, path.length, ...saved);
        }
      });
    },
    it: (name, fn, timeout) => {
      const full = [...path, name].join(" > ");
      m.it(name, () => (runningTest(full), fn()), timeout ?? TEST_TIMEOUT);
    },
    beforeAll: (fn, timeout) => m.beforeAll(() => (runningTest(""), fn()), timeout ?? HOOK_TIMEOUT),
    afterAll: (fn, timeout) => m.afterAll(() => (runningTest(""), fn()), timeout ?? HOOK_TIMEOUT),
  };
}

const runner = await loadRunner();

export const describe = runner.describe;
/** `it(name, fn, timeoutMs?)`: timeout defaults to 20 s, on every runner (Deno: raced in withTimeout). */
export const it = runner.it;
export const beforeAll = runner.beforeAll;
export const afterAll = runner.afterAll;

/** True when tests must fail instead of skip because a peer is missing. */
export const isCI = (() => {
  try {
    const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
    return !!env?.CI && env.CI !== "false" && env.CI !== "0";
  } catch {
    return false;
  }
})();

/**
 * `itWithPeer(name, available, installHint, fn)`: a test that needs a program
 * nobody here wrote. Under CI it fails when the peer is missing; elsewhere it
 * passes after printing how to install it.
 */
export function itWithPeer(
  name: string,
  available: () => boolean | Promise<boolean>,
  installHint: string,
  fn: TestFn,
  timeout?: number,
): void {
  runner.it(name, async () => {
    if (!(await available())) {
      if (isCI) throw new Error(`peer missing for "${name}": ${installHint}`);
      console.warn(`SKIPPED (peer missing) ${name}: ${installHint}`);
      return;
    }
    await fn();
  }, timeout);
}

// ---------------------------------------------------------------- expect --

type Ctor = abstract new (...args: never[]) => unknown;

function toPlain(v: unknown): unknown {
  // Compare typed arrays by content and kind, not by buffer identity.
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    return { kind: v.constructor.name, bytes: Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  }
  if (v instanceof ArrayBuffer) return { kind: "ArrayBuffer", bytes: Array.from(new Uint8Array(v)) };
  if (Array.isArray(v)) return v.map(toPlain);
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toPlain(x);
    return out;
  }
  return v;
}

function matchError(err: unknown, expected?: string | RegExp | Ctor | Record<string, unknown>): void {
  if (expected === undefined) return;
  if (typeof expected === "string") {
    assert.ok(String((err as Error)?.message ?? err).includes(expected), `error "${(err as Error)?.message}" should include "${expected}"`);
  } else if (expected instanceof RegExp) {
    assert.match(String((err as Error)?.message ?? err), expected);
  } else if (typeof expected === "function") {
    assert.ok(err instanceof expected, `expected ${expected.name}, got ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
  } else {
    for (const [k, v] of Object.entries(expected)) {
      assert.deepStrictEqual((err as Record<string, unknown>)[k], v, `error.${k}`);
    }
  }
}

class Expectation<T> {
  constructor(private readonly actual: T, private readonly negate = false) {}

  get not(): Expectation<T> {
    return new Expectation(this.actual, !this.negate);
  }

  private check(pass: boolean, message: string): void {
    if (pass === this.negate) throw new assert.AssertionError({ message: (this.negate ? "not: " : "") + message });
  }

  toBe(expected: unknown): void {
    this.check(Object.is(this.actual, expected), `expected ${fmt(this.actual)} to be ${fmt(expected)}`);
  }
  toEqual(expected: unknown): void {
    if (this.negate) {
      assert.notDeepStrictEqual(toPlain(this.actual), toPlain(expected));
    } else {
      assert.deepStrictEqual(toPlain(this.actual), toPlain(expected));
    }
  }
  toBeTruthy(): void { this.check(!!this.actual, `expected ${fmt(this.actual)} to be truthy`); }
  toBeFalsy(): void { this.check(!this.actual, `expected ${fmt(this.actual)} to be falsy`); }
  toBeUndefined(): void { this.check(this.actual === undefined, `expected ${fmt(this.actual)} to be undefined`); }
  toBeDefined(): void { this.check(this.actual !== undefined, `expected value to be defined`); }
  toBeNull(): void { this.check(this.actual === null, `expected ${fmt(this.actual)} to be null`); }
  toBeInstanceOf(ctor: Ctor): void {
    this.check(this.actual instanceof ctor, `expected instance of ${ctor.name}, got ${fmt(this.actual)}`);
  }
  toBeGreaterThan(n: number): void { this.check((this.actual as number) > n, `expected ${fmt(this.actual)} > ${n}`); }
  toBeGreaterThanOrEqual(n: number): void { this.check((this.actual as number) >= n, `expected ${fmt(this.actual)} >= ${n}`); }
  toBeLessThan(n: number): void { this.check((this.actual as number) < n, `expected ${fmt(this.actual)} < ${n}`); }
  toBeLessThanOrEqual(n: number): void { this.check((this.actual as number) <= n, `expected ${fmt(this.actual)} <= ${n}`); }
  toContain(item: unknown): void {
    const a = this.actual as unknown as { includes(x: unknown): boolean };
    this.check(a.includes(item), `expected ${fmt(this.actual)} to contain ${fmt(item)}`);
  }
  toMatch(re: RegExp | string): void {
    const s = String(this.actual);
    this.check(typeof re === "string" ? s.includes(re) : re.test(s), `expected ${fmt(s)} to match ${String(re)}`);
  }
  toHaveLength(n: number): void {
    const len = (this.actual as { length: number }).length;
    this.check(len === n, `expected length ${n}, got ${len}`);
  }
  toThrow(expected?: string | RegExp | Ctor | Record<string, unknown>): void {
    let threw = false;
    let err: unknown;
    try { (this.actual as () => unknown)(); } catch (e) { threw = true; err = e; }
    this.check(threw, `expected function to throw`);
    if (threw && !this.negate) matchError(err, expected);
  }
  get rejects(): { toThrow(expected?: string | RegExp | Ctor | Record<string, unknown>): Promise<void> } {
    return {
      toThrow: async (expected) => {
        let threw = false;
        let err: unknown;
        try { await (this.actual as Promise<unknown>); } catch (e) { threw = true; err = e; }
        assert.ok(threw, "expected promise to reject");
        matchError(err, expected);
      },
    };
  }
}

function fmt(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 200 ? v.slice(0, 200) + "…" : v);
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  try { return String(v); } catch { return typeof v; }
}

export function expect<T>(actual: T): Expectation<T> {
  return new Expectation(actual);
}

/** Resolve when `predicate` holds, polling the event loop; rejects after `ms`. */
export async function until(predicate: () => boolean, ms = 10_000, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
