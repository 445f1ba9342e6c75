/**
 * Why an expression is true or false for one context: the value of every sub-expression, down
 * the tree (docs/design.md#explain-and-tests, `audience explain`). Each node is run with the evaluator's own compiled
 * closures (`compileEvaluator`), so an explanation can never disagree with a build.
 */
import { formatDay, type EpochDay } from "../calendar.js";
import { compileEvaluator, type Scope, type Value } from "./evaluator.js";
import type { AggregateSpec, CompareOp, DayWindow, PlanExpr, TextPattern } from "./plan.js";

export interface TraceNode {
  /** The sub-expression as written. */
  text: string;
  /** Its value, as shown (`2026-04-20`, `3`, `"champions"`, `null`). */
  value: string;
  /** For boolean nodes: whether it holds. */
  result?: boolean;
  /** The values that decided a comparison (`2026-04-20 < 2026-05-31`), or an aggregate's filters. */
  detail?: string;
  children: TraceNode[];
}

/**
 * Traces `expr` (compiled from `source`, whose spans it keeps) for `context`. `aggregates` are the
 * plan's specs, to describe the window and filters of each `orders(…)`, `spent(…)`, `events(…)`.
 */
export function traceExpression<C>(
  expr: PlanExpr,
  source: string,
  scope: Scope<C>,
  asOf: EpochDay,
  context: C,
  aggregates: readonly AggregateSpec[],
): TraceNode {
  const valueOf = (node: PlanExpr): Value => compileEvaluator(node, scope, asOf)(context);
  const shown = (node: PlanExpr): string => formatValue(valueOf(node), node.type);
  const traceAll = (...nodes: PlanExpr[]): TraceNode[] => nodes.filter(isInteresting).map(trace);
  const trace = (node: PlanExpr): TraceNode => {
    const value = valueOf(node);
    const out: TraceNode = {
      text: source.slice(node.span.start, node.span.end),
      value: formatValue(value, node.type),
      children: [],
    };
    if (node.type === "boolean") out.result = value === true;
    switch (node.kind) {
      case "literal":
      case "list":
      case "field":
      case "prop":
      case "in_segment":
        return out;
      case "aggregate": {
        const spec = aggregates[node.index];
        if (spec !== undefined) out.detail = describeAggregate(spec);
        return out;
      }
      case "compare": {
        const left = valueOf(node.left);
        const right = valueOf(node.right);
        out.detail = compareDetail(node, left, right);
        out.children = traceAll(node.left, node.right);
        return out;
      }
      case "between": {
        out.detail = `${shown(node.value)} between ${shown(node.low)} and ${shown(node.high)}`;
        out.children = traceAll(node.value, node.low, node.high);
        return out;
      }
      case "in":
        out.detail = shown(node.value);
        out.children = traceAll(node.value, node.list);
        return out;
      case "contains":
        out.detail = shown(node.container);
        out.children = traceAll(node.container, node.item);
        return out;
      case "is_null":
        out.detail = shown(node.arg);
        out.children = traceAll(node.arg);
        return out;
      case "starts_with":
        out.detail = shown(node.text);
        out.children = traceAll(node.text, node.prefix);
        return out;
      case "days_since":
      case "negate":
      case "not":
        out.children = traceAll(node.arg);
        return out;
      case "and":
      case "or":
        out.children = node.args.map(trace);
        return out;
      case "arith":
        out.children = traceAll(node.left, node.right);
        return out;
      default: {
        const never: never = node;
        return never;
      }
    }
  };
  return trace(expr);
}

/** Literals say nothing a reader cannot see; fields and aggregates are shown in their parent's detail. */
function isInteresting(node: PlanExpr): boolean {
  switch (node.kind) {
    case "literal":
    case "list":
    case "field":
    case "prop":
      return false;
    default:
      return true;
  }
}

/** `(1)` when the right side is a literal; else both values and how they actually compare. */
function compareDetail(
  node: Extract<PlanExpr, { kind: "compare" }>,
  left: Value,
  right: Value,
): string {
  const l = formatValue(left, node.left.type);
  if (node.right.kind === "literal" && node.right.type === "number") return l;
  if (node.right.kind === "literal" && node.right.type === "string") return l;
  const r = formatValue(right, node.right.type);
  return `${l} ${actualRelation(node.op, left, right)} ${r}`;
}

/** The relation that holds between two values (`<`, `=`, `>`), or the operator when none applies. */
function actualRelation(op: CompareOp, a: Value, b: Value): string {
  if (typeof a === "number" && typeof b === "number") return a < b ? "<" : a > b ? ">" : "=";
  if (typeof a === "string" && typeof b === "string") {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? "<" : x > y ? ">" : "=";
  }
  return op;
}

/** A value as the language writes it: dates as YYYY-MM-DD, strings quoted, durations `30d`. */
export function formatValue(value: Value, type: string): string {
  if (value === null) return "null";
  if (typeof value === "number") {
    if (type === "date" && Number.isInteger(value)) return formatDay(value);
    return String(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    return `[${(value as readonly Value[]).map((v) => formatValue(v, "")).join(", ")}]`;
  }
  const duration = value as { count: number; unit: string };
  return `${duration.count}${duration.unit}`;
}

/** `orders from 2026-06-01 to 2026-06-30, category Sérum`: what an aggregate counted. */
export function describeAggregate(spec: AggregateSpec): string {
  const parts: string[] = [];
  if (spec.source === "orders") {
    parts.push(
      `${spec.measure === "count" ? "orders" : "spent on orders"} ${windowText(spec.window)}`,
    );
    const filter = (name: string, patterns: TextPattern[] | null) => {
      if (patterns !== null) parts.push(`${name} ${patternsText(patterns)}`);
    };
    filter("channel", spec.channel);
    filter("product", spec.product);
    filter("sku", spec.sku);
    filter("category", spec.category);
  } else {
    parts.push(`events ${patternsText(spec.type)} ${windowText(spec.window)}`);
    for (const property of spec.properties) {
      const { value } = property;
      parts.push(
        `${property.name} ${value.kind === "text" ? patternsText(value.patterns) : String(value.value)}`,
      );
    }
  }
  return parts.join(", ");
}

function windowText(window: DayWindow): string {
  if (window.from === null && window.to === null) return "all time";
  if (window.from === null) return `up to ${formatDay(window.to as number)}`;
  if (window.to === null) return `from ${formatDay(window.from)}`;
  return `from ${formatDay(window.from)} to ${formatDay(window.to)}`;
}

function patternsText(patterns: readonly TextPattern[]): string {
  return patterns.map((p) => JSON.stringify(p.text)).join(" or ");
}
