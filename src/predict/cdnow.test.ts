/**
 * BG/NBD and Gamma-Gamma on CDNOW (the 1/10 sample of Fader, Hardie & Lee 2005: 2,357 customers,
 * calibration to 1997-09-30, 39 weeks of holdout to 1998-06-30), read in place from
 * ../shared/data/cdnow/. The fitted parameters are the published ones to the published rounding;
 * every customer's P(alive) and expected purchases equal the same quantities computed another
 * way here (numerical integration of the model's definitions, no closed form, no ln Γ).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseIsoDay } from "../calendar.js";
import {
  bgnbdLogLikelihood,
  expectedPurchases,
  fitModels,
  probabilityAlive,
  type BgNbdParams,
  type ModelFit,
  type PurchaseDays,
} from "./index.js";

const FILE = fileURLToPath(
  new URL("../../../shared/data/cdnow/cdnowElog_BTYD.csv", import.meta.url),
);
const present = existsSync(FILE);
const CALIBRATION_END = parseIsoDay("1997-09-30") as number;
const HOLDOUT_END = parseIsoDay("1998-06-30") as number;

/** Distinct purchase days with their daily totals, per customer, up to `end`. */
function readCdnow(end: number): PurchaseDays {
  const byCustomer = new Map<string, Map<number, number>>();
  const lines = readFileSync(FILE, "utf8").trim().split("\n").slice(1);
  for (const line of lines) {
    const [id, , date, , sales] = line.split(",");
    const day = parseIsoDay(
      `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`,
    ) as number;
    if (day > end) continue;
    const days = byCustomer.get(id) ?? new Map<number, number>();
    byCustomer.set(id, days);
    days.set(day, (days.get(day) ?? 0) + Number(sales));
  }
  const days: number[][] = [];
  const totalSpent: number[] = [];
  const firstDaySpent: number[] = [];
  for (const perDay of byCustomer.values()) {
    const sorted = [...perDay.keys()].sort((p, q) => p - q);
    days.push(sorted);
    totalSpent.push([...perDay.values()].reduce((s, v) => s + v, 0));
    firstDaySpent.push(perDay.get(sorted[0]) as number);
  }
  return { days, totalSpent, firstDaySpent };
}

// ---- an independent computation: composite Gauss–Legendre, graded towards 0 ----

const GL = gaussLegendre(20);

function gaussLegendre(n: number): { x: number[]; w: number[] } {
  const x: number[] = [];
  const w: number[] = [];
  for (let i = 1; i <= n; i++) {
    let t = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = t;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * t * p1 - (k - 1) * p0) / k];
      dp = (n * (t * p1 - p0)) / (t * t - 1);
      const next = t - p1 / dp;
      if (Math.abs(next - t) < 1e-16) {
        t = next;
        break;
      }
      t = next;
    }
    x.push(t);
    w.push(2 / ((1 - t * t) * dp * dp));
  }
  return { x, w };
}

/** ∫ f over [lo, hi] in panels that shrink geometrically towards lo, then `uniform` equal ones. */
function integrate(f: (v: number) => number, lo: number, hi: number, uniform = 40): number {
  const edges: number[] = [];
  const width = hi - lo;
  for (let k = 60; k >= 1; k--) edges.push(lo + width * 2 ** -k);
  for (let k = 1; k <= uniform; k++) edges.push(lo + width * (0.5 + (0.5 * k) / uniform));
  let sum = 0;
  let left = lo;
  for (const right of edges) {
    const mid = (left + right) / 2;
    const half = (right - left) / 2;
    for (let i = 0; i < GL.x.length; i++) sum += GL.w[i] * half * f(mid + half * GL.x[i]);
    left = right;
  }
  return sum;
}

/**
 * ∫₀¹ g(p) p^(a−1) (1−p)^(c−1) dp with p = s^(1/a), which turns p^(a−1) dp into ds/a (the
 * constant 1/a cancels in every ratio below).
 */
function betaIntegral(g: (p: number) => number, a: number, c: number): number {
  return integrate(
    (s) => {
      const p = s ** (1 / a);
      return g(p) * (1 - p) ** (c - 1);
    },
    0,
    1,
  );
}

/** ∫₀^∞ λ^(k−1) e^(−λβ) dλ, numerically. */
function gammaIntegral(k: number, beta: number): number {
  const hi = (k + 80 + 12 * Math.sqrt(k)) / beta;
  return integrate((l) => l ** (k - 1) * Math.exp(-l * beta), 0, hi, 120);
}

/** P(alive) from the two parts of the likelihood, each integrated over p and λ. */
function independentAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = params;
  if (x === 0) return 1;
  const alive = betaIntegral((p) => (1 - p) ** x, a, b);
  const dropped = betaIntegral((p) => p * (1 - p) ** (x - 1), a, b);
  const ratio =
    (dropped / alive) * (gammaIntegral(r + x, alpha + tx) / gammaIntegral(r + x, alpha + T));
  return 1 / (1 + ratio);
}

/**
 * E[Y(t)] = P(alive) · E[(1 − e^(−λpt))/p] over the posterior of an alive customer, λ ~
 * Gamma(r+x, α+T) (integrated in closed form: its Laplace transform) and p ~ Beta(a, b+x)
 * (integrated numerically, with its normalising constant integrated the same way).
 */
function independentExpected(params: BgNbdParams, x: number, tx: number, T: number, t: number) {
  const { r, alpha, a, b } = params;
  const gain = (p: number) => (1 - (1 + (p * t) / (alpha + T)) ** -(r + x)) / p;
  const mean = betaIntegral(gain, a, b + x) / betaIntegral(() => 1, a, b + x);
  return independentAlive(params, x, tx, T) * mean;
}

describe.skipIf(!present)("CDNOW (Fader, Hardie & Lee 2005)", () => {
  let fit: ModelFit;
  let holdout: ModelFit;
  beforeAll(() => {
    fit = fitModels(readCdnow(CALIBRATION_END), CALIBRATION_END);
    holdout = fitModels(readCdnow(HOLDOUT_END), CALIBRATION_END, false);
  });

  it("has the paper's cohort: 2,357 customers, 946 repeat buyers", () => {
    expect(fit.summary.customers).toBe(2357);
    expect(fit.repeatBuyers).toBe(946);
    expect(fit.problems).toEqual([]);
  });

  it("fits BG/NBD to Table 1: r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4", () => {
    const bg = fit.bgnbd!;
    expect(bg.convergence.converged).toBe(true);
    expect(bg.params.r.toFixed(3)).toBe("0.243");
    expect(bg.params.alpha.toFixed(3)).toBe("4.414");
    expect(bg.params.a.toFixed(3)).toBe("0.793");
    expect(bg.params.b.toFixed(3)).toBe("2.426");
    expect(bg.logLikelihood.toFixed(1)).toBe("-9582.4");
    // The exact optimum on unrounded weeks (BTYD: −9582.429).
    expect(bg.logLikelihood).toBeCloseTo(-9582.429, 3);
  });

  it("fits Gamma-Gamma to p = 6.25, q = 3.74, γ = 15.44 on the 946 repeat buyers", () => {
    const gg = fit.gammaGamma!;
    expect(gg.customers).toBe(946);
    expect(gg.convergence.converged).toBe(true);
    expect(gg.params.p.toFixed(2)).toBe("6.25");
    expect(gg.params.q.toFixed(2)).toBe("3.74");
    expect(gg.params.gamma.toFixed(2)).toBe("15.44");
  });

  it("gives every customer the independently integrated P(alive) and E[Y(39 weeks)]", () => {
    const params = fit.bgnbd!.params;
    const s = fit.summary;
    let checked = 0;
    let worstAlive = 0;
    let worstExpected = 0;
    // Customers with the same history have the same independent values: integrate each once.
    const independent = new Map<string, [number, number]>();
    for (let c = 0; c < s.included.length; c++) {
      const h = { x: s.x[c], tx: s.tx[c], T: s.T[c] };
      const alive = probabilityAlive(params, h);
      const expected = expectedPurchases(params, h, 39);
      const key = `${h.x} ${h.tx} ${h.T}`;
      let values = independent.get(key);
      if (values === undefined) {
        values = [
          independentAlive(params, h.x, h.tx, h.T),
          independentExpected(params, h.x, h.tx, h.T, 39),
        ];
        independent.set(key, values);
      }
      const [alive2, expected2] = values;
      worstAlive = Math.max(worstAlive, Math.abs(alive - alive2) / alive2);
      worstExpected = Math.max(worstExpected, Math.abs(expected - expected2) / expected2);
      checked++;
    }
    expect(checked).toBe(2357);
    console.log(
      `CDNOW: ${independent.size} distinct histories; worst relative differences P(alive) ${worstAlive.toExponential(2)}, E[Y(39)] ${worstExpected.toExponential(2)}`,
    );
    expect(worstAlive).toBeLessThan(1e-6);
    expect(worstExpected).toBeLessThan(1e-6);
  });

  it("reproduces the published per-customer values", () => {
    const params = fit.bgnbd!.params;
    // lifetimes' test from Hardie's spreadsheet: x = 2, t_x = 30.43, T = 38.86 → 1.226 in 39 weeks.
    const paper = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    expect(expectedPurchases(paper, { x: 2, tx: 30.43, T: 38.86 }, 39)).toBeCloseTo(1.226, 3);
    // BTYD vignette, customer 1516 (x = 26, t_x = 30.85714, T = 31): 25.75659 in 52 weeks.
    const btyd = { r: 0.2425982, alpha: 4.4136842, a: 0.7929899, b: 2.4261667 };
    const h1516 = { x: 26, tx: 30.85714, T: 31 };
    expect(expectedPurchases(btyd, h1516, 52)).toBeCloseTo(25.75659, 3);
    expect(probabilityAlive(btyd, h1516)).toBeCloseTo(0.9688523, 6);
    // The paper's rounded parameters, on the exact weeks, give the paper's −9582.4.
    let ll = 0;
    const s = fit.summary;
    for (let c = 0; c < s.included.length; c++)
      ll += bgnbdLogLikelihood(paper, { x: s.x[c], tx: s.tx[c], T: s.T[c] });
    expect(ll.toFixed(1)).toBe("-9582.4");
    expect(ll).toBeLessThan(fit.bgnbd!.logLikelihood);
    expect(params.r).toBeCloseTo(btyd.r, 4);
  });

  it("counts 1,882 repeat purchase days in the 39-week holdout, by calibration frequency as in BTYD", () => {
    const s = holdout.summary;
    expect(s.customers).toBe(2357);
    let total = 0;
    const bins = new Array<number>(8).fill(0);
    const actual = new Array<number>(8).fill(0);
    for (let c = 0; c < s.included.length; c++) {
      if (s.included[c] !== 1) continue;
      total += s.after[c];
      const bin = Math.min(s.x[c], 7);
      bins[bin]++;
      actual[bin] += s.after[c];
    }
    expect(total).toBe(1882);
    expect(bins).toEqual([1411, 439, 214, 100, 62, 38, 29, 64]);
    expect(actual.map((v, i) => (v / bins[i]).toFixed(4))).toEqual([
      "0.2367",
      "0.6970",
      "1.3925",
      "1.5600",
      "2.5323",
      "2.9474",
      "3.8621",
      "6.3594",
    ]);
    // The calibration fit of the holdout run is the same fit.
    expect(holdout.bgnbd!.logLikelihood).toBeCloseTo(fit.bgnbd!.logLikelihood, 6);
  });
});

describe.skipIf(present)("CDNOW", () => {
  it("skipped: no ../shared", () => {});
});
