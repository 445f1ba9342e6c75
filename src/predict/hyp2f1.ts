/**
 * The Gaussian hypergeometric function ₂F₁(A, B; C; z) for 0 ≤ z < 1, as its defining series
 * Σ (A)ₙ(B)ₙ / ((C)ₙ n!) zⁿ. The BG/NBD conditional expectation needs it with A = r + x,
 * B = b + x, C = a + b + x − 1: for a customer with many purchases the terms first grow like
 * n^(r + x − a) zⁿ before they shrink, and the sum can pass 1e308, so it is summed with a running
 * scale and returned as a logarithm. The tail is bounded from the ratio of successive terms, so
 * the result is exact to a few ulps whenever the series has converged; callers that need z close
 * to 1 (where convergence takes many terms) use the integral instead (`bgnbd.ts`).
 */

export interface SeriesResult {
  /** ln ₂F₁(A, B; C; z), or NaN when the sum is not positive or the series did not converge. */
  log: number;
  /** Terms summed. */
  terms: number;
  converged: boolean;
}

const RESCALE = 1e200;
const LOG_RESCALE = Math.log(RESCALE);

export function logHyp2f1(
  A: number,
  B: number,
  C: number,
  z: number,
  maxTerms = 200_000,
): SeriesResult {
  if (z === 0) return { log: 0, terms: 1, converged: true };
  let term = 1;
  let sum = 1;
  let logScale = 0;
  for (let n = 0; n < maxTerms; n++) {
    const ratio = (((A + n) * (B + n)) / ((C + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (Math.abs(sum) > RESCALE) {
      sum /= RESCALE;
      term /= RESCALE;
      logScale += LOG_RESCALE;
    }
    // Past the largest term the ratios move monotonically towards z; the tail is at most a
    // geometric series with the larger of the two.
    const q = Math.max(Math.abs(ratio), z);
    if (q < 1 && n > 0 && Math.abs(term) * (q / (1 - q)) <= 1e-17 * Math.abs(sum)) {
      const converged = sum > 0;
      return { log: converged ? logScale + Math.log(sum) : NaN, terms: n + 2, converged };
    }
  }
  return { log: NaN, terms: maxTerms + 1, converged: false };
}
