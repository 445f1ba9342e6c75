/**
 * `audience test [paths…]` (docs/design.md#explain-and-tests): runs the segment tests (`*.test.yaml`, folders searched)
 * and reports each failed expectation at its line, with the explanation of every customer that
 * differs. Exit 1 when a test fails or a test file is invalid.
 */
import { Option } from "commander";
import { formatDiagnostics, type DiagnosticFormat } from "../../report/diagnostics.js";
import { colorEnabled, createTheme } from "../../report/theme.js";
import type { CommandSpec } from "../command-spec.js";
import { runSegmentTests, type TestFileResult } from "../segment-tests.js";
import { DEFAULT_SEGMENTS_PATH, parseFormat, pathsOf } from "./validate.js";
import { UserError } from "../../errors.js";

export interface TestOptions {
  /** The test files or folders given (none: segments/). */
  paths: string[];
  format: DiagnosticFormat;
}

export const testCommand: CommandSpec<TestOptions> = {
  name: "test",
  description:
    "run the segment tests (*.test.yaml): synthetic customers and the segments they must match",
  arguments: [
    {
      syntax: "[paths...]",
      description: `test files, or folders searched for *.test.yaml (default: ${DEFAULT_SEGMENTS_PATH}/)`,
    },
  ],
  options: () => [new Option("--format <format>", "output: text, json, github").default("text")],
  helpAfter: `
Examples:
  $ audience test
  $ audience test segments/lifecycle.test.yaml --format github`,
  parse: (values, args) => ({
    paths: pathsOf(args[0]),
    format: parseFormat(String(values.format)),
  }),
  async run({ paths, format }, context) {
    const given = paths.length > 0 ? paths : [DEFAULT_SEGMENTS_PATH];
    const run = await runSegmentTests(given, context.cwd, { evaluate: true });
    if (run.files.length === 0 && run.diagnostics.length === 0) {
      throw new UserError("NO_TESTS", `no segment test files (*.test.yaml) in ${given.join(", ")}`);
    }
    const theme = createTheme(colorEnabled(context.stdoutIsTTY, context.env));
    context.stdout.write(
      formatDiagnostics(run.diagnostics, format, theme, {
        segments: 0,
        files: run.files.length,
        passed: passedLine(run.files),
      }),
    );
    return run.diagnostics.some((d) => d.severity === "error") ? 1 : 0;
  },
};

function passedLine(files: readonly TestFileResult[]): string {
  const expectations = files.reduce((n, f) => n + f.expectations, 0);
  const customers = files.reduce((n, f) => n + f.customers, 0);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(expectations, "expectation")} in ${plural(files.length, "test file")} passed (${plural(customers, "test customer")})`;
}
