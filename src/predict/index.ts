/** Predictions (docs/design.md#predictions): BG/NBD, Gamma-Gamma, their fit, and per-customer values. Pure. */
export {
  bgnbdLogLikelihood,
  expectedPurchases,
  probabilityAlive,
  type BgNbdParams,
} from "./bgnbd.js";
export { type PurchaseDays } from "./history.js";
export { fitModels, Predictions, type ModelFit } from "./predictions.js";
