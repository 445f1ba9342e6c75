/**
 * The BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"). While
 * active, a customer buys at Poisson rate λ ~ Gamma(r, α); after each purchase they drop out with
 * probability p ~ Beta(a, b). A customer's history is summarised by x (repeat purchases), t_x
 * (time of the last purchase) and T (time observed), all measured from the first purchase, in
 * weeks here as in the paper.
 */
import { logHyp2f1 } from "./hyp2f1.js";
import { integrateUnit } from "./quadrature.js";
import { lnBeta, logAddExp } from "./special.js";

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** One customer's (x, t_x, T). */
export interface History {
  x: number;
  tx: number;
  T: number;
}

/** ln L(r, α, a, b | x, t_x, T): the paper's equation (6), for whole x ≥ 0. */
export function bgnbdLogLikelihood(params: BgNbdParams, h: History): number {
  const { r, alpha, a, b } = params;
  const { x, tx, T } = h;
  // ln Γ(r+x) − ln Γ(r) and ln Γ(a+b) + ln Γ(b+x) − ln Γ(b) − ln Γ(a+b+x) as sums over j < x.
  let a1 = r * Math.log(alpha);
  let a2 = 0;
  for (let j = 0; j < x; j++) {
    a1 += Math.log(r + j);
    a2 += Math.log(b + j) - Math.log(a + b + j);
  }
  const a3 = -(r + x) * Math.log(alpha + T);
  const a4 = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
  return a1 + a2 + logAddExp(a3, a4);
}

/**
 * The odds of having dropped out against being alive, δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x),
 * as a logarithm (−∞ for x = 0, who cannot have dropped out in this model).
 */
function logDeadOdds(params: BgNbdParams, h: History): number {
  const { r, alpha, a, b } = params;
  if (h.x === 0) return -Infinity;
  return (
    Math.log(a) -
    Math.log(b + h.x - 1) +
    (r + h.x) * (Math.log(alpha + h.T) - Math.log(alpha + h.tx))
  );
}

/** P(alive | x, t_x, T) (FHL 2005, appendix; 1 for x = 0). */
export function probabilityAlive(params: BgNbdParams, h: History): number {
  const odds = logDeadOdds(params, h);
  return odds === -Infinity ? 1 : 1 / (1 + Math.exp(odds));
}

/** Beyond this z = t/(α+T+t) the series needs too many terms; the integral takes over. */
const SERIES_LIMIT = 0.9;

/**
 * E[Y(t) | x, t_x, T]: expected purchases in the next t weeks (FHL 2005, equation 10):
 *
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] / (1 + odds)
 *
 * with the series summed in log space. For z close to 1 (horizons much longer than α+T) and for
 * a close to 1 (where the closed form is 0/0) the same expectation is computed as the integral it
 * comes from, P(alive) · E[(1 − e^(−λpt))/p] over the posterior λ ~ Gamma(r+x, α+T),
 * p ~ Beta(a, b+x), with λ integrated in closed form and p by tanh–sinh quadrature.
 */
export function expectedPurchases(params: BgNbdParams, h: History, t: number): number {
  if (!(t > 0)) return 0;
  const { r, alpha, a, b } = params;
  const { x, T } = h;
  const z = t / (alpha + T + t);
  const aliveShare = probabilityAlive(params, h);
  if (z <= SERIES_LIMIT && Math.abs(a - 1) > 1e-6) {
    const series = logHyp2f1(r + x, b + x, a + b + x - 1, z);
    if (series.converged) {
      const logG = (r + x) * Math.log1p(-z) + series.log;
      const bracket = -Math.expm1(logG);
      const value = ((a + b + x - 1) / (a - 1)) * bracket * aliveShare;
      if (Number.isFinite(value) && value >= 0) return value;
    }
  }
  return expectedPurchasesByIntegral(params, h, t) * aliveShare;
}

/** E[(1 − e^(−λpt))/p | alive]: the integral behind equation (10), without the P(alive) factor. */
function expectedPurchasesByIntegral(params: BgNbdParams, h: History, t: number): number {
  const { r, alpha, a, b } = params;
  const shape = r + h.x;
  const rate = t / (alpha + h.T);
  const logNorm = lnBeta(a, b + h.x);
  const beta = b + h.x;
  const { value } = integrateUnit((p, q) => {
    // (1 − E[e^(−λpt)]) / p with E over λ ~ Gamma(r+x, α+T): 1 − (1 + p·t/(α+T))^−(r+x).
    const gain = -Math.expm1(-shape * Math.log1p(p * rate)) / p;
    return gain * Math.exp((a - 1) * Math.log(p) + (beta - 1) * Math.log(q) - logNorm);
  });
  return value;
}

/** E[X(t)] for a customer just acquired (FHL 2005, equation 7), for checks and reports. */
export function expectedPurchasesNew(params: BgNbdParams, t: number): number {
  const { r, alpha, a, b } = params;
  const z = t / (alpha + t);
  const series = logHyp2f1(r, b, a + b - 1, z);
  const logG = r * Math.log1p(-z) + series.log;
  return ((a + b - 1) / (a - 1)) * -Math.expm1(logG);
}
