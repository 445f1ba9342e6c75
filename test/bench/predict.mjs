// Bench: the prediction fit (BG/NBD + Gamma-Gamma) on synthetic customers of the BG/NBD story,
// with CDNOW-like parameters, whole-day purchase dates over two years of acquisition and a year
// of observation. Prints the time of each stage. Usage: npm run bench:predict [-- customers]
import { fitModels, Predictions } from "../../dist/predict/index.js";
import { simulateCustomers } from "../../dist/predict/simulate.js";

const customers = Number(process.argv[2] ?? 1_000_000);
const asOf = 20_000;

const truth = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, p: 6.25, q: 3.74, gamma: 15.44 };
let started = performance.now();
const data = simulateCustomers(customers, truth, {
  seed: 2005,
  asOf,
  acquisitionDays: 730,
  minimumAgeDays: 365,
  spend: { p: truth.p, q: truth.q, gamma: truth.gamma },
});
console.log(
  `generated ${customers.toLocaleString("en")} customers in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

started = performance.now();
const fit = fitModels(data, asOf);
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
