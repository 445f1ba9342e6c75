/** `days_since(date)`: whole days from a date to as_of; null when the date is. */
import { namedArgs, positionalArgs } from "../arguments.js";
import type { CheckedExpr, Node } from "../checked.js";
import type { PlanExpr } from "../plan.js";
import type { Value } from "../evaluator.js";
import type { Getter } from "../evaluator.js";
import { mismatch } from "../wording.js";
import type { DslFunction, EvaluateContext } from "./types.js";

export type DaysSinceNode = { kind: "days_since"; type: "number"; arg: CheckedExpr } & Node;

export const daysSince: DslFunction<DaysSinceNode> = {
  name: "days_since",
  usage: "days_since(date)",
  kind: "days_since",
  orderRows: true,
  check(expr, cx) {
    namedArgs(cx, daysSince, expr, []);
    const [arg] = positionalArgs(cx, daysSince, expr, 1, 1);
    if (arg === undefined) return undefined;
    const checked = cx.check(arg.value);
    if (checked === undefined) return undefined;
    if (checked.type !== "date") {
      mismatch(cx, "date", arg.value, checked, "days_since() needs a date", "ARGUMENT_TYPE");
      return undefined;
    }
    return {
      kind: "days_since",
      type: "number",
      arg: checked,
      nullable: checked.nullable,
      span: expr.span,
    };
  },
  compile(node, cx) {
    return { kind: "days_since", type: "number", arg: cx.expr(node.arg), span: node.span };
  },
};

export function evaluateDaysSince<C>(
  node: Extract<PlanExpr, { kind: "days_since" }>,
  cx: EvaluateContext<C>,
): Getter<C> {
  const arg = cx.compile(node.arg);
  const asOf = cx.asOf;
  return (c): Value => {
    const day = arg(c);
    return typeof day === "number" ? asOf - day : null;
  };
}
