/**
 * Maximum-likelihood fits of BG/NBD and Gamma-Gamma. Parameters are searched as logarithms (so
 * they stay positive) in two stages: a restarted Nelder–Mead from several starts, on every
 * customer when there are at most SUBSAMPLE of them and on an evenly spread SUBSAMPLE otherwise,
 * finds the basin; BFGS with the analytic gradient then finishes on all customers in a few dozen
 * evaluations. The fit counts as converged when the gradient of the mean log-likelihood is flat
 * there.
 *
 * Customers with the same (x, t_x, T) share one likelihood term: with whole-day purchase dates a
 * million customers have far fewer distinct histories, and the ln Γ terms depend on x alone.
 */
import { type BgNbdParams, type History } from "./bgnbd.js";
import { type GammaGammaParams } from "./gamma-gamma.js";
import { bfgs, nelderMead, type ValueAndGradient } from "./optimize.js";
import { digamma, lnGamma } from "./special.js";

export interface Convergence {
  converged: boolean;
  /** Likelihood evaluations over all starts and both stages. */
  evaluations: number;
  starts: number;
  /** Largest |∂(mean log-likelihood)/∂(log parameter)| at the optimum (free parameters). */
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

const GRADIENT_TOLERANCE = 1e-6;
/** Log-parameters are searched in [−BOUND, BOUND]: 1e-6 … 1e6 (a shape of 1e6 is a constant). */
const BOUND = Math.log(1e6);
/** Beyond e^±DRIFT a parameter is taken to be heading for the bound. */
const DRIFT = Math.log(1e4);
/** The simplex stage runs on at most this many customers. */
const SUBSAMPLE = 10_000;
/** The simplex only has to find the basin: BFGS finishes. */
const SIMPLEX = { bound: BOUND, xTolerance: 1e-6, fTolerance: 1e-10 };

type Objective = (theta: readonly number[]) => ValueAndGradient;

// ---- BG/NBD ----

/** Distinct histories with their multiplicity. */
interface Grouped {
  x: Int32Array;
  tx: Float64Array;
  T: Float64Array;
  count: Float64Array;
  total: number;
  maxX: number;
}

/** Groups every `stride`-th history. Equal histories have equal floats (whole days). */
export function groupHistories(histories: readonly History[], stride = 1): Grouped {
  const index = new Map<string, number>();
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const count: number[] = [];
  let total = 0;
  let maxX = 0;
  for (let i = 0; i < histories.length; i += stride) {
    const h = histories[i];
    total++;
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
    if (h.x > maxX) maxX = h.x;
  }
  return {
    x: Int32Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    count: Float64Array.from(count),
    total,
    maxX,
  };
}

/**
 * −(mean log-likelihood) of grouped histories (equation 6, term by term) and its gradient with
 * respect to (ln r, ln α, ln a, ln b).
 */
export function bgnbdObjective(theta: readonly number[], g: Grouped): ValueAndGradient {
  const r = Math.exp(theta[0]);
  const alpha = Math.exp(theta[1]);
  const a = Math.exp(theta[2]);
  const b = Math.exp(theta[3]);
  // Terms that depend on x only: ln Γ(r+x) − ln Γ(r) + ln Γ(b+x) − ln Γ(b) + ln Γ(a+b) −
  // ln Γ(a+b+x) as sums of logs over j < x (exact for large a, b, where differences of ln Γ
  // lose digits), plus r ln α; and their derivatives.
  const maxX = g.maxX;
  const byX = new Float64Array(maxX + 1);
  const dR = new Float64Array(maxX + 1);
  const dA = new Float64Array(maxX + 1);
  const dB = new Float64Array(maxX + 1);
  const logAlpha = Math.log(alpha);
  byX[0] = r * logAlpha;
  dR[0] = logAlpha;
  for (let x = 1; x <= maxX; x++) {
    const j = x - 1;
    byX[x] = byX[j] + Math.log(r + j) + Math.log(b + j) - Math.log(a + b + j);
    dR[x] = dR[j] + 1 / (r + j);
    dA[x] = dA[j] - 1 / (a + b + j);
    dB[x] = dB[j] + 1 / (b + j) - 1 / (a + b + j);
  }
  const logA = Math.log(a);
  let sum = 0;
  let gr = 0;
  let gAlpha = 0;
  let ga = 0;
  let gb = 0;
  for (let i = 0; i < g.x.length; i++) {
    const x = g.x[i];
    const w = g.count[i];
    const shape = r + x;
    const logT = Math.log(alpha + g.T[i]);
    const a3 = -shape * logT;
    // Derivatives of the log-sum: (1 − share)·∂a3 + share·∂a4, share = e^a4/(e^a3 + e^a4).
    let term = a3;
    let dr = -logT;
    let dAlpha = -shape / (alpha + g.T[i]);
    let da = 0;
    let db = 0;
    if (x > 0) {
      const logTx = Math.log(alpha + g.tx[i]);
      const a4 = logA - Math.log(b + x - 1) - shape * logTx;
      let share: number;
      if (a3 > a4) {
        const e = Math.exp(a4 - a3);
        term = a3 + Math.log1p(e);
        share = e / (1 + e);
      } else {
        const e = Math.exp(a3 - a4);
        term = a4 + Math.log1p(e);
        share = 1 / (1 + e);
      }
      dr = (1 - share) * dr - share * logTx;
      dAlpha = (1 - share) * dAlpha - (share * shape) / (alpha + g.tx[i]);
      da = share / a;
      db = -share / (b + x - 1);
    }
    sum += w * (byX[x] + term);
    gr += w * (dR[x] + dr);
    gAlpha += w * (r / alpha + dAlpha);
    ga += w * (dA[x] + da);
    gb += w * (dB[x] + db);
  }
  const n = g.total;
  return {
    value: -sum / n,
    gradient: [(-gr * r) / n, (-gAlpha * alpha) / n, (-ga * a) / n, (-gb * b) / n],
  };
}

/** Fits BG/NBD to the histories (x, t_x, T in weeks). */
export function fitBgNbd(histories: readonly History[]): BgNbdFit {
  const all = groupHistories(histories);
  const sample =
    histories.length <= SUBSAMPLE
      ? all
      : groupHistories(histories, Math.ceil(histories.length / SUBSAMPLE));
  let sumT = 0;
  let sumX = 0;
  for (const h of histories) {
    sumT += h.T;
    sumX += h.x;
  }
  // Starts: unit parameters; a rate-matched α (mean purchases per week ≈ r/α); and a
  // low-dropout corner. Different basins are rare for BG/NBD, but a start on a flat ridge is not.
  const rate = Math.max(sumX / Math.max(sumT, 1e-9), 1e-6);
  const starts = [
    [0, 0, 0, 0],
    [0, Math.log(1 / rate), 0, Math.log(2)],
    [Math.log(0.5), Math.log(0.5 / rate), Math.log(0.5), Math.log(5)],
  ];
  const result = fitTwoStages(
    (theta) => bgnbdObjective(theta, sample),
    (theta) => bgnbdObjective(theta, all),
    starts,
    ["r", "alpha", "a", "b"],
  );
  const [r, alpha, a, b] = result.x.map(Math.exp);
  return {
    params: { r, alpha, a, b },
    logLikelihood: -result.value * all.total,
    customers: all.total,
    convergence: result.convergence,
  };
}

// ---- Gamma-Gamma ----

/** Repeat buyers grouped by x: Σ ln m per x, and each customer's (x, m) for the γ terms. */
interface Spenders {
  x: Int32Array;
  m: Float64Array;
  distinctX: number[];
  countByX: Map<number, number>;
  logMByX: Map<number, number>;
  total: number;
}

export function groupSpenders(buyers: readonly { x: number; m: number }[], stride = 1): Spenders {
  const x: number[] = [];
  const m: number[] = [];
  const countByX = new Map<number, number>();
  const logMByX = new Map<number, number>();
  for (let i = 0; i < buyers.length; i += stride) {
    const c = buyers[i];
    x.push(c.x);
    m.push(c.m);
    countByX.set(c.x, (countByX.get(c.x) ?? 0) + 1);
    logMByX.set(c.x, (logMByX.get(c.x) ?? 0) + Math.log(c.m));
  }
  return {
    x: Int32Array.from(x),
    m: Float64Array.from(m),
    distinctX: [...countByX.keys()],
    countByX,
    logMByX,
    total: x.length,
  };
}

/**
 * −(mean log-likelihood) of Fader & Hardie's (2013) equation, summed as
 *   Σ [ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m + px ln x − (px+q) ln(γ + m x)]
 * with everything but the last term grouped by x; gradient in (ln p, ln q, ln γ).
 */
export function gammaGammaObjective(theta: readonly number[], s: Spenders): ValueAndGradient {
  const p = Math.exp(theta[0]);
  const q = Math.exp(theta[1]);
  const gamma = Math.exp(theta[2]);
  const logGamma = Math.log(gamma);
  const lnGq = lnGamma(q);
  const psiQ = digamma(q);
  let sum = 0;
  let gp = 0;
  let gq = 0;
  let gg = 0;
  for (const x of s.distinctX) {
    const n = s.countByX.get(x) as number;
    const logM = s.logMByX.get(x) as number;
    const px = p * x;
    const psiSum = digamma(px + q);
    const logX = Math.log(x);
    sum += n * (lnGamma(px + q) - lnGamma(px) - lnGq + q * logGamma + px * logX) + (px - 1) * logM;
    gp += x * (n * (psiSum - digamma(px) + logX) + logM);
    gq += n * (psiSum - psiQ + logGamma);
    gg += (n * q) / gamma;
  }
  for (let i = 0; i < s.total; i++) {
    const x = s.x[i];
    const shape = p * x + q;
    const denominator = gamma + s.m[i] * x;
    const log = Math.log(denominator);
    sum -= shape * log;
    gp -= x * log;
    gq -= log;
    gg -= shape / denominator;
  }
  const n = s.total;
  return { value: -sum / n, gradient: [(-gp * p) / n, (-gq * q) / n, (-gg * gamma) / n] };
}

/** Fits Gamma-Gamma to repeat buyers: x ≥ 1 repeat purchases of mean amount m > 0. */
export function fitGammaGamma(buyers: readonly { x: number; m: number }[]): GammaGammaFit {
  const all = groupSpenders(buyers);
  const sample =
    buyers.length <= SUBSAMPLE ? all : groupSpenders(buyers, Math.ceil(buyers.length / SUBSAMPLE));
  let meanM = 0;
  for (const c of buyers) meanM += c.m / buyers.length;
  const scale = Math.log(Math.max(meanM, 1e-6));
  // Mean amount = pγ/(q−1): starts that match it, with more or less spread across customers.
  const starts = [
    [0, Math.log(2), scale],
    [Math.log(5), Math.log(3), scale + Math.log(2 / 5)],
    [0, Math.log(10), scale + Math.log(9)],
  ];
  const result = fitTwoStages(
    (theta) => gammaGammaObjective(theta, sample),
    (theta) => gammaGammaObjective(theta, all),
    starts,
    ["p", "q", "gamma"],
  );
  const [p, q, gamma] = result.x.map(Math.exp);
  return {
    params: { p, q, gamma },
    logLikelihood: -result.value * all.total,
    customers: all.total,
    convergence: result.convergence,
  };
}

// ---- both ----

function fitTwoStages(
  sampleObjective: Objective,
  fullObjective: Objective,
  starts: readonly number[][],
  names: readonly string[],
): { x: number[]; value: number; convergence: Convergence } {
  const value = (theta: readonly number[]) => sampleObjective(theta).value;
  const runs = starts.map((start) => nelderMead(value, start, SIMPLEX));
  let best = [...runs].sort((p, q) => p.value - q.value)[0];
  const agreeing = runs.filter(
    (run) => run.converged && Math.abs(run.value - best.value) <= 1e-8 * (1 + Math.abs(best.value)),
  ).length;
  // A parameter drifting towards 0 or ∞ along a flat ridge (a, b → ∞ with a/(a+b) fixed) makes
  // the simplex crawl: put the farthest one at the bound and fit the others with it fixed there;
  // again while another one then runs to the bound too (its partner on the ridge, e.g. a, settles
  // at a finite value once b is fixed).
  const fixed = new Array<boolean>(best.x.length).fill(false);
  for (;;) {
    let far = -1;
    const threshold = fixed.some(Boolean) ? BOUND - 1 : DRIFT;
    best.x.forEach((v, k) => {
      if (!fixed[k] && Math.abs(v) > threshold && (far < 0 || Math.abs(v) > Math.abs(best.x[far])))
        far = k;
    });
    if (far < 0 || fixed.filter((f) => !f).length <= 1) break;
    fixed[far] = true;
    const base = best.x.map((v, k) => (k === far ? Math.sign(v) * BOUND : v));
    const expand = restricted(base, fixed);
    const sub = nelderMead(
      (theta) => value(expand(theta)),
      base.filter((_, k) => !fixed[k]),
      SIMPLEX,
    );
    best = { ...sub, x: expand(sub.x) };
    runs.push(best);
  }
  // BFGS on every customer, with the fixed parameters held at the bound.
  const expand = restricted(best.x, fixed);
  const polish = bfgs(
    (theta) => {
      const full = fullObjective(expand(theta));
      return { value: full.value, gradient: full.gradient.filter((_, k) => !fixed[k]) };
    },
    best.x.filter((_, k) => !fixed[k]),
    { bound: BOUND, gradientTolerance: GRADIENT_TOLERANCE / 10 },
  );
  const x = expand(polish.x);
  const evaluations = runs.reduce((sum, run) => sum + run.evaluations, 0) + polish.evaluations;
  const at = fullObjective(x);
  const free = x.map((v, k) => !fixed[k] && Math.abs(v) < BOUND - 1e-6);
  const gradient = Math.max(0, ...at.gradient.filter((_, k) => free[k]).map(Math.abs));
  const atBound = names.filter((_, k) => Math.abs(x[k]) >= BOUND - 1e-6);
  let reason = "";
  if (!Number.isFinite(at.value)) reason = "the likelihood is not finite at any start";
  else if (gradient > GRADIENT_TOLERANCE)
    reason = `the likelihood is not flat at the optimum (gradient ${gradient.toExponential(1)})`;
  return {
    x,
    value: at.value,
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

/** Maps the free coordinates back into a full vector whose fixed coordinates are `base`'s. */
function restricted(
  base: readonly number[],
  fixed: readonly boolean[],
): (sub: readonly number[]) => number[] {
  const freeIndex = base.map((_, k) => k).filter((k) => !fixed[k]);
  return (sub) => {
    const full = [...base];
    freeIndex.forEach((k, i) => (full[k] = sub[i]));
    return full;
  };
}
