/**
 * The closed forms against published values (lifetimes' and BTYD's tests and vignette, Hardie's
 * spreadsheet) and against each other: the 2F1 series and the integral give the same expected
 * purchases where both apply, including long horizons and heavy buyers.
 */
import { describe, expect, it } from "vitest";
import { expectedPurchases, expectedPurchasesNew, probabilityAlive } from "./bgnbd.js";
import { expectedSpend } from "./gamma-gamma.js";
import { logHyp2f1 } from "./hyp2f1.js";
import { nelderMead } from "./optimize.js";
import { integrateUnit } from "./quadrature.js";
import { lnGamma } from "./special.js";

const PAPER = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const BTYD = { r: 0.2425982, alpha: 4.4136842, a: 0.7929899, b: 2.4261667 };

/** Equation (10) with the series summed to convergence, whatever z. */
function closedForm(p: typeof PAPER, x: number, tx: number, T: number, t: number): number {
  const { r, alpha, a, b } = p;
  const z = t / (alpha + T + t);
  const series = logHyp2f1(r + x, b + x, a + b + x - 1, z, 10_000_000);
  expect(series.converged).toBe(true);
  const bracket = -Math.expm1((r + x) * Math.log1p(-z) + series.log);
  return ((a + b + x - 1) / (a - 1)) * bracket * probabilityAlive(p, { x, tx, T });
}

describe("₂F₁ series", () => {
  it("sums known closed forms, with a running scale past 1e308", () => {
    // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z
    for (const z of [0.1, 0.5, 0.9, 0.99]) {
      expect(Math.exp(logHyp2f1(1, 1, 2, z).log)).toBeCloseTo(-Math.log1p(-z) / z, 12);
    }
    // ₂F₁(A, B; B; z) = (1 − z)^−A, here about e^2303.
    const big = logHyp2f1(1000, 5, 5, 0.9);
    expect(big.converged).toBe(true);
    expect(big.log / (1000 * -Math.log(0.1))).toBeCloseTo(1, 12);
    expect(logHyp2f1(2, 3, 4, 0).log).toBe(0);
  });

  it("integrates a beta density with an end-point singularity (a < 1)", () => {
    const a = 0.3;
    const b = 4;
    const logB = lnGamma(a) + lnGamma(b) - lnGamma(a + b);
    const { value, converged } = integrateUnit((p, q) =>
      Math.exp((a - 1) * Math.log(p) + (b - 1) * Math.log(q) - logB),
    );
    expect(converged).toBe(true);
    expect(value).toBeCloseTo(1, 11);
  });
});

describe("BG/NBD closed forms", () => {
  it("gives new customers' E[X(t)] of the lifetimes tests and the BTYD vignette", () => {
    const ts = [0.1429, 1, 3, 31.8571, 32, 78];
    const expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    // lifetimes asserts these spreadsheet values to 3 decimals (|difference| < 1.5e-3), with its
    // own fit (the Quickstart's parameters).
    const quickstart = { r: 0.242593, alpha: 4.413532, a: 0.792886, b: 2.425752 };
    ts.forEach((t, i) =>
      expect(Math.abs(expectedPurchasesNew(quickstart, t) - expected[i])).toBeLessThan(1.5e-3),
    );
    expect(expectedPurchasesNew(BTYD, 52)).toBeCloseTo(1.444004, 5);
  });

  it("shows the paradox of BTYD's vignette: more purchases long ago, fewer expected", () => {
    const values = [10, 15, 20, 25].map((x) => expectedPurchases(BTYD, { x, tx: 20, T: 39 }, 52));
    const btyd = [0.3474606, 0.04283391, 0.004158973, 0.0003583685];
    values.forEach((v, i) => expect(v / btyd[i]).toBeCloseTo(1, 4));
  });

  it("gives P(alive) = 1 to a customer who never bought again", () => {
    expect(probabilityAlive(PAPER, { x: 0, tx: 0, T: 30 })).toBe(1);
    expect(expectedPurchases(PAPER, { x: 0, tx: 0, T: 30 }, 0)).toBe(0);
  });

  it("agrees between the series and the integral for long horizons and heavy buyers", () => {
    const cases = [
      { x: 0, tx: 0, T: 1, t: 520 }, // z = 0.99: the integral
      { x: 50, tx: 30, T: 31, t: 520 }, // z = 0.94: the integral
      { x: 200, tx: 100, T: 104, t: 52 }, // terms grow to ~e^80 before they shrink: the series
      { x: 5, tx: 10, T: 40, t: 39 },
      { x: 1000, tx: 300, T: 300, t: 3000 },
    ];
    for (const { x, tx, T, t } of cases) {
      const value = expectedPurchases(PAPER, { x, tx, T }, t);
      expect(value / closedForm(PAPER, x, tx, T, t)).toBeCloseTo(1, 9);
    }
  });

  it("handles a = 1, where the closed form is 0/0, by the integral", () => {
    const h = { x: 3, tx: 20, T: 30 };
    const below = expectedPurchases({ ...PAPER, a: 1 - 1e-3 }, h, 39);
    const at = expectedPurchases({ ...PAPER, a: 1 }, h, 39);
    const above = expectedPurchases({ ...PAPER, a: 1 + 1e-3 }, h, 39);
    expect(at).toBeGreaterThan(Math.min(below, above));
    expect(at).toBeLessThan(Math.max(below, above));
    expect(at / ((below + above) / 2)).toBeCloseTo(1, 6);
  });
});

describe("Gamma-Gamma", () => {
  it("gives the expected spend of lifetimes' test (from Hardie's spreadsheet, to 0.2%)", () => {
    const params = { p: 6.25, q: 3.74, gamma: 15.44 };
    const close = (value: number, expected: number) =>
      expect(Math.abs(value / expected - 1)).toBeLessThan(2e-3);
    close(expectedSpend(params, 2, 22.345), 24.65);
    close(expectedSpend(params, 1, 11.77), 18.91);
    close(expectedSpend(params, 0, 0), 35.17);
    close(expectedSpend(params, 7, 73.7414), 71.46);
    expect(expectedSpend({ ...params, q: 0.9 }, 2, 20)).toBeNaN();
  });
});

describe("Nelder–Mead", () => {
  it("finds the minimum of Rosenbrock's valley and says it converged", () => {
    const f = (v: readonly number[]) => (1 - v[0]) ** 2 + 100 * (v[1] - v[0] ** 2) ** 2;
    const result = nelderMead(f, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
  });

  it("stays in the box and reports no convergence when evaluations run out", () => {
    const result = nelderMead((v) => -v[0] - v[1], [0, 0], { bound: 3, maxEvaluations: 50 });
    expect(Math.max(...result.x.map(Math.abs))).toBeLessThanOrEqual(3);
    const slow = nelderMead((v) => (v[0] - 1) ** 2 + (v[1] - 2) ** 2, [0, 0], {
      maxEvaluations: 5,
    });
    expect(slow.converged).toBe(false);
  });
});
