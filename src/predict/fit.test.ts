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
import { summarize } from "./history.js";
import { fitModels } from "./predictions.js";
import { gammaVariate, simulateCustomers } from "./simulate.js";
import { Random } from "../demo/random.js";

/** Customers of the BG/NBD story over a year, as (x, t_x, T) in weeks. */
function simulate(n: number, seed: number, p: { r: number; alpha: number; a: number; b: number }) {
  const asOf = 20_000;
  const data = simulateCustomers(n, p, { seed, asOf, acquisitionDays: 90, minimumAgeDays: 274 });
  const s = summarize(data, asOf, false);
  const histories: History[] = [];
  for (let c = 0; c < n; c++) histories.push({ x: s.x[c], tx: s.tx[c], T: s.T[c] });
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
    const random = new Random(9);
    const spenders = groupSpenders(
      Array.from({ length: 300 }, () => ({ x: random.int(1, 5), m: 5 + 50 * random.next() })),
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
    const random = new Random(3);
    const truth = { p: 6, q: 4, gamma: 15 };
    const buyers = Array.from({ length: 3000 }, () => {
      const x = random.int(1, 6);
      const nu = gammaVariate(random, truth.q) / truth.gamma;
      let sum = 0;
      for (let i = 0; i < x; i++) sum += gammaVariate(random, truth.p) / nu;
      return { x, m: sum / x };
    });
    const fit = fitGammaGamma(buyers);
    expect(fit.convergence.converged).toBe(true);
    expect(fit.params.p / truth.p).toBeCloseTo(1, 0);
    expect((fit.params.p * fit.params.gamma) / (fit.params.q - 1)).toBeCloseTo(30, -1);
  });
});

describe("fitModels", () => {
  it("reports a spend model without a finite mean (q ≤ 1) as a problem, keeping BG/NBD", () => {
    const data = simulateCustomers(
      4000,
      { r: 0.5, alpha: 5, a: 0.8, b: 2.5 },
      {
        seed: 21,
        asOf: 20_000,
        acquisitionDays: 180,
        minimumAgeDays: 180,
        spend: { p: 6, q: 0.6, gamma: 15 },
      },
    );
    const fit = fitModels(data, 20_000);
    expect(fit.bgnbd?.convergence.converged).toBe(true);
    expect(fit.gammaGamma!.params.q).toBeLessThan(1);
    expect(fit.problems).toHaveLength(1);
    expect(fit.problems[0].code).toBe("PREDICTION_NOT_CONVERGED");
    expect(fit.problems[0].model).toBe("gamma_gamma");
    expect(fit.problems[0].message).toMatch(
      /^the Gamma-Gamma fit gives q = 0\.\d{3} ≤ 1: the mean spend is not finite$/,
    );
  });

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
        model: "bgnbd",
        message:
          "predictions need at least 30 customers who bought on two different days; found 29 among 40 buyers",
      },
    ]);
  });
});
