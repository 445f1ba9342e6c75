/** `audience predict`: BG/NBD and Gamma-Gamma fitted on the buyers, with an optional holdout check (docs/design.md#predictions). */
import { Command } from "commander";
import {
  addDuration,
  formatDay,
  parseIsoDay,
  type Duration,
  type EpochDay,
} from "../../calendar.js";
import type { BuildFlags } from "../../config/settings.js";
import { UsageError } from "../../errors.js";
import type { Profiles } from "../../model/profile.js";
import { buildPredictReport, type PredictReport } from "../../predict/report.js";
import { formatJson } from "../../report/json.js";
import { predictJson, renderPredictText, renderPredictWarnings } from "../../report/predict.js";
import type { CliContext } from "../context.js";
import { addInputOptions, loadSettings, runData } from "../options.js";
import type { SetExitCode } from "./index.js";

interface PredictFlags extends BuildFlags {
  holdout?: string;
  horizon?: string;
}

export function registerPredict(
  program: Command,
  context: CliContext,
  setExitCode: SetExitCode,
): void {
  const command = new Command("predict")
    .description(
      "fit BG/NBD and Gamma-Gamma: who is still a customer, how many purchases to expect, what they are worth",
    )
    .option(
      "--horizon <duration>",
      "period of the expected purchases shown: 30d, 12w, 6m, 1y",
      "1y",
    )
    .option(
      "--holdout <date>",
      "check the model: fit up to this date, predict to as_of, compare with the actual purchases",
    )
    .addHelpText(
      "after",
      `
Examples:
  $ audience predict --config shop/audience.yaml
  $ audience predict --orders orders.csv --as-of 1998-06-30 --holdout 1997-09-30 --json`,
    );
  addInputOptions(command).action(async (flags: PredictFlags) => {
    const prepared = await loadSettings(flags, context);
    const horizon = parseHorizon(flags.horizon ?? "1y");
    const holdout = flags.holdout === undefined ? undefined : parseIsoDay(flags.holdout);
    if (flags.holdout !== undefined && holdout === undefined) {
      throw new UsageError(
        "BAD_HOLDOUT",
        `--holdout: "${flags.holdout}" is not a date (YYYY-MM-DD)`,
      );
    }
    if (holdout !== undefined && holdout >= prepared.asOf) {
      throw new UsageError(
        "BAD_HOLDOUT",
        `--holdout ${formatDay(holdout)} is not before as_of ${formatDay(prepared.asOf)}`,
        { hint: "the holdout period runs from the --holdout date to as_of" },
      );
    }
    const run = await runData(prepared, { aggregates: [], fields: [], predictions: true }, context);
    const report = predictReportOf(run.data.profiles, run.asOf, horizon, holdout);
    context.stderr.write(renderPredictWarnings(report, run.errTheme));
    context.stdout.write(
      run.settings.json ? formatJson(predictJson(report)) : renderPredictText(report, run.theme),
    );
    setExitCode(0);
  });
  program.addCommand(command);
}

function parseHorizon(text: string): Duration {
  const match = /^(\d+)([dwmy])$/.exec(text.trim());
  if (match === null) {
    throw new UsageError("BAD_HORIZON", `--horizon: "${text}" is not a duration`, {
      hint: "write a count and a unit: 30d, 12w, 6m, 1y",
    });
  }
  const count = Number(match[1]);
  if (count === 0) {
    throw new UsageError("BAD_HORIZON", "--horizon: a horizon of 0 predicts nothing", {
      hint: "give the period to predict, e.g. --horizon 30d",
    });
  }
  return { count, unit: match[2] as Duration["unit"] };
}

/** The fit and distributions of `audience predict` (and of the report page) for a run's buyers. */
export function predictReportOf(
  profiles: Profiles,
  asOf: EpochDay,
  horizon: Duration,
  holdout?: EpochDay,
): PredictReport {
  const store = profiles.store;
  return buildPredictReport(
    {
      days: store.purchaseDays,
      totalSpent: store.totalSpent,
      firstDaySpent: store.firstDaySpent,
      customerIds: store.customerId,
      lastOrderDay: store.lastOrderDay,
    },
    asOf,
    {
      horizonDays: addDuration(asOf, horizon, 1) - asOf,
      ...(holdout === undefined ? {} : { holdout }),
    },
  );
}
