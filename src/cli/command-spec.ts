/**
 * The one shape of a command (docs/design.md#commands): what `--help` shows, a pure parser from
 * commander's values to the command's own options type, and the run. Parsing is apart from running
 * so that a table test can check argv → options for every command without touching a file.
 */
import { Argument, Command, type Option, type OptionValues } from "commander";
import type { CliContext } from "./context.js";

/** A positional argument, as commander declares it: `[key]`, `[paths...]`. */
export interface ArgumentSpec {
  syntax: string;
  description: string;
}

export interface CommandSpec<O> {
  name: string;
  description: string;
  arguments?: readonly ArgumentSpec[];
  /** The options in help order: the command's own, then the shared groups of `options.ts`. */
  options: () => Option[];
  /** Shown after the options by `--help`: examples, exit codes. */
  helpAfter?: string;
  /**
   * Commander's option values and the positional arguments → this command's options. Pure: bad
   * values throw a UsageError (exit 2); what needs a file or the clock is checked by `run`.
   */
  parse(values: OptionValues, args: readonly unknown[]): O;
  /** Runs the command and returns its exit code; failures are thrown, main maps them. */
  run(options: O, context: CliContext): Promise<number>;
}

/** The commander command of a spec; `onParsed` receives the parsed options. */
export function commandOf<O>(
  spec: CommandSpec<O>,
  onParsed: (options: O) => Promise<void> | void,
): Command {
  const command = new Command(spec.name).description(spec.description);
  for (const argument of spec.arguments ?? [])
    command.addArgument(new Argument(argument.syntax, argument.description));
  for (const option of spec.options()) command.addOption(option);
  if (spec.helpAfter !== undefined) command.addHelpText("after", spec.helpAfter);
  // Not async: a parse error is thrown before any promise, so parseCommandLine sees it too.
  command.action(() => onParsed(spec.parse(command.opts(), command.processedArgs)));
  return command;
}

/**
 * argv (after the command's name) → the command's options, as the CLI would parse them, without
 * running anything. Commander's own usage errors (unknown option, missing value) throw.
 */
export function parseCommandLine<O>(spec: CommandSpec<O>, argv: readonly string[]): O {
  let parsed: { options: O } | undefined;
  const command = commandOf(spec, (options) => {
    parsed = { options };
  })
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
  command.parse([...argv], { from: "user" });
  if (parsed === undefined) throw new Error(`${spec.name}: the command line was not parsed`);
  return parsed.options;
}
