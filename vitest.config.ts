import { defineConfig } from "vitest/config";

/**
 * The packaging tests (build, npm pack, deno publish --dry-run, the
 * built-package transcript) are slow and run apart: `npm run test:pack`
 * (vitest.pack.config.ts); `npm run test:all` runs both.
 */
export const PACKAGING_TESTS = [
  "test/node/pack.test.ts",
  "test/node/publish.test.ts",
  "test/browser/identical-transcript.test.ts",
];

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Runtime-specific suites run under their own runners.
    exclude: ["test/deno/**", "test/bun/**", "**/node_modules/**", ...PACKAGING_TESTS],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
