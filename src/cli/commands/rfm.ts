/** `audience rfm`: cut points, the 5×5 R×F grid, and the named segments (docs/design.md#rfm, §6, §9). */
import { formatJson } from "../../report/json.js";
import { Command } from "commander";
import type { BuildFlags } from "../../config/settings.js";
import { buildRfmReport, type RfmReport } from "../../rfm/report.js";
import { statusesJson } from "../../report/inputs.js";
import { renderRfmText, rfmJson } from "../../report/rfm.js";
import type { CliContext } from "../context.js";
import { addInputOptions, loadSettings, runData, type DataRun } from "../options.js";
import { ordersFilterNeeds } from "../../segments/prepare-run.js";
import type { SetExitCode } from "./index.js";

export function registerRfm(program: Command, context: CliContext, setExitCode: SetExitCode): void {
  const command = new Command("rfm")
    .description("RFM analysis: cut points, the recency × frequency grid, and named segments")
    .addHelpText(
      "after",
      `
Examples:
  $ audience rfm --config fixtures/demo/audience.yaml --as-of 2026-06-30
  $ audience rfm --orders orders.csv --as-of 1998-06-30 --json`,
    );
  addInputOptions(command).action(async (flags: BuildFlags) => {
    const prepared = await loadSettings(flags, context);
    // The same orders as count and build: orders_filter applies here too.
    const needs = {
      aggregates: [],
      fields: [],
      ...ordersFilterNeeds(prepared.settings, prepared.asOf),
    };
    const run = await runData(prepared, needs, context);
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
    setExitCode(0);
  });
  program.addCommand(command);
}

/** The RFM report of a run's profiles, with the config's map and fixed cut points. */
export function rfmReportOf(run: DataRun): RfmReport {
  const { rfm } = run.settings;
  return buildRfmReport(run.data.profiles, rfm.map, {
    recency: rfm.fixed.recency !== undefined,
    frequency: rfm.fixed.frequency !== undefined,
    monetary: rfm.fixed.monetary !== undefined,
  });
}
