import { defineConfig } from "vitest/config";
import { PACKAGING_TESTS } from "./vitest.config.ts";

/** `npm run test:pack`: the packaging tests only (see vitest.config.ts). */
export default defineConfig({
  test: {
    include: PACKAGING_TESTS,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
