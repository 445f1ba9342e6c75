/**
 * The unit tests only, for `npm run mutation` (Stryker): they import the sources Stryker mutates,
 * whereas the end-to-end tests in test/ run the built CLI in dist/, which no mutant reaches.
 * No global setup: nothing to build.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
