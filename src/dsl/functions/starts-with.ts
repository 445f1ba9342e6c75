/** `starts_with(text, prefix)`: whether a string starts with another, without case. */
import { namedArgs, positionalArgs } from "../arguments.js";
import type { CheckedExpr, Node } from "../checked.js";
import type { Getter } from "../evaluator.js";
import type { PlanExpr } from "../plan.js";
import { mismatch } from "../wording.js";
import type { DslFunction, EvaluateContext } from "./types.js";

export type StartsWithNode = {
  kind: "starts_with";
  type: "boolean";
  text: CheckedExpr;
  prefix: CheckedExpr;
} & Node;

export const startsWith: DslFunction<StartsWithNode> = {
  name: "starts_with",
  usage: "starts_with(text, prefix)",
  kind: "starts_with",
  orderRows: true,
  check(expr, cx) {
    namedArgs(cx, startsWith, expr, []);
    const [text, prefix] = positionalArgs(cx, startsWith, expr, 2, 2);
    if (text === undefined || prefix === undefined) return undefined;
    const textChecked = cx.check(text.value);
    const prefixChecked = cx.check(prefix.value);
    if (textChecked === undefined || prefixChecked === undefined) return undefined;
    let failed = false;
    for (const [arg, checked, role] of [
      [text, textChecked, "text"],
      [prefix, prefixChecked, "prefix"],
    ] as const) {
      if (checked.type !== "string") {
        mismatch(
          cx,
          "string",
          arg.value,
          checked,
          `starts_with() needs a string as its ${role}`,
          "ARGUMENT_TYPE",
        );
        failed = true;
      }
    }
    if (failed) return undefined;
    return {
      kind: "starts_with",
      type: "boolean",
      text: textChecked,
      prefix: prefixChecked,
      nullable: false,
      span: expr.span,
    };
  },
  compile(node, cx) {
    return {
      kind: "starts_with",
      type: "boolean",
      text: cx.expr(node.text),
      prefix: cx.expr(node.prefix),
      span: node.span,
    };
  },
};

export function evaluateStartsWith<C>(
  node: Extract<PlanExpr, { kind: "starts_with" }>,
  cx: EvaluateContext<C>,
): Getter<C> {
  const text = cx.compile(node.text);
  const prefix = cx.compile(node.prefix);
  return (c) => {
    const t = text(c);
    const p = prefix(c);
    if (typeof t !== "string" || typeof p !== "string") return false;
    return t.toLowerCase().startsWith(p.toLowerCase());
  };
}
