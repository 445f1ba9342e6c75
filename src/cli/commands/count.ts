/** `audience count`: the counts of every segment, writing nothing — check before you send (docs/design.md#commands). */
import { mergesJson, statusesJson } from "../../report/inputs.js";
import { formatJson } from "../../report/json.js";
import { Command } from "commander";
import type { BuildFlags } from "../../config/settings.js";
import { countsJson, renderCountsText, type CountsView } from "../../report/counts.js";
import type { CliContext } from "../context.js";
import { addInputOptions, addSegmentOptions, loadSettings } from "../options.js";
import { runSegments, type SegmentRun } from "../segment-run.js";
import { explainFunnels } from "./explain.js";
import type { SetExitCode } from "./index.js";
import { funnelsJson, renderFunnelsText } from "../../report/explain.js";

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
    .option("--explain", "also show how many customers pass each condition of each segment in turn")
    .addHelpText(
      "after",
      `
Examples:
  $ audience count --config fixtures/demo/audience.yaml
  $ audience count --only win-back,vip --as-of 2026-06-30 --json
  $ audience count --only repeat-lapsed --explain`,
    );
  addSegmentOptions(addInputOptions(command)).action(
    async (flags: BuildFlags & { explain?: boolean }) => {
      const run = await runSegments(await loadSettings(flags, context), context);
      const view = countsViewOf(run);
      const funnels = flags.explain ? explainFunnels(run, run.settings.only ?? []) : undefined;
      if (run.settings.json) {
        const json = countsJson(view);
        context.stdout.write(
          formatJson(funnels === undefined ? json : { ...json, funnels: funnelsJson(funnels) }),
        );
      } else {
        context.stdout.write(renderCountsText(view, run.theme));
        if (funnels !== undefined)
          context.stdout.write(`\n${renderFunnelsText(funnels, run.theme)}`);
      }
      setExitCode(0);
    },
  );
  program.addCommand(command);
}

/** What `count` prints (and `build`, with the rows written and file of each segment). */
export function countsViewOf(run: SegmentRun, written?: CountsView["written"]): CountsView {
  return {
    asOf: run.asOf,
    timezone: run.settings.timezone,
    customers: run.data.profiles.size,
    buyers: run.data.profiles.buyers,
    results: run.results,
    exclusive: run.settings.exclusive,
    ...(written === undefined ? {} : { written }),
    rejected: run.data.rejects.rejectedByFile(),
    statuses: statusesJson(run.data.inputs),
    merges: mergesJson(run.data.inputs),
  };
}
