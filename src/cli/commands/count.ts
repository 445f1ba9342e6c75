/** `audience count`: the counts of every segment, writing nothing — check before you send (SPEC §6). */
import { mergesJson } from "../../report/inputs.js";
import { formatJson } from "../../report/json.js";
import { Command } from "commander";
import type { BuildFlags } from "../../config/settings.js";
import { countsJson, renderCountsText } from "../../report/counts.js";
import type { CliContext } from "../context.js";
import { addInputOptions, addSegmentOptions, loadSettings } from "../options.js";
import { runSegments } from "../segment-run.js";
import type { SetExitCode } from "./index.js";

export function registerCount(
  program: Command,
  context: CliContext,
  setExitCode: SetExitCode,
): void {
  const command = new Command("count")
    .description("count each segment's matched and reachable customers; writes nothing")
    .option(
      "--exclusive",
      "count each customer only in the first segment (by priority) that reaches them",
    )
    .addHelpText(
      "after",
      `
Examples:
  $ audience count --config fixtures/demo/audience.yaml
  $ audience count --only win-back,vip --as-of 2026-06-30 --json`,
    );
  addSegmentOptions(addInputOptions(command)).action(async (flags: BuildFlags) => {
    const run = await runSegments(await loadSettings(flags, context), context);
    const view = {
      asOf: run.asOf,
      timezone: run.settings.timezone,
      customers: run.data.profiles.size,
      buyers: run.data.profiles.buyers,
      results: run.results,
      exclusive: run.settings.exclusive,
      rejected: run.data.rejects.rejectedByFile(),
      merges: mergesJson(run.data.inputs),
    };
    context.stdout.write(
      run.settings.json ? formatJson(countsJson(view)) : renderCountsText(view, run.theme),
    );
    setExitCode(0);
  });
  program.addCommand(command);
}
