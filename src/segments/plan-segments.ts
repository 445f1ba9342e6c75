/**
 * Checked segment definitions → the plan for one as_of: every `where` compiled against one shared
 * aggregate table (so `orders(within: 30d)` used by five segments is computed once), the order of
 * evaluation, and the profile fields the plan reads.
 */
import { AggregateTable, compileExpression } from "../dsl/index.js";
import type { PlanExpr } from "../dsl/plan.js";
import type { EpochDay } from "../calendar.js";
import { DiagnosticsError } from "../errors.js";
import type { CompiledSegment, SegmentDefinition, SegmentPlan } from "./definition.js";
import { checkSegmentGraph } from "./graph.js";

/**
 * Throws `DiagnosticsError` when the definitions break a cross-segment rule (duplicate id,
 * unknown reference, cycle): the loader reports those, so this only happens when it was skipped.
 */
export function planSegments(
  definitions: readonly SegmentDefinition[],
  asOf: EpochDay,
): SegmentPlan {
  const graph = checkSegmentGraph(definitions);
  const errors = graph.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new DiagnosticsError(errors);

  const table = new AggregateTable();
  const fields = new Set<string>();
  const segments: CompiledSegment[] = [...definitions]
    .sort((a, b) => a.order - b.order)
    .map((definition) => {
      const where = compileExpression(definition.where, asOf, table);
      collectFields(where, fields);
      for (const column of definition.columns) fields.add(column);
      return { ...definition, where };
    });
  return {
    asOf,
    aggregates: [...table.specs],
    segments,
    evaluationOrder: graph.evaluationOrder,
    fields: [...fields].sort(),
  };
}

/** Adds the profile fields (`name`) and custom properties (`props.NAME`) an expression reads. */
export function collectFields(expr: PlanExpr, into: Set<string>): void {
  switch (expr.kind) {
    case "field":
      into.add(expr.name);
      return;
    case "prop":
      into.add(expr.name.startsWith("props.") ? expr.name : `props.${expr.name}`);
      return;
    case "literal":
    case "aggregate":
    case "in_segment":
      return;
    case "list":
      for (const item of expr.items) collectFields(item, into);
      return;
    case "days_since":
    case "not":
    case "negate":
    case "is_null":
      collectFields(expr.arg, into);
      return;
    case "starts_with":
      collectFields(expr.text, into);
      collectFields(expr.prefix, into);
      return;
    case "and":
    case "or":
      for (const arg of expr.args) collectFields(arg, into);
      return;
    case "compare":
    case "arith":
      collectFields(expr.left, into);
      collectFields(expr.right, into);
      return;
    case "in":
      collectFields(expr.value, into);
      collectFields(expr.list, into);
      return;
    case "contains":
      collectFields(expr.container, into);
      collectFields(expr.item, into);
      return;
    case "between":
      collectFields(expr.value, into);
      collectFields(expr.low, into);
      collectFields(expr.high, into);
      return;
    default: {
      const never: never = expr;
      return never;
    }
  }
}
