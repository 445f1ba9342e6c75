/** `audience predict`: BG/NBD and Gamma-Gamma fitted on the buyers, with an optional holdout check (docs/design.md#predictions). */
import { Option } from "commander";
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
import type { CommandSpec } from "../command-spec.js";
import { dataFlagsOf, dataOptions, loadSettings, runData } from "../options.js";

export interface PredictOptions {
  data: BuildFlags;
  horizon: Duration;
  /** `--holdout`: fit up to this day; checked against as_of when the run knows it. */
  holdout?: EpochDay;
}

export const predictCommand: CommandSpec<PredictOptions> = {
  name: "predict",
  description:
    "fit BG/NBD and Gamma-Gamma: who is still a customer, how many purchases to expect, what they are worth",
  options: () => [
    new Option(
      "--horizon <duration>",
      "period of the expected purchases shown: 30d, 12w, 6m, 1y",
    ).default("1y"),
    new Option(
      "--holdout <date>",
      "check the model: fit up to this date, predict to as_of, compare with the actual purchases",
    ),
    ...dataOptions(),
  ],
  helpAfter: `
Examples:
  $ audience predict --config shop/audience.yaml
  $ audience predict --orders orders.csv --as-of 1998-06-30 --holdout 1997-09-30 --json`,
  parse(values) {
    const horizon = parseHorizon(typeof values.horizon === "string" ? values.horizon : "1y");
    const given = values.holdout as string | undefined;
    const holdout = given === undefined ? undefined : parseIsoDay(given);
    if (given !== undefined && holdout === undefined)
      throw new UsageError("BAD_HOLDOUT", `--holdout: "${given}" is not a date (YYYY-MM-DD)`);
    return {
      data: dataFlagsOf(values),
      horizon,
      ...(holdout === undefined ? {} : { holdout }),
    };
  },
  async run({ data, horizon, holdout }, context) {
    const prepared = await loadSettings(data, context);
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
    return 0;
  },
};

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
