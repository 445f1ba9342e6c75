/**
 * What `audience predict` shows (docs/design.md#predictions): both fits with their convergence, the distribution of
 * P(alive) and of expected purchases over a horizon, the valuable customers most likely lost,
 * and with a holdout date the paper's check — fit up to the date, predict to as_of, compare with
 * the purchase days that happened, in total and by number of calibration purchases.
 */
import { compareText } from "../compare-text.js";
import type { EpochDay } from "../calendar.js";
import { UserError } from "../errors.js";
import { expectedPurchases } from "./bgnbd.js";
import type { BgNbdFit, GammaGammaFit } from "./fit.js";
import { DAYS_PER_WEEK, type PurchaseDays } from "./history.js";
import { fitModels, Predictions, type PredictionProblem } from "./predictions.js";

export interface PredictInput extends PurchaseDays {
  /** The customer_id of each customer when it has one (never an email or a phone). */
  customerIds: readonly (string | undefined)[];
  lastOrderDay: ArrayLike<number>;
}

export interface HistogramBin {
  /** Inclusive lower bound; the bin ends where the next starts (the last one is closed). */
  from: number;
  to: number;
  customers: number;
}

export interface AtRiskCustomer {
  customerId: string | null;
  purchaseDays: number;
  totalSpent: number;
  lastPurchase: EpochDay;
  pAlive: number;
  predictedOrders: number;
  predictedSpend: number;
}

export interface HoldoutRow {
  /** Calibration repeat purchases: "0", "1", … "7+". */
  x: string;
  customers: number;
  actual: number;
  predicted: number;
}

export interface HoldoutCheck {
  calibrationEnd: EpochDay;
  weeks: number;
  customers: number;
  bgnbd: BgNbdFit;
  actual: number;
  predicted: number;
  byFrequency: HoldoutRow[];
}

export interface PredictReport {
  asOf: EpochDay;
  horizonDays: number;
  customers: number;
  repeatBuyers: number;
  bgnbd: BgNbdFit;
  gammaGamma?: GammaGammaFit;
  pAlive: HistogramBin[];
  predictedOrders: HistogramBin[];
  /** Sum over the cohort of expected purchase days and of expected value over the horizon. */
  expectedOrders: number;
  expectedValue: number;
  /** Buyers in the top 20% by total spent, and those of them with P(alive) < 0.5. */
  valuable: { customers: number; likelyLost: number; likelyLostRevenue: number };
  atRisk: AtRiskCustomer[];
  holdout?: HoldoutCheck;
  warnings: PredictionProblem[];
}

const TOP_AT_RISK = 10;
const HOLDOUT_BINS = 8;

export function buildPredictReport(
  input: PredictInput,
  asOf: EpochDay,
  options: { horizonDays: number; holdout?: EpochDay },
): PredictReport {
  const fit = fitModels(input, asOf);
  if (fit.bgnbd === undefined) throw fitError(fit.problems);
  const predictions = new Predictions(fit);
  const { summary } = fit;
  const size = summary.included.length;
  const alive = predictions.pAlive;
  const spend = predictions.spend;
  const orders = predictions.orders(options.horizonDays);

  let expectedOrders = 0;
  let expectedValue = 0;
  const aliveValues: number[] = [];
  const orderValues: number[] = [];
  const spentByBuyer: number[] = [];
  for (let c = 0; c < size; c++) {
    if (summary.included[c] !== 1) continue;
    aliveValues.push(alive[c]);
    orderValues.push(orders[c]);
    spentByBuyer.push(input.totalSpent[c]);
    expectedOrders += orders[c];
    if (!Number.isNaN(spend[c])) expectedValue += orders[c] * spend[c];
  }

  // Valuable = revenue_percentile >= 80: at least 80% of buyers spent strictly less.
  const sorted = [...spentByBuyer].sort((p, q) => p - q);
  const valuable: number[] = [];
  for (let c = 0; c < size; c++) {
    if (summary.included[c] !== 1) continue;
    if (countBelow(sorted, input.totalSpent[c]) * 100 >= 80 * sorted.length) valuable.push(c);
  }
  const lost = valuable.filter((c) => alive[c] < 0.5);
  const atRisk = [...valuable]
    .sort(
      (p, q) =>
        alive[p] - alive[q] ||
        input.totalSpent[q] - input.totalSpent[p] ||
        compareText(input.customerIds[p] ?? "", input.customerIds[q] ?? ""),
    )
    .filter((c) => alive[c] < 0.5)
    .slice(0, TOP_AT_RISK)
    .map((c): AtRiskCustomer => ({
      customerId: input.customerIds[c] ?? null,
      purchaseDays: summary.x[c] + 1,
      totalSpent: input.totalSpent[c],
      lastPurchase: input.lastOrderDay[c],
      pAlive: alive[c],
      predictedOrders: orders[c],
      predictedSpend: spend[c],
    }));

  const report: PredictReport = {
    asOf,
    horizonDays: options.horizonDays,
    customers: summary.customers,
    repeatBuyers: fit.repeatBuyers,
    bgnbd: fit.bgnbd,
    ...(fit.gammaGamma === undefined ? {} : { gammaGamma: fit.gammaGamma }),
    pAlive: histogram(aliveValues, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]),
    predictedOrders: histogram(orderValues, orderEdges(orderValues)),
    expectedOrders,
    expectedValue,
    valuable: {
      customers: valuable.length,
      likelyLost: lost.length,
      likelyLostRevenue: lost.reduce((sum, c) => sum + input.totalSpent[c], 0),
    },
    atRisk,
    warnings: [...fit.problems],
  };
  if (options.holdout !== undefined) {
    const check = holdoutCheck(input, options.holdout, asOf);
    report.holdout = check.result;
    report.warnings.push(
      ...check.problems.map((p) => ({ ...p, message: `holdout calibration: ${p.message}` })),
    );
  }
  return report;
}

function holdoutCheck(
  input: PurchaseDays,
  calibrationEnd: EpochDay,
  asOf: EpochDay,
): { result: HoldoutCheck; problems: PredictionProblem[] } {
  const fit = fitModels(input, calibrationEnd, false);
  if (fit.bgnbd === undefined) throw fitError(fit.problems, "the holdout calibration");
  const { summary, bgnbd } = fit;
  const weeks = (asOf - calibrationEnd) / DAYS_PER_WEEK;
  const rows = Array.from({ length: HOLDOUT_BINS }, (_, i) => ({
    x: i === HOLDOUT_BINS - 1 ? `${i}+` : String(i),
    customers: 0,
    actual: 0,
    predicted: 0,
  }));
  let actual = 0;
  let predicted = 0;
  for (let c = 0; c < summary.included.length; c++) {
    if (summary.included[c] !== 1) continue;
    const h = { x: summary.x[c], tx: summary.tx[c], T: summary.T[c] };
    const expected = expectedPurchases(bgnbd.params, h, weeks);
    const row = rows[Math.min(h.x, HOLDOUT_BINS - 1)];
    row.customers++;
    row.actual += summary.after[c];
    row.predicted += expected;
    actual += summary.after[c];
    predicted += expected;
  }
  return {
    result: {
      calibrationEnd,
      weeks,
      customers: summary.customers,
      bgnbd,
      actual,
      predicted,
      byFrequency: rows,
    },
    problems: fit.problems,
  };
}

function fitError(problems: readonly PredictionProblem[], what = "the fit"): UserError {
  const problem = problems[0];
  return new UserError(problem.code, `${what}: ${problem.message}`, {
    hint: "predictions need a history of repeat purchases: a longer period of orders, or more customers",
  });
}

function histogram(values: readonly number[], edges: readonly number[]): HistogramBin[] {
  const bins = edges.slice(0, -1).map((from, i) => ({ from, to: edges[i + 1], customers: 0 }));
  for (const v of values) {
    let i = bins.findIndex((bin) => v < bin.to);
    if (i < 0) i = bins.length - 1;
    bins[i].customers++;
  }
  return bins;
}

/** Bins for expected purchases: 0–0.5, 0.5–1, 1–2, 2–3, 3–5, 5–10, then up to the maximum. */
function orderEdges(values: readonly number[]): number[] {
  const max = values.reduce((m, v) => Math.max(m, v), 0);
  const edges = [0, 0.5, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000];
  const cut = edges.findIndex((e) => e > max);
  return cut < 0 ? [...edges, Math.ceil(max) + 1] : edges.slice(0, Math.max(cut + 1, 2));
}

/** How many of the sorted values are strictly below v. */
function countBelow(sorted: readonly number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
