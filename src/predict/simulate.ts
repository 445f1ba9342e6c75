/**
 * Synthetic customers of the BG/NBD and Gamma-Gamma story, for tests and the bench: each draws a
 * purchase rate λ ~ Gamma(r, α) per week, a dropout probability p ~ Beta(a, b) and a spend scale
 * ν ~ Gamma(q, γ); buys at Poisson times until they drop out after a purchase (with probability
 * p) or as_of comes; each purchase is Gamma(p_spend, ν). First purchases are spread over the
 * `acquisitionDays` before `asOf − minimumAgeDays`. Seeded: the same seed, the same customers.
 */
import { Random } from "../demo/random.js";
import type { BgNbdParams } from "./bgnbd.js";
import type { GammaGammaParams } from "./gamma-gamma.js";
import type { PurchaseDays } from "./history.js";

/** A Gamma(shape, 1) draw (Marsaglia & Tsang 2000, with the boost for shape < 1). */
export function gammaVariate(random: Random, shape: number): number {
  if (shape < 1) return gammaVariate(random, shape + 1) * random.next() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const n = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
    const v = (1 + c * n) ** 3;
    if (v > 0 && Math.log(1 - random.next()) < 0.5 * n * n + d - d * v + d * Math.log(v))
      return d * v;
  }
}

export interface SimulationOptions {
  seed: number;
  asOf: number;
  acquisitionDays: number;
  minimumAgeDays: number;
  spend?: GammaGammaParams;
}

export function simulateCustomers(
  customers: number,
  params: BgNbdParams,
  options: SimulationOptions,
): PurchaseDays {
  const random = new Random(options.seed);
  const spend = options.spend ?? { p: 6, q: 4, gamma: 15 };
  const days: number[][] = [];
  const totalSpent = new Float64Array(customers);
  const firstDaySpent = new Float64Array(customers);
  for (let c = 0; c < customers; c++) {
    const lambda = gammaVariate(random, params.r) / params.alpha;
    const ga = gammaVariate(random, params.a);
    const dropout = ga / (ga + gammaVariate(random, params.b));
    const nu = gammaVariate(random, spend.q) / spend.gamma;
    const first =
      options.asOf - options.minimumAgeDays - Math.floor(random.next() * options.acquisitionDays);
    const own = [first];
    let spent = gammaVariate(random, spend.p) / nu;
    firstDaySpent[c] = spent;
    let t = first;
    for (;;) {
      t += (-Math.log(1 - random.next()) / lambda) * 7;
      if (t > options.asOf + 1) break;
      const day = Math.floor(t);
      if (day > options.asOf) break;
      const amount = gammaVariate(random, spend.p) / nu;
      if (day !== own[own.length - 1]) own.push(day);
      if (day === first) firstDaySpent[c] += amount;
      spent += amount;
      if (random.next() < dropout) break;
    }
    days.push(own);
    totalSpent[c] = spent;
  }
  return { days, totalSpent, firstDaySpent };
}
