/** `audience count`: the counts of every segment, writing nothing — check before you send (docs/design.md#commands). */
import { mergesJson, statusesJson } from "../../report/inputs.js";
import { formatJson } from "../../report/json.js";
import { Option } from "commander";
import type { BuildFlags } from "../../config/settings.js";
import { countsJson, renderCountsText, type CountsView } from "../../report/counts.js";
import type { CommandSpec } from "../command-spec.js";
import { dataFlagsOf, dataOptions, loadSettings, segmentOptions } from "../options.js";
import { runSegments, type SegmentRun } from "../segment-run.js";
import { explainFunnels } from "./explain.js";
import { funnelsJson, renderFunnelsText } from "../../report/explain.js";

export interface CountOptions {
  data: BuildFlags;
  /** `--explain`: the funnel of each segment too. */
  explain: boolean;
}

export const countCommand: CommandSpec<CountOptions> = {
  name: "count",
  description: "count each segment's matched and reachable customers; writes nothing",
  options: () => [
    new Option(
      "--exclusive",
      "count each customer only in the first segment (by priority) that reaches them",
    ),
    new Option(
      "--explain",
      "also show how many customers pass each condition of each segment in turn",
    ),
    ...dataOptions(),
    ...segmentOptions(),
  ],
  helpAfter: `
Examples:
  $ audience count --config fixtures/demo/audience.yaml
  $ audience count --only win-back,vip --as-of 2026-06-30 --json
  $ audience count --only repeat-lapsed --explain`,
  parse: (values) => ({
    data: dataFlagsOf(values, ["exclusive"]),
    explain: values.explain === true,
  }),
  async run(options, context) {
    const prepared = await loadSettings(options.data, context);
    // With --explain, the funnels are counted in the database and the profiles read in full.
    const run = await runSegments(
      prepared,
      context,
      options.explain ? { explain: { funnels: prepared.settings.only ?? [] } } : { counts: true },
    );
    const view = countsViewOf(run);
    const funnels = options.explain ? explainFunnels(run, run.settings.only ?? []) : undefined;
    if (run.settings.json) {
      const json = countsJson(view);
      context.stdout.write(
        formatJson(funnels === undefined ? json : { ...json, funnels: funnelsJson(funnels) }),
      );
    } else {
      context.stdout.write(renderCountsText(view, run.theme));
      if (funnels !== undefined) context.stdout.write(`\n${renderFunnelsText(funnels, run.theme)}`);
    }
    return 0;
  },
};

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
