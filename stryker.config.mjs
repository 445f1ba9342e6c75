// `npm run mutation`: Stryker's mutation testing of the core (docs/design.md#layers), run against
// the unit tests (vitest.mutation.config.ts). Not part of `npm test` or CI: it takes long. The
// incremental file keeps the results of mutants whose code and tests did not change, so a rerun
// only tests what changed. Narrow it with `npm run mutation -- --mutate "src/dsl/**/*.ts"`.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts", related: true },
  plugins: ["@stryker-mutator/vitest-runner"],
  mutate: [
    "src/dsl/**/*.ts",
    "src/model/**/*.ts",
    "src/segments/**/*.ts",
    "src/rfm/**/*.ts",
    "!src/**/*.test.ts",
  ],
  coverageAnalysis: "perTest",
  // Mutants in code that runs when a module loads (constant tables) would need the whole suite
  // each; they are reported as ignored rather than tested.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  reporters: ["clear-text", "progress", "html"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
