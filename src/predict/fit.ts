/**
 * Maximum-likelihood fits of BG/NBD and Gamma-Gamma. Parameters are searched as logarithms (so
 * they stay positive), from several starts, each with a restarted Nelder–Mead; the best start is
 * kept and the fit counts as converged when the simplex converged, the best starts agree and the
 * gradient of the mean log-likelihood is flat there.
 *
 * Customers with the same (x, t_x, T) share one likelihood term: with whole-day purchase dates a
 * million customers have far fewer distinct histories, and the ln Γ terms depend on x alone.
 */
import { type BgNbdParams, type History } from "./bgnbd.js";
import { gammaGammaLogLikelihood, type GammaGammaParams } from "./gamma-gamma.js";
import { nelderMead } from "./optimize.js";

export interface Convergence {
  converged: boolean;
  /** Likelihood evaluations over all starts. */
  evaluations: number;
  starts: number;
  /** Largest |∂(mean log-likelihood)/∂(log parameter)| at the optimum. */
  gradient: number;
  /** Why it did not converge (empty when it did). */
  reason: string;
  /**
   * Parameters that reached the search bound (e^±BOUND): the data cannot tell that parameter from
   * infinity (or 0), e.g. a, b → ∞ with a/(a+b) fixed means every customer has the same dropout
   * probability. The fit is then the limit model, and predictions from it are sound.
   */
  atBound: string[];
}

export interface BgNbdFit {
  params: BgNbdParams;
  logLikelihood: number;
  customers: number;
  convergence: Convergence;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  customers: number;
  convergence: Convergence;
}

/** Distinct histories with their multiplicity. */
interface Grouped {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  count: Float64Array;
  total: number;
}

const GRADIENT_TOLERANCE = 1e-5;
/** Log-parameters are searched in [−BOUND, BOUND]: 1e-6 … 1e6 (a shape of 1e6 is a constant). */
const BOUND = Math.log(1e6);
/** Beyond e^±DRIFT a parameter is taken to be heading for the bound. */
const DRIFT = Math.log(1e4);

/**
 * Groups histories. Times are compared exactly (they come from whole days, so equal histories
 * have equal floats).
 */
function groupHistories(histories: readonly History[]): Grouped {
  const index = new Map<string, number>();
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const count: number[] = [];
  for (const h of histories) {
    const key = `${h.x} ${h.tx} ${h.T}`;
    const at = index.get(key);
    if (at !== undefined) {
      count[at]++;
      continue;
    }
    index.set(key, x.length);
    x.push(h.x);
    tx.push(h.tx);
    T.push(h.T);
    count.push(1);
  }
  return {
    x: Float64Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    count: Float64Array.from(count),
    total: histories.length,
  };
}

/** The summed BG/NBD log-likelihood of grouped histories (equation 6, term by term). */
function groupedLogLikelihood(params: BgNbdParams, g: Grouped, maxX: number): number {
  const { r, alpha, a, b } = params;
  // Terms that depend on x only: ln Γ(r+x) − ln Γ(r) + ln Γ(b+x) − ln Γ(b) + ln Γ(a+b) −
  // ln Γ(a+b+x) as sums of logs over j < x (exact for large a, b, where differences of ln Γ
  // lose digits), plus r ln α.
  const byX = new Float64Array(maxX + 1);
  byX[0] = r * Math.log(alpha);
  for (let x = 1; x <= maxX; x++) {
    const j = x - 1;
    byX[x] = byX[j] + Math.log(r + j) + Math.log(b + j) - Math.log(a + b + j);
  }
  const logA = Math.log(a);
  let sum = 0;
  for (let i = 0; i < g.x.length; i++) {
    const x = g.x[i];
    const a3 = -(r + x) * Math.log(alpha + g.T[i]);
    let term = a3;
    if (x > 0) {
      const a4 = logA - Math.log(b + x - 1) - (r + x) * Math.log(alpha + g.tx[i]);
      term = a3 > a4 ? a3 + Math.log1p(Math.exp(a4 - a3)) : a4 + Math.log1p(Math.exp(a3 - a4));
    }
    sum += g.count[i] * (byX[x] + term);
  }
  return sum;
}

/** Fits BG/NBD to the histories (x, t_x, T in weeks). */
export function fitBgNbd(histories: readonly History[]): BgNbdFit {
  const grouped = groupHistories(histories);
  let maxX = 0;
  let sumT = 0;
  let sumX = 0;
  for (const h of histories) {
    if (h.x > maxX) maxX = h.x;
    sumT += h.T;
    sumX += h.x;
  }
  const n = grouped.total;
  const params = (theta: readonly number[]): BgNbdParams => ({
    r: Math.exp(theta[0]),
    alpha: Math.exp(theta[1]),
    a: Math.exp(theta[2]),
    b: Math.exp(theta[3]),
  });
  const objective = (theta: readonly number[]) =>
    -groupedLogLikelihood(params(theta), grouped, maxX) / n;
  // Starts: unit parameters; a rate-matched α (mean purchases per week ≈ r/α); and a
  // low-dropout corner. Different basins are rare for BG/NBD, but a start on a flat ridge is not.
  const rate = Math.max(sumX / Math.max(sumT, 1e-9), 1e-6);
  const starts = [
    [0, 0, 0, 0],
    [0, Math.log(1 / rate), 0, Math.log(2)],
    [Math.log(0.5), Math.log(0.5 / rate), Math.log(0.5), Math.log(5)],
  ];
  const result = bestOf(objective, starts, ["r", "alpha", "a", "b"]);
  return {
    params: params(result.x),
    logLikelihood: -result.value * n,
    customers: n,
    convergence: result.convergence,
  };
}

/** Fits Gamma-Gamma to repeat buyers: x ≥ 1 repeat purchases of mean amount m > 0. */
export function fitGammaGamma(buyers: readonly { x: number; m: number }[]): GammaGammaFit {
  const n = buyers.length;
  let meanM = 0;
  for (const c of buyers) meanM += c.m / n;
  const params = (theta: readonly number[]): GammaGammaParams => ({
    p: Math.exp(theta[0]),
    q: Math.exp(theta[1]),
    gamma: Math.exp(theta[2]),
  });
  const objective = (theta: readonly number[]) => {
    const pr = params(theta);
    let sum = 0;
    for (const c of buyers) sum += gammaGammaLogLikelihood(pr, c.x, c.m);
    return -sum / n;
  };
  // Mean amount = pγ/(q−1): starts that match it, with more or less spread across customers.
  const starts = [
    [0, Math.log(2), Math.log(Math.max(meanM, 1e-6))],
    [Math.log(5), Math.log(3), Math.log(Math.max((2 * meanM) / 5, 1e-6))],
    [Math.log(1), Math.log(10), Math.log(Math.max(9 * meanM, 1e-6))],
  ];
  const result = bestOf(objective, starts, ["p", "q", "gamma"]);
  return {
    params: params(result.x),
    logLikelihood: -result.value * n,
    customers: n,
    convergence: result.convergence,
  };
}

function bestOf(
  objective: (theta: readonly number[]) => number,
  starts: readonly number[][],
  names: readonly string[],
): { x: number[]; value: number; convergence: Convergence } {
  const runs = starts.map((start) => nelderMead(objective, start, { bound: BOUND }));
  const ranked = [...runs].sort((p, q) => p.value - q.value);
  let best = ranked[0];
  // A parameter drifting towards 0 or ∞ along a flat ridge (a, b → ∞ with a/(a+b) fixed) makes
  // the simplex crawl: put the farthest one at the bound and fit the others with it fixed there;
  // again while another one then runs to the bound too (its partner on the ridge, e.g. a, settles
  // at a finite value once b is fixed).
  const fixed = new Array<boolean>(best.x.length).fill(false);
  for (;;) {
    let far = -1;
    best.x.forEach((v, k) => {
      const threshold = fixed.some(Boolean) ? BOUND - 1 : DRIFT;
      if (!fixed[k] && Math.abs(v) > threshold && (far < 0 || Math.abs(v) > Math.abs(best.x[far])))
        far = k;
    });
    if (far < 0 || fixed.filter((f) => !f).length <= 1) break;
    fixed[far] = true;
    const base = best.x.map((v, k) => (k === far ? Math.sign(v) * BOUND : v));
    const freeIndex = base.map((_, k) => k).filter((k) => !fixed[k]);
    const expand = (sub: readonly number[]) => {
      const full = [...base];
      freeIndex.forEach((k, i) => (full[k] = sub[i]));
      return full;
    };
    const sub = nelderMead(
      (theta) => objective(expand(theta)),
      freeIndex.map((k) => base[k]),
      { bound: BOUND },
    );
    best = { ...sub, x: expand(sub.x) };
    runs.push(best);
  }
  const evaluations = runs.reduce((sum, run) => sum + run.evaluations, 0);
  const atBound = names.filter((_, k) => Math.abs(best.x[k]) >= BOUND - 1e-6);
  const free = best.x.map((v) => Math.abs(v) < BOUND - 1e-6);
  const gradient = maxGradient(objective, best.x, free);
  const agreeing = runs.filter(
    (run) => run.converged && Math.abs(run.value - best.value) <= 1e-8 * (1 + Math.abs(best.value)),
  ).length;
  let reason = "";
  if (!Number.isFinite(best.value)) reason = "the likelihood is not finite at any start";
  else if (!best.converged) reason = "the optimiser stopped before converging";
  else if (gradient > GRADIENT_TOLERANCE)
    reason = `the likelihood is not flat at the optimum (gradient ${gradient.toExponential(1)})`;
  return {
    x: best.x,
    value: best.value,
    convergence: {
      converged: reason === "",
      evaluations,
      starts: agreeing,
      gradient,
      reason,
      atBound,
    },
  };
}

/** max |∂f/∂θ_k| over the free coordinates, by central differences. */
function maxGradient(
  f: (theta: readonly number[]) => number,
  theta: readonly number[],
  free: readonly boolean[],
): number {
  let max = 0;
  for (let k = 0; k < theta.length; k++) {
    if (!free[k]) continue;
    const h = 1e-4;
    const up = [...theta];
    const down = [...theta];
    up[k] += h;
    down[k] -= h;
    max = Math.max(max, Math.abs((f(up) - f(down)) / (2 * h)));
  }
  return max;
}
