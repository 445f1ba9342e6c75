/** The fit on simulated customers: it recovers the parameters, and says when it cannot. */
import { describe, expect, it } from "vitest";
import type { History } from "./bgnbd.js";
import {
  bgnbdObjective,
  fitBgNbd,
  fitGammaGamma,
  gammaGammaObjective,
  groupHistories,
  groupSpenders,
} from "./fit.js";
import type { ValueAndGradient } from "./optimize.js";
import { fitModels } from "./predictions.js";

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gamma(shape, 1) by Marsaglia–Tsang (with the boost for shape < 1). */
function gamma(rand: () => number, shape: number): number {
  if (shape < 1) return gamma(rand, shape + 1) * rand() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const u1 = rand();
    const u2 = rand();
    const n = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    const v = (1 + c * n) ** 3;
    if (v > 0 && Math.log(rand()) < 0.5 * n * n + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Customers of the BG/NBD story, observed for T weeks each, in whole days. */
function simulate(n: number, seed: number, p: { r: number; alpha: number; a: number; b: number }) {
  const rand = random(seed);
  const histories: History[] = [];
  for (let i = 0; i < n; i++) {
    const lambda = gamma(rand, p.r) / p.alpha;
    const ga = gamma(rand, p.a);
    const dropout = ga / (ga + gamma(rand, p.b));
    const T = (7 * 52 - Math.floor(rand() * 90)) / 7;
    let t = 0;
    let x = 0;
    let tx = 0;
    for (;;) {
      t += -Math.log(rand()) / lambda;
      if (t > T) break;
      x++;
      tx = t;
      if (rand() < dropout) break;
    }
    histories.push({ x, tx: Math.floor(tx * 7) / 7, T });
  }
  return histories;
}

/** The analytic gradient against central differences. */
function expectGradient(f: (theta: readonly number[]) => ValueAndGradient, theta: number[]) {
  const { gradient } = f(theta);
  theta.forEach((_, k) => {
    const h = 1e-6;
    const up = [...theta];
    const down = [...theta];
    up[k] += h;
    down[k] -= h;
    const numeric = (f(up).value - f(down).value) / (2 * h);
    expect(Math.abs(gradient[k] - numeric)).toBeLessThan(1e-7 * (1 + Math.abs(numeric)));
  });
}

describe("objectives", () => {
  it("have the gradients of their log-likelihoods (BG/NBD, Gamma-Gamma)", () => {
    const histories = simulate(500, 5, { r: 0.5, alpha: 5, a: 0.8, b: 2.5 });
    const grouped = groupHistories(histories);
    expectGradient((t) => bgnbdObjective(t, grouped), [Math.log(0.4), 1.5, -0.3, 1]);
    expectGradient((t) => bgnbdObjective(t, grouped), [2, 3, 8, 10]);
    const rand = random(9);
    const spenders = groupSpenders(
      Array.from({ length: 300 }, () => ({ x: 1 + Math.floor(rand() * 5), m: 5 + 50 * rand() })),
    );
    expectGradient((t) => gammaGammaObjective(t, spenders), [1.8, 1.3, 2.7]);
  });
});

describe("fitBgNbd", () => {
  it("recovers the parameters of 10,000 simulated customers", () => {
    const truth = { r: 0.5, alpha: 5, a: 0.8, b: 2.5 };
    const fit = fitBgNbd(simulate(10_000, 7, truth));
    expect(fit.convergence.converged).toBe(true);
    expect(fit.convergence.atBound).toEqual([]);
    expect(fit.params.r / truth.r).toBeCloseTo(1, 0);
    expect(fit.params.alpha / truth.alpha).toBeCloseTo(1, 0);
    expect(fit.params.a / (fit.params.a + fit.params.b)).toBeCloseTo(0.8 / 3.3, 1);
  });

  it("converges when every customer has the same dropout probability (a, b large)", () => {
    // Beta(a, b) with a, b huge is a point mass at a/(a+b).
    const fit = fitBgNbd(simulate(5_000, 11, { r: 0.5, alpha: 5, a: 2e6, b: 8e6 }));
    expect(fit.convergence.converged).toBe(true);
    expect(fit.params.a + fit.params.b).toBeGreaterThan(50);
    expect(fit.params.a / (fit.params.a + fit.params.b)).toBeCloseTo(0.2, 1);
  });
});

describe("fitGammaGamma", () => {
  it("recovers p, q, γ from simulated mean amounts", () => {
    const rand = random(3);
    const truth = { p: 6, q: 4, gamma: 15 };
    const buyers = Array.from({ length: 3000 }, () => {
      const x = 1 + Math.floor(rand() * 6);
      const nu = gamma(rand, truth.q) / truth.gamma;
      let sum = 0;
      for (let i = 0; i < x; i++) sum += gamma(rand, truth.p) / nu;
      return { x, m: sum / x };
    });
    const fit = fitGammaGamma(buyers);
    expect(fit.convergence.converged).toBe(true);
    expect(fit.params.p / truth.p).toBeCloseTo(1, 0);
    expect((fit.params.p * fit.params.gamma) / (fit.params.q - 1)).toBeCloseTo(30, -1);
  });
});

describe("fitModels", () => {
  it("refuses fewer than 30 repeat buyers, naming the count", () => {
    const days = Array.from({ length: 40 }, (_, i) => (i < 29 ? [100, 110 + i] : [100]));
    const fit = fitModels(
      { days, totalSpent: days.map(() => 20), firstDaySpent: days.map(() => 10) },
      200,
    );
    expect(fit.bgnbd).toBeUndefined();
    expect(fit.problems).toEqual([
      {
        code: "PREDICTION_TOO_FEW_REPEAT_BUYERS",
        message:
          "predictions need at least 30 customers who bought on two different days; found 29 among 40 buyers",
      },
    ]);
  });
});
