/**
 * One run's predictions: BG/NBD and Gamma-Gamma fitted on the buyers as of as_of, then per
 * customer P(alive), expected purchase days over a horizon, expected spend per purchase and CLV
 * (docs/design.md#predictions). Non-buyers get NaN (null in expressions).
 */
import type { EpochDay } from "../calendar.js";
import { expectedPurchases, probabilityAlive, type History } from "./bgnbd.js";
import { fitBgNbd, fitGammaGamma, type BgNbdFit, type GammaGammaFit } from "./fit.js";
import { expectedSpend } from "./gamma-gamma.js";
import { DAYS_PER_WEEK, summarize, type PurchaseDays, type Summary } from "./history.js";

/** Fewer repeat buyers than this and the fit is refused. */
export const MIN_REPEAT_BUYERS = 30;

export interface PredictionProblem {
  code: "PREDICTION_TOO_FEW_REPEAT_BUYERS" | "PREDICTION_NOT_CONVERGED";
  /** The model it concerns: without BG/NBD nothing can be predicted, without Gamma-Gamma no spend. */
  model: "bgnbd" | "gamma_gamma";
  message: string;
}

export interface ModelFit {
  summary: Summary;
  repeatBuyers: number;
  /** Absent when there are too few repeat buyers to fit. */
  bgnbd?: BgNbdFit;
  gammaGamma?: GammaGammaFit;
  problems: PredictionProblem[];
}

/** Fits both models on the customers summarised at `end`. */
export function fitModels(input: PurchaseDays, end: EpochDay, withSpend = true): ModelFit {
  const summary = summarize(input, end, withSpend);
  const histories: History[] = [];
  const spenders: { x: number; m: number }[] = [];
  let repeatBuyers = 0;
  for (let c = 0; c < summary.included.length; c++) {
    if (summary.included[c] !== 1) continue;
    const x = summary.x[c];
    histories.push({ x, tx: summary.tx[c], T: summary.T[c] });
    if (x >= 1) {
      repeatBuyers++;
      const m = summary.spend[c];
      if (m > 0) spenders.push({ x, m });
    }
  }
  const problems: PredictionProblem[] = [];
  if (repeatBuyers < MIN_REPEAT_BUYERS) {
    problems.push({
      code: "PREDICTION_TOO_FEW_REPEAT_BUYERS",
      model: "bgnbd",
      message: `predictions need at least ${MIN_REPEAT_BUYERS} customers who bought on two different days; found ${repeatBuyers} among ${summary.customers} buyers`,
    });
    return { summary, repeatBuyers, problems };
  }
  const bgnbd = fitBgNbd(histories);
  if (!bgnbd.convergence.converged) {
    problems.push({
      code: "PREDICTION_NOT_CONVERGED",
      model: "bgnbd",
      message: `the BG/NBD fit did not converge: ${bgnbd.convergence.reason}`,
    });
  }
  if (!withSpend) return { summary, repeatBuyers, bgnbd, problems };
  if (spenders.length < MIN_REPEAT_BUYERS) {
    problems.push({
      code: "PREDICTION_TOO_FEW_REPEAT_BUYERS",
      model: "gamma_gamma",
      message: `the spend model needs at least ${MIN_REPEAT_BUYERS} repeat buyers with a positive amount; found ${spenders.length}`,
    });
    return { summary, repeatBuyers, bgnbd, problems };
  }
  const gammaGamma = fitGammaGamma(spenders);
  if (!gammaGamma.convergence.converged) {
    problems.push({
      code: "PREDICTION_NOT_CONVERGED",
      model: "gamma_gamma",
      message: `the Gamma-Gamma fit did not converge: ${gammaGamma.convergence.reason}`,
    });
  } else if (!(gammaGamma.params.q > 1)) {
    problems.push({
      code: "PREDICTION_NOT_CONVERGED",
      model: "gamma_gamma",
      message: `the Gamma-Gamma fit gives q = ${gammaGamma.params.q.toFixed(3)} ≤ 1: the mean spend is not finite`,
    });
  }
  return { summary, repeatBuyers, bgnbd, gammaGamma, problems };
}

/** Per-customer values from fitted models; horizons are in days. */
export class Predictions {
  readonly fit: ModelFit;
  private readonly aliveColumn: Float64Array;
  private readonly spendColumn: Float64Array;
  private readonly ordersByHorizon = new Map<number, Float64Array>();

  constructor(fit: ModelFit) {
    this.fit = fit;
    const { summary } = fit;
    const size = summary.included.length;
    this.aliveColumn = new Float64Array(size).fill(NaN);
    this.spendColumn = new Float64Array(size).fill(NaN);
    const bg = fit.bgnbd;
    const gg = fit.gammaGamma;
    for (let c = 0; c < size; c++) {
      if (summary.included[c] !== 1) continue;
      const x = summary.x[c];
      if (bg !== undefined) {
        this.aliveColumn[c] = probabilityAlive(bg.params, this.history(c));
      }
      if (gg !== undefined) {
        this.spendColumn[c] = expectedSpend(gg.params, x, x > 0 ? summary.spend[c] : 0);
      }
    }
  }

  private history(c: number): History {
    const s = this.fit.summary;
    return { x: s.x[c], tx: s.tx[c], T: s.T[c] };
  }

  /** P(alive), NaN for non-buyers. */
  get pAlive(): Float64Array {
    return this.aliveColumn;
  }

  /** Expected spend per future purchase, NaN for non-buyers. */
  get spend(): Float64Array {
    return this.spendColumn;
  }

  /** Expected purchase days in the next `days` days (computed once per horizon). */
  orders(days: number): Float64Array {
    const known = this.ordersByHorizon.get(days);
    if (known !== undefined) return known;
    const { summary, bgnbd } = this.fit;
    const size = summary.included.length;
    const column = new Float64Array(size).fill(NaN);
    if (bgnbd !== undefined) {
      const t = days / DAYS_PER_WEEK;
      // Customers with the same history get the same value: compute each history once.
      const cache = new Map<string, number>();
      for (let c = 0; c < size; c++) {
        if (summary.included[c] !== 1) continue;
        const key = `${summary.x[c]} ${summary.tx[c]} ${summary.T[c]}`;
        let value = cache.get(key);
        if (value === undefined) {
          value = expectedPurchases(bgnbd.params, this.history(c), t);
          cache.set(key, value);
        }
        column[c] = value;
      }
    }
    this.ordersByHorizon.set(days, column);
    return column;
  }
}
