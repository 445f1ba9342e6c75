/**
 * RFM over a customer base (docs/design.md#rfm): cut points over buyers, the three scores, the named segment
 * of each customer, and the 5×5 R×F grid.
 */
import type { RfmCutPoints } from "./settings.js";
import { quintileCutPoints } from "./cut-points.js";
import { scoreAscending, scoreRecency } from "./score.js";
import { PROSPECTS, type RfmMap } from "./segment-map.js";

export interface RfmInput {
  /** Per customer; NaN for customers who never bought. */
  daysSinceLastOrder: ArrayLike<number>;
  ordersCount: ArrayLike<number>;
  totalSpent: ArrayLike<number>;
}

export interface CutPoints {
  recency: number[];
  frequency: number[];
  monetary: number[];
}

export type RfmDimension = keyof CutPoints;

/**
 * A dimension whose percentiles collapsed (fewer than three distinct cut points: `1 1 1 1` for the
 * frequency of a shop where most buyers ordered once, so F is only 1 or 5): the percentiles found,
 * and how it is scored instead. Milder ties (`1 1 2.6 5`) keep the percentiles (docs/design.md#rfm).
 */
export interface Collapse {
  percentiles: number[];
  /**
   * "thresholds": frequency, by the documented order counts 1, 2, 3, 5 (F = 1 for one order, 2 for
   * two, 3 for three, 4 for four or five, 5 for six or more). "distinct values": recency and
   * monetary, by the percentiles of the distinct values, so that each value keeps its rank.
   */
  method: "thresholds" | "distinct values";
}

/** The frequency thresholds used when its percentiles collapse (see `Collapse`). */
export const FREQUENCY_THRESHOLDS = [1, 2, 3, 5];

export interface RfmResult {
  buyers: number;
  /** The cut points the scores use (after a collapse, the replacement). */
  cutPoints: CutPoints;
  collapsed: Partial<Record<RfmDimension, Collapse>>;
  /** Per customer, 1–5; 0 for non-buyers. */
  r: Uint8Array;
  f: Uint8Array;
  m: Uint8Array;
  /** Per customer: the named segment (prospects for non-buyers). */
  segment: string[];
  /** grid[r - 1][f - 1] = buyers in that cell. */
  grid: number[][];
}

export function computeRfm(
  input: RfmInput,
  size: number,
  fixed: RfmCutPoints,
  map: RfmMap,
): RfmResult {
  const buyerIndex: number[] = [];
  for (let c = 0; c < size; c++) if (input.ordersCount[c] > 0) buyerIndex.push(c);
  const n = buyerIndex.length;
  const column = (values: ArrayLike<number>): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = values[buyerIndex[i]];
    return out;
  };
  const collapsed: Partial<Record<RfmDimension, Collapse>> = {};
  const cuts = (
    dimension: RfmDimension,
    given: number[] | undefined,
    values: ArrayLike<number>,
  ): number[] => {
    if (given !== undefined) return given;
    if (n === 0) return [];
    const sorted = column(values);
    const percentiles = quintileCutPoints(sorted);
    // Collapsed: fewer than three distinct cut points, so at most three of the five scores exist.
    // Fewer than five buyers have no quintiles to speak of: nothing to say.
    if (n < 5 || new Set(percentiles).size >= 3) return percentiles;
    if (dimension === "frequency") {
      collapsed.frequency = { percentiles, method: "thresholds" };
      return [...FREQUENCY_THRESHOLDS];
    }
    const distinct: number[] = [];
    for (let i = 0; i < sorted.length; i++)
      if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
    collapsed[dimension] = { percentiles, method: "distinct values" };
    return distinct.length < 2 ? percentiles : quintileCutPoints(Float64Array.from(distinct));
  };
  const cutPoints: CutPoints = {
    recency: cuts("recency", fixed.recency, input.daysSinceLastOrder),
    frequency: cuts("frequency", fixed.frequency, input.ordersCount),
    monetary: cuts("monetary", fixed.monetary, input.totalSpent),
  };
  const r = new Uint8Array(size);
  const f = new Uint8Array(size);
  const m = new Uint8Array(size);
  const segment = new Array<string>(size).fill(PROSPECTS);
  const grid = Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
  for (const c of buyerIndex) {
    const rs = scoreRecency(input.daysSinceLastOrder[c], cutPoints.recency);
    const fs = scoreAscending(input.ordersCount[c], cutPoints.frequency);
    const ms = scoreAscending(input.totalSpent[c], cutPoints.monetary);
    r[c] = rs;
    f[c] = fs;
    m[c] = ms;
    segment[c] = map[rs - 1][fs - 1];
    grid[rs - 1][fs - 1]++;
  }
  return { buyers: n, cutPoints, collapsed, r, f, m, segment, grid };
}

/**
 * `revenue_percentile` (docs/design.md#profile): the % of buyers whose total spent is strictly lower. NaN for
 * non-buyers.
 */
export function revenuePercentiles(
  ordersCount: ArrayLike<number>,
  totalSpent: ArrayLike<number>,
  size: number,
): Float64Array {
  const out = new Float64Array(size).fill(NaN);
  const spends: number[] = [];
  for (let c = 0; c < size; c++) if (ordersCount[c] > 0) spends.push(totalSpent[c]);
  const sorted = Float64Array.from(spends).sort();
  const n = sorted.length;
  for (let c = 0; c < size; c++) {
    if (!(ordersCount[c] > 0)) continue;
    const v = totalSpent[c];
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    out[c] = (lo / n) * 100;
  }
  return out;
}
