/** `audience rfm`: cut points, the 5×5 R×F grid, and the named segments (docs/design.md#rfm, §6, §9). */
import { formatJson } from "../../report/json.js";
import type { BuildFlags } from "../../config/settings.js";
import { buildRfmReport, type RfmReport } from "../../rfm/report.js";
import { statusesJson } from "../../report/inputs.js";
import { renderRfmText, rfmJson } from "../../report/rfm.js";
import type { CommandSpec } from "../command-spec.js";
import { dataFlagsOf, dataOptions, loadSettings, type DataRun } from "../options.js";
import { ordersFilterNeeds } from "../../segments/prepare-run.js";
import { runProfiles } from "../segment-run.js";

export interface RfmOptions {
  data: BuildFlags;
}

export const rfmCommand: CommandSpec<RfmOptions> = {
  name: "rfm",
  description: "RFM analysis: cut points, the recency × frequency grid, and named segments",
  options: () => dataOptions(),
  helpAfter: `
Examples:
  $ audience rfm --config fixtures/demo/audience.yaml --as-of 2026-06-30
  $ audience rfm --orders orders.csv --as-of 1998-06-30 --json`,
  parse: (values) => ({ data: dataFlagsOf(values) }),
  async run(options, context) {
    const prepared = await loadSettings(options.data, context);
    // The same orders as count and build: orders_filter applies here too.
    const needs = {
      aggregates: [],
      fields: [],
      ...ordersFilterNeeds(prepared.settings, prepared.asOf),
    };
    const run = await runProfiles(prepared, needs, context);
    const { settings } = run;
    const report = rfmReportOf(run);
    context.stdout.write(
      settings.json
        ? formatJson(
            rfmJson(report, run.asOf, {
              amounts: run.data.amounts,
              statuses: statusesJson(run.data.inputs),
            }),
          )
        : renderRfmText(report, run.asOf, run.theme, { amounts: run.data.amounts }),
    );
    return 0;
  },
};

/** The RFM report of a run's profiles, with the config's map and fixed cut points. */
export function rfmReportOf(run: DataRun): RfmReport {
  const { rfm } = run.settings;
  return buildRfmReport(run.data.profiles, rfm.map, {
    recency: rfm.fixed.recency !== undefined,
    frequency: rfm.fixed.frequency !== undefined,
    monetary: rfm.fixed.monetary !== undefined,
  });
}
