/** Every command of docs/design.md#commands, in the order `--help` lists them, registered one way. */
import type { Command } from "commander";
import { commandOf, type CommandSpec } from "../command-spec.js";
import type { CliContext } from "../context.js";
import { buildCommand } from "./build.js";
import { channelsCommand } from "./channels.js";
import { countCommand } from "./count.js";
import { demoCommand } from "./demo.js";
import { explainCommand } from "./explain.js";
import { historyCommand } from "./history.js";
import { planCommand } from "./plan.js";
import { predictCommand } from "./predict.js";
import { reportCommand } from "./report.js";
import { rfmCommand } from "./rfm.js";
import { sqlCommand } from "./sql.js";
import { testCommand } from "./test.js";
import { validateCommand } from "./validate.js";

type SetExitCode = (code: number) => void;

/** A spec with its options type closed over: parsed and run by the same command. */
function registered<O>(spec: CommandSpec<O>) {
  return (context: CliContext, setExitCode: SetExitCode): Command =>
    commandOf(spec, async (options) => {
      setExitCode(await spec.run(options, context));
    });
}

const COMMANDS = [
  registered(buildCommand),
  registered(countCommand),
  registered(rfmCommand),
  registered(channelsCommand),
  registered(reportCommand),
  registered(validateCommand),
  registered(demoCommand),
  registered(predictCommand),
  registered(explainCommand),
  registered(testCommand),
  registered(planCommand),
  registered(historyCommand),
  registered(sqlCommand),
];

export function registerCommands(
  program: Command,
  context: CliContext,
  setExitCode: SetExitCode,
): void {
  for (const command of COMMANDS) program.addCommand(command(context, setExitCode));
}
