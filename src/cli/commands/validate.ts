/**
 * `audience validate [paths…]` (docs/design.md#commands): checks segment files without reading any data — YAML,
 * schema, ids, expressions and their types, references, cycles — and the config file when there is
 * one (its keys, orders_filter, RFM thresholds and map), and prints every problem.
 * Exit 1 when there is an error (or a warning, with --strict).
 */
import { Option } from "commander";
import { UsageError, type Diagnostic } from "../../errors.js";
import { resolve } from "node:path";
import { loadConfigFile } from "../../io/read-config.js";
import { loadSegmentFiles } from "../../io/segment-files.js";
import { isTestFile } from "../../segments/parse-test-file.js";
import { runSegmentTests } from "../segment-tests.js";
import {
  DIAGNOSTIC_FORMATS,
  formatDiagnostics,
  type DiagnosticFormat,
} from "../../report/diagnostics.js";
import { colorEnabled, createTheme } from "../../report/theme.js";
import type { CommandSpec } from "../command-spec.js";

/** What `validate` checks when no path is given. */
export const DEFAULT_SEGMENTS_PATH = "segments";

export interface ValidateOptions {
  /** The paths given (none: the config's segments, else segments/). */
  paths: string[];
  format: DiagnosticFormat;
  /** `--strict`: warnings fail too. */
  strict: boolean;
  config?: string;
}

export const validateCommand: CommandSpec<ValidateOptions> = {
  name: "validate",
  description:
    "check segment files without data: YAML, schema, ids, expressions, types, references, cycles",
  arguments: [
    {
      syntax: "[paths...]",
      description: `segment files, or folders of .yaml/.yml files (default: ${DEFAULT_SEGMENTS_PATH}/)`,
    },
  ],
  options: () => [
    new Option("--format <format>", `output: ${DIAGNOSTIC_FORMATS.join(", ")}`).default("text"),
    new Option("--strict", "warnings fail too (exit 1)"),
    new Option("--config <file>", "configuration file (default: ./audience.yaml when present)"),
  ],
  parse: (values, args) => ({
    paths: pathsOf(args[0]),
    format: parseFormat(String(values.format)),
    strict: values.strict === true,
    ...(values.config === undefined ? {} : { config: String(values.config) }),
  }),
  async run({ paths, format, strict, config: configFile }, context) {
    const config = await loadConfigFile(configFile, context.cwd);
    // Without paths: the config's `segments:` (relative to the config file), else segments/.
    const configured = config.source?.values.segments?.map((p) =>
      resolve(config.source?.dir ?? context.cwd, p),
    );
    const given = paths.length > 0 ? paths : (configured ?? [DEFAULT_SEGMENTS_PATH]);
    // Segment tests (`*.test.yaml`) given or found in the folders are checked without data.
    const loaded = await loadSegmentFiles(
      given.filter((p) => !isTestFile(p)),
      context.cwd,
    );
    const tests = await runSegmentTests(given, context.cwd, {
      evaluate: false,
      ignoreOtherFiles: true,
    });
    // A missing folder is reported once, by the segment loader.
    const key = ({ location, code }: Diagnostic) =>
      `${location.file}:${location.line}:${location.column}:${code}`;
    const seen = new Set(loaded.diagnostics.map(key));
    const diagnostics = [
      ...config.diagnostics,
      ...loaded.diagnostics,
      ...tests.diagnostics.filter((d) => !seen.has(key(d))),
    ];
    const theme = createTheme(colorEnabled(context.stdoutIsTTY, context.env));
    context.stdout.write(
      formatDiagnostics(diagnostics, format, theme, {
        segments: loaded.definitions.length,
        files: loaded.files.length + (config.source === undefined ? 0 : 1),
        strict,
      }),
    );
    const failed = diagnostics.some((d) => d.severity === "error" || strict);
    return failed ? 1 : 0;
  },
};

/** A variadic argument's value: the paths given, none when absent. */
export function pathsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

export function parseFormat(value: string): DiagnosticFormat {
  const format = DIAGNOSTIC_FORMATS.find((f) => f === value);
  if (format === undefined) {
    throw new UsageError(
      "BAD_OPTION",
      `--format must be text, json or github; found "${value.slice(0, 40)}"`,
    );
  }
  return format;
}
