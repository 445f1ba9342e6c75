/**
 * `audience test [paths…]` (docs/design.md#explain-and-tests): runs the segment tests (`*.test.yaml`, folders searched)
 * and reports each failed expectation at its line, with the explanation of every customer that
 * differs. Exit 1 when a test fails or a test file is invalid.
 */
import type { Command } from "commander";
import { formatDiagnostics } from "../../report/diagnostics.js";
import { colorEnabled, createTheme } from "../../report/theme.js";
import type { CliContext } from "../context.js";
import { runSegmentTests, type TestFileResult } from "../segment-tests.js";
import { DEFAULT_SEGMENTS_PATH, parseFormat } from "./validate.js";
import type { SetExitCode } from "./index.js";
import { UserError } from "../../errors.js";

export function registerTest(
  program: Command,
  context: CliContext,
  setExitCode: SetExitCode,
): void {
  program
    .command("test")
    .description(
      "run the segment tests (*.test.yaml): synthetic customers and the segments they must match",
    )
    .argument(
      "[paths...]",
      `test files, or folders searched for *.test.yaml (default: ${DEFAULT_SEGMENTS_PATH}/)`,
    )
    .option("--format <format>", "output: text, json, github", "text")
    .addHelpText(
      "after",
      `
Examples:
  $ audience test
  $ audience test segments/lifecycle.test.yaml --format github`,
    )
    .action(async (paths: string[], options: { format: string }) => {
      const format = parseFormat(options.format);
      const run = await runSegmentTests(
        paths.length > 0 ? paths : [DEFAULT_SEGMENTS_PATH],
        context.cwd,
        {
          evaluate: true,
        },
      );
      if (run.files.length === 0 && run.diagnostics.length === 0) {
        throw new UserError(
          "NO_TESTS",
          `no segment test files (*.test.yaml) in ${(paths.length > 0 ? paths : [DEFAULT_SEGMENTS_PATH]).join(", ")}`,
        );
      }
      const theme = createTheme(colorEnabled(context.stdoutIsTTY, context.env));
      context.stdout.write(
        formatDiagnostics(run.diagnostics, format, theme, {
          segments: 0,
          files: run.files.length,
          passed: passedLine(run.files),
        }),
      );
      setExitCode(run.diagnostics.some((d) => d.severity === "error") ? 1 : 0);
    });
}

function passedLine(files: readonly TestFileResult[]): string {
  const expectations = files.reduce((n, f) => n + f.expectations, 0);
  const customers = files.reduce((n, f) => n + f.customers, 0);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(expectations, "expectation")} in ${plural(files.length, "test file")} passed (${plural(customers, "test customer")})`;
}
