/**
 * What `predicted_orders(D)` and `predicted_clv(D)` share: one positive duration, the horizon. A
 * call compiles into the profile field `NAME(Nd)` with the horizon in days from as_of, which the
 * profiles evaluate with the fitted models.
 */
import { addDuration } from "../../calendar.js";
import { namedArgs, positionalArgs } from "../arguments.js";
import type { Node } from "../checked.js";
import type { Duration } from "../../calendar.js";
import type { DslFunction } from "./types.js";

export type PredictionFunction = "predicted_orders" | "predicted_clv";

/** The compiled field name of a prediction call: `predicted_orders(30d)`. */
export function predictionField(fn: PredictionFunction, days: number): string {
  return `${fn}(${days}d)`;
}

/** The function and horizon of a compiled prediction field, or undefined. */
export function parsePredictionField(
  name: string,
): { fn: PredictionFunction; days: number } | undefined {
  const match = /^(predicted_orders|predicted_clv)\((\d+)d\)$/.exec(name);
  if (match === null) return undefined;
  return { fn: match[1] as PredictionFunction, days: Number(match[2]) };
}

export type PredictionNode = {
  kind: "prediction";
  type: "number";
  fn: PredictionFunction;
  horizon: Duration;
} & Node;

export function predictionFunction(
  name: PredictionFunction,
  usage: string,
): DslFunction<PredictionNode> {
  const fn: DslFunction<PredictionNode> = {
    name,
    usage,
    kind: "prediction",
    orderRows: false,
    check(expr, cx) {
      namedArgs(cx, fn, expr, []);
      const [arg] = positionalArgs(cx, fn, expr, 1, 1);
      if (arg === undefined) return undefined;
      const value = arg.value;
      const text = cx.snippet(value.span);
      if (value.kind !== "duration") {
        const hint =
          value.kind === "number"
            ? `add a unit: ${name}(${text}d)`
            : value.kind === "offset"
              ? `write ${name}(${text.slice(1)})`
              : `usage: ${usage}`;
        cx.error(
          "ARGUMENT_TYPE",
          `${name}() needs a horizon like 30d, but ${text} is not a duration`,
          value.span,
          hint,
        );
        return undefined;
      }
      if (value.duration.count === 0) {
        cx.error(
          "EMPTY_HORIZON",
          `${name}(${text}): a horizon of 0 predicts nothing`,
          value.span,
          `give the period to predict, e.g. ${usage}`,
        );
        return undefined;
      }
      return {
        kind: "prediction",
        type: "number",
        fn: name,
        horizon: value.duration,
        nullable: true,
        span: expr.span,
      };
    },
    compile(node, cx) {
      // The horizon in days from as_of (calendar months and years as they fall).
      const days = addDuration(cx.asOf, node.horizon, 1) - cx.asOf;
      return {
        kind: "field",
        type: "number",
        name: predictionField(node.fn, days),
        span: node.span,
      };
    },
  };
  return fn;
}
