/**
 * RFM cut points (docs/design.md#rfm): the 20th, 40th, 60th and 80th percentiles of each value over buyers,
 * by linear interpolation between order statistics (R's type 7, numpy's default), or fixed
 * thresholds from the config.
 */

export const QUANTILES = [0.2, 0.4, 0.6, 0.8] as const;

/**
 * The type-7 quantile of sorted values: h = (n − 1)·p, interpolated between the values at
 * floor(h) and floor(h) + 1.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** The four quintile cut points of the values (sorted ascending in place when a Float64Array). */
export function quintileCutPoints(values: Float64Array): number[] {
  values.sort();
  return QUANTILES.map((p) => roundCut(quantileSorted(values, p)));
}

/** Cut points are reported rounded to 1e-9 to keep JSON free of float noise (3.0000000000000004). */
function roundCut(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}
