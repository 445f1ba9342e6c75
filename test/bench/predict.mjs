// Bench: the prediction fit (BG/NBD + Gamma-Gamma) on synthetic customers of the BG/NBD story,
// with CDNOW-like parameters, whole-day purchase dates over two years of acquisition and a year
// of observation. Prints the time of each stage. Usage: npm run bench:predict [-- customers]
import { fitModels, Predictions } from "../../dist/predict/index.js";

const customers = Number(process.argv[2] ?? 1_000_000);
const asOf = 20_000;

function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gamma(rand, shape) {
  if (shape < 1) return gamma(rand, shape + 1) * rand() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const n = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
    const v = (1 + c * n) ** 3;
    if (v > 0 && Math.log(rand()) < 0.5 * n * n + d - d * v + d * Math.log(v)) return d * v;
  }
}

const rand = random(2005);
const truth = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, p: 6.25, q: 3.74, gamma: 15.44 };
const days = [];
const totalSpent = new Float64Array(customers);
const firstDaySpent = new Float64Array(customers);
let started = performance.now();
for (let c = 0; c < customers; c++) {
  const lambda = gamma(rand, truth.r) / truth.alpha; // per week
  const ga = gamma(rand, truth.a);
  const dropout = ga / (ga + gamma(rand, truth.b));
  const nu = gamma(rand, truth.q) / truth.gamma;
  const first = asOf - 365 - Math.floor(rand() * 730);
  const own = [first];
  let spent = gamma(rand, truth.p) / nu;
  firstDaySpent[c] = spent;
  let t = first;
  for (;;) {
    t += (-Math.log(rand()) / lambda) * 7;
    if (t > asOf) break;
    const day = Math.floor(t);
    const amount = gamma(rand, truth.p) / nu;
    if (day !== own[own.length - 1]) own.push(day);
    if (day === first) firstDaySpent[c] += amount;
    spent += amount;
    if (rand() < dropout) break;
  }
  days.push(own);
  totalSpent[c] = spent;
}
console.log(
  `generated ${customers.toLocaleString("en")} customers in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

started = performance.now();
const fit = fitModels({ days, totalSpent, firstDaySpent }, asOf);
const fitted = performance.now();
const predictions = new Predictions(fit);
predictions.orders(365);
const done = performance.now();
const bg = fit.bgnbd;
const gg = fit.gammaGamma;
console.log(
  `fit (summary + BG/NBD + Gamma-Gamma): ${((fitted - started) / 1000).toFixed(2)} s · ` +
    `P(alive), spend and predicted_orders(365d) for everyone: ${((done - fitted) / 1000).toFixed(2)} s`,
);
console.log(
  `BG/NBD r=${bg.params.r.toFixed(3)} α=${bg.params.alpha.toFixed(3)} a=${bg.params.a.toFixed(3)} b=${bg.params.b.toFixed(3)} ` +
    `(${bg.convergence.converged ? "converged" : "NOT converged"}, ${bg.convergence.evaluations} evaluations) on ${bg.customers.toLocaleString("en")} customers, ${fit.repeatBuyers.toLocaleString("en")} repeat buyers`,
);
console.log(
  `Gamma-Gamma p=${gg.params.p.toFixed(2)} q=${gg.params.q.toFixed(2)} γ=${gg.params.gamma.toFixed(2)} ` +
    `(${gg.convergence.converged ? "converged" : "NOT converged"}, ${gg.convergence.evaluations} evaluations)`,
);
console.log(`truth: ${JSON.stringify(truth)}`);
