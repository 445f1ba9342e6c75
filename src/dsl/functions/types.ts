/**
 * What one function of the expression language is: its name and usage, where it may be called,
 * how a call is checked (arguments, types, messages) and how a checked call compiles into the plan.
 * A function whose plan node has its own evaluation exports it beside (`evaluate*`), and the
 * evaluator calls it for that node.
 */
import type { AggregateTable } from "../compiler.js";
import type { CallExpr, CheckContext } from "../check-context.js";
import type { CheckedExpr, CheckedWindow, DateBound } from "../checked.js";
import type { Getter } from "../evaluator.js";
import type { DayWindow, PlanExpr } from "../plan.js";
import type { EpochDay } from "../../calendar.js";

/** What a function's `compile` gets from the compiler. */
export interface CompileContext {
  readonly asOf: EpochDay;
  readonly aggregates: AggregateTable;
  /** Compiles a sub-expression. */
  expr(node: CheckedExpr): PlanExpr;
  /** A DATE, an OFFSET (from as_of) or `today`, as an epoch day. */
  day(bound: DateBound): EpochDay;
  /** A checked window as inclusive day bounds (data after as_of never counts). */
  window(window: CheckedWindow): DayWindow;
}

/** What a function's `evaluate*` gets from the evaluator. */
export interface EvaluateContext<C> {
  readonly asOf: EpochDay;
  /** Compiles a sub-expression of the plan into a getter. */
  compile(node: PlanExpr): Getter<C>;
}

/**
 * One function. `N` is the checked node a call becomes; `kind` names it, and the compiler finds
 * the function of a node by that kind (two functions may share a kind: `orders` and `spent`).
 */
export interface DslFunction<N extends CheckedExpr = CheckedExpr> {
  readonly name: string;
  /** How it is called, for hints: `days_since(date)`. */
  readonly usage: string;
  readonly kind: N["kind"];
  /** Whether `orders_filter:` (one order row) may call it; every function works on profiles. */
  readonly orderRows: boolean;
  /** Checks the arguments of `call`; reports problems through `cx` and returns the node. */
  check(call: CallExpr, cx: CheckContext): N | undefined;
  compile(node: N, cx: CompileContext): PlanExpr;
}
