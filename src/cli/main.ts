/**
 * The commander program: the ONE place that turns errors into exit codes (docs/design.md#commands).
 *   0 success · 1 invalid definitions or input data · 2 usage error · 3 guard tripped · 70 internal
 */
import { Command, CommanderError } from "commander";
import { UserError } from "../errors.js";
import type { CliContext } from "./context.js";
import { renderError, renderInternalError } from "../report/errors.js";
import { colorEnabled, createTheme, type Theme } from "../report/theme.js";
import { registerCommands } from "./commands/index.js";
import { VERSION } from "../version.js";

export const EXIT_OK = 0;
export const EXIT_USER = 1;
export const EXIT_USAGE = 2;
export const EXIT_GUARD = 3;
export const EXIT_INTERNAL = 70;

const EXAMPLES = `
Examples:
  $ audience demo --out shop --contacts 2000 --seed 42
  $ audience build --config shop/audience.yaml
  $ audience count --config shop/audience.yaml --only repeat-lapsed,whatsapp-vip
  $ audience rfm --orders orders.csv --as-of 2026-06-30
  $ audience channels --config audience.yaml --json
  $ audience validate segments/ --format github
  $ audience explain C100002 --config shop/audience.yaml
  $ audience test segments/
  $ audience plan --base origin/main:segments/ --format markdown

Exit codes:
  0 success · 1 invalid definitions or input data (nothing written) · 2 usage error
  3 a guard tripped (nothing replaced) · 70 internal error`;

export function createProgram(context: CliContext, setExitCode: (code: number) => void): Command {
  const program = new Command("audience");
  program
    .description(
      "Build marketing audiences from e-commerce exports: customer profiles, RFM, segments, upload-ready CSVs.",
    )
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", EXAMPLES)
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .exitOverride();
  registerCommands(program, context, setExitCode);
  // Commands added with addCommand() do not inherit these settings: usage errors must reach
  // runCli as exceptions (exit 2), never end the process from inside commander.
  for (const command of program.commands) {
    command
      .exitOverride()
      .showHelpAfterError("(run with --help for usage)")
      .configureOutput({
        writeOut: (text) => context.stdout.write(text),
        writeErr: (text) => context.stderr.write(text),
      });
  }
  return program;
}

/** Runs the CLI with these arguments (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  let exitCode = EXIT_OK;
  const program = createProgram(context, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    return exitCodeFor(error, context);
  }
}

function exitCodeFor(error: unknown, context: CliContext): number {
  if (error instanceof CommanderError) {
    // --help and --version end through here too, with exit code 0.
    if (error.exitCode === 0) return EXIT_OK;
    return EXIT_USAGE;
  }
  if (error instanceof UserError) {
    context.stderr.write(renderError(error, stderrTheme(context)));
    return error.exitCode;
  }
  context.stderr.write(renderInternalError(error, stderrTheme(context)));
  return EXIT_INTERNAL;
}

function stderrTheme(context: CliContext): Theme {
  return createTheme(colorEnabled(context.stderrIsTTY, context.env));
}

/** The process entry point, called by `bin/audience.js`. */
export function main(): void {
  const context: CliContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    stderrIsTTY: process.stderr.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    now: () => Date.now(),
  };
  // Output to a closed pipe (`audience count | head`) is not an error worth a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? EXIT_OK);
  });
  runCli(process.argv.slice(2), context).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(renderInternalError(error, stderrTheme(context)));
      process.exitCode = EXIT_INTERNAL;
    },
  );
}
