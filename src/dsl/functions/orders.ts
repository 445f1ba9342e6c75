/** `orders(…)`: the number of orders in a window that match the filters. */
import { orderAggregateFunction } from "./order-aggregate.js";

export const orders = orderAggregateFunction("orders", "count");
