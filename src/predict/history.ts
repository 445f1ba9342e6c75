/**
 * Per-customer sufficient statistics, as in the papers: one purchase occasion per day (several
 * orders the same day are one), x = purchase days − 1, t_x = last − first purchase day,
 * T = end of calibration − first purchase day, all in weeks; the spend of a repeat buyer is the
 * mean daily amount of the repeat days (the first day left out, as in the CDNOW example of
 * Fader & Hardie).
 */
import type { EpochDay } from "../calendar.js";

export const DAYS_PER_WEEK = 7;

/** What the store keeps per customer for predictions. */
export interface PurchaseDays {
  /** Distinct purchase days up to as_of, in any order; undefined for non-buyers. */
  days: readonly (readonly number[] | undefined)[];
  /** Total spent over all those days, and on the first of them. */
  totalSpent: ArrayLike<number>;
  firstDaySpent: ArrayLike<number>;
}

export interface Summary {
  /** Customers in the cohort (a purchase on or before the calibration end). */
  customers: number;
  /** 1 for customers in the cohort. */
  included: Uint8Array;
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** Mean amount of the repeat days (NaN when x = 0). Only for a summary at as_of. */
  spend: Float64Array;
  /** Purchase days after the calibration end (for a holdout). */
  after: Float64Array;
}

/**
 * Summarises every customer at `end` (as_of, or a holdout's calibration end). Spend is only
 * known at as_of (`withSpend`), where it is the whole history's.
 */
export function summarize(input: PurchaseDays, end: EpochDay, withSpend: boolean): Summary {
  const size = input.days.length;
  const included = new Uint8Array(size);
  const x = new Float64Array(size).fill(NaN);
  const tx = new Float64Array(size).fill(NaN);
  const T = new Float64Array(size).fill(NaN);
  const spend = new Float64Array(size).fill(NaN);
  const after = new Float64Array(size);
  let customers = 0;
  for (let c = 0; c < size; c++) {
    const days = input.days[c];
    if (days === undefined) continue;
    let first = Infinity;
    let last = -Infinity;
    let count = 0;
    let later = 0;
    for (const day of days) {
      if (day > end) {
        later++;
        continue;
      }
      count++;
      if (day < first) first = day;
      if (day > last) last = day;
    }
    if (count === 0) continue;
    customers++;
    included[c] = 1;
    x[c] = count - 1;
    tx[c] = (last - first) / DAYS_PER_WEEK;
    T[c] = (end - first) / DAYS_PER_WEEK;
    after[c] = later;
    if (withSpend && count > 1)
      spend[c] = (input.totalSpent[c] - input.firstDaySpent[c]) / (count - 1);
  }
  return { customers, included, x, tx, T, spend, after };
}
