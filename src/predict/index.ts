/** Predictions (SPEC §12): BG/NBD, Gamma-Gamma, their fit, and per-customer values. Pure. */
export {
  bgnbdLogLikelihood,
  expectedPurchases,
  expectedPurchasesNew,
  probabilityAlive,
  type BgNbdParams,
  type History,
} from "./bgnbd.js";
export { expectedSpend, gammaGammaLogLikelihood, type GammaGammaParams } from "./gamma-gamma.js";
export {
  fitBgNbd,
  fitGammaGamma,
  type BgNbdFit,
  type Convergence,
  type GammaGammaFit,
} from "./fit.js";
export { DAYS_PER_WEEK, summarize, type PurchaseDays, type Summary } from "./history.js";
export {
  fitModels,
  MIN_REPEAT_BUYERS,
  Predictions,
  type ModelFit,
  type PredictionProblem,
} from "./predictions.js";
