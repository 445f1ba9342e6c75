/**
 * The functions of the expression language, one module each: its usage, argument checking,
 * compilation into the plan and, where its plan node has one, its evaluation. The checker, the
 * compiler and the environments find a function here and nowhere else; adding one is adding its
 * module and its entry below (and its node to `FunctionNode`).
 *
 * The order is the documentation's, and the order `available here:` hints list them in.
 */
import type { DaysSinceNode } from "./days-since.js";
import { daysSince } from "./days-since.js";
import { events, type EventAggregateNode } from "./events.js";
import { inSegment, type InSegmentNode } from "./in-segment.js";
import type { OrderAggregateNode } from "./order-aggregate.js";
import { orders } from "./orders.js";
import { predictedClv } from "./predicted-clv.js";
import { predictedOrders } from "./predicted-orders.js";
import type { PredictionNode } from "./prediction.js";
import { spent } from "./spent.js";
import { startsWith, type StartsWithNode } from "./starts-with.js";
import type { CheckedExpr } from "../checked.js";
import type { PlanExpr } from "../plan.js";
import type { CompileContext, DslFunction } from "./types.js";

/** The checked node of a function call. */
export type FunctionNode =
  | OrderAggregateNode
  | EventAggregateNode
  | InSegmentNode
  | DaysSinceNode
  | PredictionNode
  | StartsWithNode;

export const FUNCTIONS = {
  orders,
  spent,
  events,
  in_segment: inSegment,
  days_since: daysSince,
  starts_with: startsWith,
  predicted_orders: predictedOrders,
  predicted_clv: predictedClv,
} as const satisfies Record<string, DslFunction<FunctionNode>>;

export type FunctionName = keyof typeof FUNCTIONS;

export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];

export function isFunctionName(name: string): name is FunctionName {
  return Object.hasOwn(FUNCTIONS, name);
}

const BY_KIND: ReadonlyMap<string, DslFunction<FunctionNode>> = new Map(
  Object.values(FUNCTIONS).map((fn: DslFunction<FunctionNode>) => [fn.kind, fn]),
);

/** Whether a checked node is a function call's. */
export function isFunctionNode(node: CheckedExpr): node is FunctionNode {
  return BY_KIND.has(node.kind);
}

/** Compiles a function call's node the way its function says. */
export function compileCall(node: FunctionNode, cx: CompileContext): PlanExpr {
  const fn = BY_KIND.get(node.kind);
  if (fn === undefined) throw new Error(`no function compiles ${node.kind} nodes`);
  return fn.compile(node, cx);
}
