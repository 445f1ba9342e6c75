/**
 * `audience validate [paths…]` (docs/design.md#commands): checks segment files without reading any data — YAML,
 * schema, ids, expressions and their types, references, cycles — and the config file when there is
 * one (its keys, orders_filter, RFM thresholds and map), and prints every problem.
 * Exit 1 when there is an error (or a warning, with --strict).
 */
import type { Command } from "commander";
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
import type { CliContext } from "../context.js";
import type { SetExitCode } from "./index.js";

/** What `validate` checks when no path is given. */
export const DEFAULT_SEGMENTS_PATH = "segments";

interface ValidateOptions {
  format: string;
  strict?: boolean;
  config?: string;
}

export function registerValidate(
  program: Command,
  context: CliContext,
  setExitCode: SetExitCode,
): void {
  program
    .command("validate")
    .description(
      "check segment files without data: YAML, schema, ids, expressions, types, references, cycles",
    )
    .argument(
      "[paths...]",
      `segment files, or folders of .yaml/.yml files (default: ${DEFAULT_SEGMENTS_PATH}/)`,
    )
    .option("--format <format>", `output: ${DIAGNOSTIC_FORMATS.join(", ")}`, "text")
    .option("--strict", "warnings fail too (exit 1)")
    .option("--config <file>", "configuration file (default: ./audience.yaml when present)")
    .action(async (paths: string[], options: ValidateOptions) => {
      const format = parseFormat(options.format);
      const strict = options.strict === true;
      const config = await loadConfigFile(options.config, context.cwd);
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
      setExitCode(failed ? 1 : 0);
    });
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
