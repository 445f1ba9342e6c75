import { defineConfig } from "vitest/config";

/**
 * The engine differential suites: every fixture and hundreds of generated shops through DuckDB
 * and a throwaway PostgreSQL, compared with the memory engine. Long (about 10 minutes of test time
 * on 2 cores), so they have their own script, `npm run test:engines` (vitest.engines.config.ts),
 * which CI runs after `npm test`.
 */
export const ENGINE_SUITES = [
  "test/engine-differential.e2e.test.ts",
  "test/postgres-engine.e2e.test.ts",
  "test/normalise-differential.test.ts",
  "test/sql-profiles.test.ts",
  "test/sql-profiles-store.test.ts",
  "test/sql-run-database.test.ts",
  "test/sql-staging-orders.test.ts",
  "test/sql-staged-stats.test.ts",
  "test/sql-staging-people.test.ts",
  "test/staging-source.test.ts",
  "test/duckdb-cache.e2e.test.ts",
  "test/sql-script-database.test.ts",
];

export const SHARED = {
  // Builds dist/ when it is older than src/: the end-to-end tests run the built CLI.
  globalSetup: ["test/global-setup.ts"],
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", ...ENGINE_SUITES],
    ...SHARED,
  },
});
