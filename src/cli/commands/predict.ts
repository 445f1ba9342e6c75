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
  /** `--horizon`, as given: parsed by `parseHorizon` once the config is read (a broken config is reported first). */
  horizon: string;
  /** `--holdout`, as given: parsed by `parseHoldout` then, and checked against as_of. */
  holdout?: string;
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
  parse: (values) => ({
    data: dataFlagsOf(values),
    horizon: typeof values.horizon === "string" ? values.horizon : "1y",
    ...(typeof values.holdout === "string" ? { holdout: values.holdout } : {}),
  }),
  async run(options, context) {
    const prepared = await loadSettings(options.data, context);
    const horizon = parseHorizon(options.horizon);
    const holdout = options.holdout === undefined ? undefined : parseHoldout(options.holdout);
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

/** `--holdout`: a calendar day. */
export function parseHoldout(text: string): EpochDay {
  const day = parseIsoDay(text);
  if (day === undefined)
    throw new UsageError("BAD_HOLDOUT", `--holdout: "${text}" is not a date (YYYY-MM-DD)`);
  return day;
}

/** `--horizon`: a count and a unit, `30d`, `12w`, `6m`, `1y`. */
export function parseHorizon(text: string): Duration {
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
