/**
 * `spent(…)`: the sum of the matching orders' totals, or of the matching lines' quantity × price
 * when an item filter (product, sku, category) is given.
 */
import { orderAggregateFunction } from "./order-aggregate.js";

export const spent = orderAggregateFunction("spent", "spent");
