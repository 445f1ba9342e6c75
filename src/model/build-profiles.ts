/**
 * What a run needs from the data: the aggregates and fields its segments use, and the
 * `orders_filter`. Readers keep exactly that, whether the rows come from files or from memory.
 */
import type { AggregateSpec, PlanExpr } from "../dsl/plan.js";

/** What the plan needs from the data. */
export interface DataNeeds {
  aggregates: readonly AggregateSpec[];
  /** Profile fields used (to keep only the custom properties and lists that are needed). */
  fields: readonly string[];
  ordersFilter?: PlanExpr;
  /** Keep purchase days for the prediction models even if no field asks (`audience predict`). */
  predictions?: boolean;
}
