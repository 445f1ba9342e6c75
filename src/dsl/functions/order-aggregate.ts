/**
 * What `orders(…)` and `spent(…)` share: named arguments only, a time window and the order-level
 * (`channel`) and line-level (`product`, `sku`, `category`) filters. A call compiles into an
 * aggregate of the run's table (identical calls are computed once); the data engine computes it.
 */
import { checkWindow, namedArgs, textFilter, WINDOW_ARGS } from "../arguments.js";
import type { CheckedWindow, Node } from "../checked.js";
import { patternsOf } from "./filters.js";
import type { DslFunction } from "./types.js";

export type OrderAggregateNode = {
  kind: "order_aggregate";
  type: "number";
  measure: "count" | "spent";
  window: CheckedWindow;
  channel: string[] | null;
  product: string[] | null;
  sku: string[] | null;
  category: string[] | null;
} & Node;

const ORDER_ARGS = [...WINDOW_ARGS, "product", "sku", "category", "channel"] as const;

export function orderAggregateFunction(
  name: "orders" | "spent",
  measure: "count" | "spent",
): DslFunction<OrderAggregateNode> {
  const fn: DslFunction<OrderAggregateNode> = {
    name,
    usage: `${name}(within: 30d, since: D, until: D, product: "…", sku: "…", category: "…", channel: "…")`,
    kind: "order_aggregate",
    orderRows: false,
    check(expr, cx) {
      for (const arg of expr.args) {
        if (arg.kind === "positional") {
          cx.error(
            "POSITIONAL_ARGUMENT",
            `${name}() takes named arguments only`,
            arg.span,
            `name it, e.g. ${name}(category: "…", within: 30d)`,
          );
        }
      }
      const named = namedArgs(cx, fn, expr, ORDER_ARGS);
      const checkedWindow = checkWindow(cx, named);
      const filter = (filterName: "channel" | "product" | "sku" | "category") => {
        const arg = named.get(filterName);
        return arg === undefined ? null : textFilter(cx, arg.value, filterName);
      };
      return {
        kind: "order_aggregate",
        type: "number",
        measure,
        window: checkedWindow,
        channel: filter("channel"),
        product: filter("product"),
        sku: filter("sku"),
        category: filter("category"),
        nullable: false,
        span: expr.span,
      };
    },
    compile(node, cx) {
      const index = cx.aggregates.add({
        source: "orders",
        measure: node.measure,
        window: cx.window(node.window),
        channel: patternsOf(node.channel),
        product: patternsOf(node.product),
        sku: patternsOf(node.sku),
        category: patternsOf(node.category),
      });
      return { kind: "aggregate", type: "number", index, span: node.span };
    },
  };
  return fn;
}
