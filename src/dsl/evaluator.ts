/**
 * Runs a compiled plan expression. `compileEvaluator` turns the plan tree into nested closures
 * once; evaluating a customer (or an order row) is then a plain function call, with nothing
 * re-parsed or re-resolved per evaluation.
 *
 * Semantics (docs/design.md#expressions): a comparison with null is false; `is [not] null` tests presence;
 * arithmetic with null gives null (so does division by zero); strings compare case-insensitively;
 * boolean results are never null.
 */
import { addDuration, type Duration, type EpochDay } from "../calendar.js";
import { evaluateDaysSince } from "./functions/days-since.js";
import { evaluateStartsWith } from "./functions/starts-with.js";
import type { EvaluateContext } from "./functions/types.js";
import type { CompareOp, PlanExpr } from "./plan.js";

export type Value = number | string | boolean | null | Duration | readonly Value[];

export type Getter<C> = (context: C) => Value;

/** Where values come from: the profile of a customer, or the cells of an order row. */
export interface Scope<C> {
  field(name: string): Getter<C>;
  prop(name: string): Getter<C>;
  aggregate(index: number): Getter<C>;
  inSegment(id: string): (context: C) => boolean;
}

function isDuration(value: Value): value is Duration {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "unit" in value;
}

function lower(value: Value): Value {
  return typeof value === "string" ? value.toLowerCase() : value;
}

/** Equality the language's way: strings without case, numbers and dates by value. */
function equal(a: Value, b: Value): boolean {
  if (typeof a === "string" && typeof b === "string")
    return a === b || a.toLowerCase() === b.toLowerCase();
  return a === b;
}

function compareValues(op: CompareOp, a: Value, b: Value): boolean {
  if (a === null || b === null) return false;
  if (op === "=") return equal(a, b);
  if (op === "!=") return !equal(a, b);
  let x: number | string;
  let y: number | string;
  if (typeof a === "string" && typeof b === "string") {
    x = a.toLowerCase();
    y = b.toLowerCase();
  } else if (typeof a === "number" && typeof b === "number") {
    x = a;
    y = b;
  } else {
    return false;
  }
  switch (op) {
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    case ">=":
      return x >= y;
    default: {
      const never: never = op;
      return never;
    }
  }
}

export function compileEvaluator<C>(expr: PlanExpr, scope: Scope<C>, asOf: EpochDay): Getter<C> {
  const compile = (node: PlanExpr): Getter<C> => {
    switch (node.kind) {
      case "literal": {
        const value = node.value as Value;
        return () => value;
      }
      case "list": {
        const items = node.items.map(compile);
        if (node.items.every((i) => i.kind === "literal")) {
          const constant = node.items.map((i) => (i as { value: Value }).value);
          return () => constant;
        }
        return (c) => items.map((item) => item(c));
      }
      case "field":
        return scope.field(node.name);
      case "prop":
        return scope.prop(node.name);
      case "aggregate":
        return scope.aggregate(node.index);
      case "in_segment":
        return scope.inSegment(node.segment);
      // Functions with a plan node of their own evaluate it beside their checking (functions/).
      case "days_since":
        return evaluateDaysSince(node, cx);
      case "starts_with":
        return evaluateStartsWith(node, cx);
      case "not": {
        const arg = compile(node.arg);
        return (c) => arg(c) !== true;
      }
      case "negate": {
        const arg = compile(node.arg);
        return (c) => {
          const v = arg(c);
          return typeof v === "number" ? -v : null;
        };
      }
      case "and": {
        const args = node.args.map(compile);
        if (args.length === 2) {
          const [a, b] = args;
          return (c) => a(c) === true && b(c) === true;
        }
        return (c) => args.every((a) => a(c) === true);
      }
      case "or": {
        const args = node.args.map(compile);
        if (args.length === 2) {
          const [a, b] = args;
          return (c) => a(c) === true || b(c) === true;
        }
        return (c) => args.some((a) => a(c) === true);
      }
      case "compare": {
        const left = compile(node.left);
        const right = compile(node.right);
        const op = node.op;
        if (node.right.kind === "literal" && typeof node.right.value === "number") {
          const k = node.right.value;
          switch (op) {
            case "<":
              return (c) => {
                const v = left(c);
                return typeof v === "number" && v < k;
              };
            case "<=":
              return (c) => {
                const v = left(c);
                return typeof v === "number" && v <= k;
              };
            case ">":
              return (c) => {
                const v = left(c);
                return typeof v === "number" && v > k;
              };
            case ">=":
              return (c) => {
                const v = left(c);
                return typeof v === "number" && v >= k;
              };
            case "=":
              return (c) => left(c) === k;
            case "!=":
              return (c) => {
                const v = left(c);
                return typeof v === "number" && v !== k;
              };
          }
        }
        return (c) => compareValues(op, left(c), right(c));
      }
      case "arith": {
        const left = compile(node.left);
        const right = compile(node.right);
        const op = node.op;
        return (c) => {
          const a = left(c);
          const b = right(c);
          if (a === null || b === null) return null;
          if (typeof a === "number" && isDuration(b)) {
            if (op === "+") return addDuration(a, b, 1);
            if (op === "-") return addDuration(a, b, -1);
            return null;
          }
          if (isDuration(a) && typeof b === "number" && op === "+") return addDuration(b, a, 1);
          if (typeof a !== "number" || typeof b !== "number") return null;
          switch (op) {
            case "+":
              return a + b;
            case "-":
              return a - b;
            case "*":
              return a * b;
            case "/":
              return b === 0 ? null : a / b;
            default: {
              const never: never = op;
              return never;
            }
          }
        };
      }
      case "in": {
        const value = compile(node.value);
        const list = compile(node.list);
        const negated = node.negated;
        return (c) => {
          const v = value(c);
          if (v === null) return false;
          const items = list(c);
          if (!Array.isArray(items)) return false;
          const found = (items as readonly Value[]).some((item) => item !== null && equal(v, item));
          return negated ? !found : found;
        };
      }
      case "contains": {
        const container = compile(node.container);
        const item = compile(node.item);
        const negated = node.negated;
        return (c) => {
          const box = container(c);
          const needle = item(c);
          if (box === null || needle === null) return false;
          let found: boolean;
          if (Array.isArray(box)) {
            found = (box as readonly Value[]).some((v) => equal(v, needle));
          } else if (typeof box === "string" && typeof needle === "string") {
            found = box.toLowerCase().includes(needle.toLowerCase());
          } else {
            return false;
          }
          return negated ? !found : found;
        };
      }
      case "between": {
        const value = compile(node.value);
        const low = compile(node.low);
        const high = compile(node.high);
        return (c) => {
          const v = lower(value(c));
          const lo = lower(low(c));
          const hi = lower(high(c));
          if (v === null || lo === null || hi === null) return false;
          if (typeof v === "number" && typeof lo === "number" && typeof hi === "number")
            return lo <= v && v <= hi;
          if (typeof v === "string" && typeof lo === "string" && typeof hi === "string")
            return lo <= v && v <= hi;
          return false;
        };
      }
      case "is_null": {
        const arg = compile(node.arg);
        const negated = node.negated;
        return (c) => (arg(c) === null) !== negated;
      }
      default: {
        const never: never = node;
        return never;
      }
    }
  };
  const cx: EvaluateContext<C> = { asOf, compile };
  return compile(expr);
}

/** A boolean expression as a predicate. */
export function compilePredicate<C>(
  expr: PlanExpr,
  scope: Scope<C>,
  asOf: EpochDay,
): (context: C) => boolean {
  const getter = compileEvaluator(expr, scope, asOf);
  return (context) => getter(context) === true;
}
