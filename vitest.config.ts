import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Runtime-specific suites run under their own runners.
    exclude: ["test/deno/**", "test/bun/**", "**/node_modules/**"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
