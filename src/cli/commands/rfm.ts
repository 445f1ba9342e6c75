/** `audience rfm`: cut points, the 5×5 R×F grid, and the named segments (SPEC §4, §6, §9). */
import { formatJson } from "../../report/json.js";
import { Command } from "commander";
import type { BuildFlags } from "../../config/settings.js";
import { buildRfmReport } from "../../rfm/report.js";
import { statusesJson } from "../../report/inputs.js";
import { renderRfmText, rfmJson } from "../../report/rfm.js";
import type { CliContext } from "../context.js";
import { addInputOptions, loadSettings, runData } from "../options.js";
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
    const run = await runData(prepared, { aggregates: [], fields: [] }, context);
    const { settings } = run;
    const report = buildRfmReport(run.data.profiles, settings.rfm.map, {
      recency: settings.rfm.fixed.recency !== undefined,
      frequency: settings.rfm.fixed.frequency !== undefined,
      monetary: settings.rfm.fixed.monetary !== undefined,
    });
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
