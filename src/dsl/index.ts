/**
 * The expression language's public API, used by the segment-file loader and the config loader:
 * check an expression once (lexer → parser → checker), then compile it for an as_of day.
 */
import { checkAst, type CheckedExpr, type SegmentRef } from "./checker.js";
import { compile, type AggregateTable } from "./compiler.js";
import type { Environment } from "./env.js";
import { sortDiagnostics } from "../errors.js";
import { hasErrors, type ExprDiagnostic } from "./errors.js";
import { parseExpression } from "./parser.js";
import type { PlanExpr } from "./plan.js";
import type { Span } from "./types.js";
import type { EpochDay } from "../calendar.js";

export type { ExprDiagnostic } from "./errors.js";
export type { CheckedExpr } from "./checker.js";
export { AggregateTable } from "./compiler.js";

export interface CheckResult {
  /** False when there is at least one error (warnings alone leave it true). */
  ok: boolean;
  /** Present exactly when `ok`. */
  checked?: CheckedExpr;
  /** Errors and warnings, in source order. */
  diagnostics: ExprDiagnostic[];
  /** Every `in_segment("id")` with the span of its id, in source order. */
  segmentRefs: { id: string; span: Span }[];
}

/** Lexes, parses and type-checks `text` against `env`, reporting every problem found. */
export function checkExpression(
  text: string,
  env: Environment,
  options?: { expect?: "boolean" },
): CheckResult {
  const parsed = parseExpression(text);
  if (parsed.expr === undefined) {
    return { ok: false, diagnostics: sortDiagnostics(parsed.diagnostics), segmentRefs: [] };
  }
  const result = checkAst(parsed.expr, text, env, options);
  const diagnostics = sortDiagnostics([...parsed.diagnostics, ...result.diagnostics]);
  const segmentRefs: SegmentRef[] = result.segmentRefs;
  if (hasErrors(diagnostics)) return { ok: false, diagnostics, segmentRefs };
  if (result.checked === undefined) {
    throw new Error(`expression check returned no tree and no error: ${JSON.stringify(text)}`);
  }
  return { ok: true, checked: result.checked, diagnostics, segmentRefs };
}

/** Turns a checked expression into the plan IR for the day `asOf`; aggregates go to `aggregates`. */
export function compileExpression(
  checked: CheckedExpr,
  asOf: EpochDay,
  aggregates: AggregateTable,
): PlanExpr {
  return compile(checked, asOf, aggregates);
}
