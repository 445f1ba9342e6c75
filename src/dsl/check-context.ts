/**
 * What the checker gives the code it dispatches to (operators, argument checks, the functions of
 * `functions/`): the source for messages, the environment, and the way to check a sub-expression
 * and report a problem. `Checker` (checker.ts) is the one implementation.
 */
import type { Arg, Expr } from "./ast.js";
import type { Checked } from "./checked.js";
import type { Environment } from "./env.js";
import type { DslCode, ExprDiagnostic } from "./errors.js";
import type { Span } from "./types.js";

export type NamedArg = Extract<Arg, { kind: "named" }>;
export type PositionalArg = Extract<Arg, { kind: "positional" }>;
export type CallExpr = Extract<Expr, { kind: "call" }>;

export interface SegmentRef {
  id: string;
  span: Span;
}

export interface CheckContext {
  readonly env: Environment;
  readonly diagnostics: ExprDiagnostic[];
  /** Every `in_segment("id")` seen, in source order. */
  readonly segmentRefs: SegmentRef[];
  /** Types a sub-expression; undefined when it has an error (already reported). */
  check(expr: Expr): Checked;
  error(code: DslCode, message: string, span: Span, hint?: string): void;
  /** The source of `span`, on one line and at most 40 characters. */
  snippet(span: Span): string;
  /** How a message names an operand: `"last_order_date"`, `orders(…)`, or its source. */
  subject(expr: Expr): string;
}
