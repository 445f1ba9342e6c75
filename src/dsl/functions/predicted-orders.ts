/** `predicted_orders(30d)`: the expected number of orders in the horizon (BG/NBD). */
import { predictionFunction } from "./prediction.js";

export const predictedOrders = predictionFunction("predicted_orders", "predicted_orders(30d)");
