/** `predicted_clv(365d)`: the expected spend in the horizon (BG/NBD × Gamma-Gamma). */
import { predictionFunction } from "./prediction.js";

export const predictedClv = predictionFunction("predicted_clv", "predicted_clv(365d)");
