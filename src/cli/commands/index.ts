/** Every command of docs/design.md#commands, registered on the program. */
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { registerBuild } from "./build.js";
import { registerChannels } from "./channels.js";
import { registerCount } from "./count.js";
import { registerDemo } from "./demo.js";
import { registerPredict } from "./predict.js";
import { registerReport } from "./report.js";
import { registerExplain } from "./explain.js";
import { registerPlan } from "./plan.js";
import { registerHistory } from "./history.js";
import { registerRfm } from "./rfm.js";
import { registerTest } from "./test.js";
import { registerValidate } from "./validate.js";

export type SetExitCode = (code: number) => void;

export function registerCommands(
  program: Command,
  context: CliContext,
  setExitCode: SetExitCode,
): void {
  registerBuild(program, context, setExitCode);
  registerCount(program, context, setExitCode);
  registerRfm(program, context, setExitCode);
  registerChannels(program, context, setExitCode);
  registerReport(program, context, setExitCode);
  registerValidate(program, context, setExitCode);
  registerDemo(program, context, setExitCode);
  registerPredict(program, context, setExitCode);
  registerExplain(program, context, setExitCode);
  registerTest(program, context, setExitCode);
  registerPlan(program, context, setExitCode);
  registerHistory(program, context, setExitCode);
}
