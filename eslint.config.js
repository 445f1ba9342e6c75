import js from "@eslint/js";
import tseslint from "typescript-eslint";

/*
 * Layering (docs/design.md#layers). The core computes: it never imports the edge, which reads
 * files, parses the config, talks to the terminal and renders. `report` renders for the CLI and
 * never imports it; `config` and `io` never import the CLI either. Tests next to the core are not
 * the core: they may wire it to the edge (a model test reads a real CSV through io).
 */
const CORE = [
  "src/*.ts",
  "src/model/**",
  "src/dsl/**",
  "src/segments/**",
  "src/rfm/**",
  "src/predict/**",
  "src/demo/**",
  "src/yaml/**",
  "src/engine/**",
  "src/sql/**",
];
const EDGE_FOLDERS = ["config", "io", "cli", "report"];

/**
 * `no-restricted-imports` for the core: a relative import into an edge folder is an error, except
 * the edge modules named in `allowed` (paths inside src/, e.g. "config/presets.js").
 */
function coreImports(allowed = []) {
  const except = allowed.map((path) => `(?!${path.replaceAll(".", "\\.")}$)`).join("");
  return [
    "error",
    {
      patterns: [
        {
          regex: `^(\\.\\.?/)+${except}(${EDGE_FOLDERS.join("|")})/`,
          message:
            "The core (model, dsl, segments, rfm, predict, …) never imports config, io, cli or report: move what it needs down into the core.",
        },
      ],
    },
  ];
}

function noCliImports(message) {
  return ["error", { patterns: [{ regex: "^(\\.\\.?/)+cli/", message }] }];
}

/*
 * The one exception: an engine reads the input files itself (DuckDB's read_csv), with the memory
 * engine's reader and decoder deciding delimiter, encoding and line numbers, so that both engines
 * see the same rows. The DuckDB loader may import exactly those two io modules, nothing else from
 * the edge. Do not add entries for moves that have not happened: move the code down instead.
 */
export const LAYERING_EXCEPTIONS = [
  { files: ["src/engine/duckdb/read.ts"], allowed: ["io/parse-csv.js", "io/decode.js"] },
];

export default tseslint.config(
  {
    ignores: [
      "dist/",
      "node_modules/",
      "coverage/",
      "out/",
      "test/bench/.cache/",
      "reports/",
      ".stryker-tmp/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']",
          message: "Only src/cli/main.ts ends the process; throw a typed error instead.",
        },
      ],
    },
  },
  {
    files: ["src/cli/main.ts"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    files: CORE,
    ignores: ["**/*.test.ts"],
    rules: { "no-restricted-imports": coreImports() },
  },
  ...LAYERING_EXCEPTIONS.map(({ files, allowed }) => ({
    files,
    rules: { "no-restricted-imports": coreImports(allowed) },
  })),
  {
    files: ["src/report/**"],
    rules: {
      "no-restricted-imports": noCliImports(
        "report renders for the CLI and never imports it: take a Theme or a stream, not the CliContext.",
      ),
    },
  },
  {
    files: ["src/config/**", "src/io/**"],
    rules: {
      "no-restricted-imports": noCliImports(
        "config and io never import the CLI, which sits above them.",
      ),
    },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        performance: "readonly",
      },
    },
  },
);
