/**
 * The syntax tree the parser builds: a discriminated union on `kind`, every node with the span of
 * the source it came from. A parenthesised expression is its inner node; the span of a node that
 * contains it covers the parentheses.
 */
import type { ArithOp, CompareOp } from "./plan.js";
import type { Span } from "./types.js";
import type { Duration, EpochDay } from "../calendar.js";

export type Expr =
  | { kind: "number"; value: number; span: Span }
  | { kind: "string"; value: string; span: Span }
  | { kind: "boolean"; value: boolean; span: Span }
  | { kind: "null"; span: Span }
  | { kind: "today"; span: Span }
  | { kind: "date"; day: EpochDay; span: Span }
  | { kind: "duration"; duration: Duration; span: Span }
  /** `-30d`, `+7d`: the date that far from as_of. */
  | { kind: "offset"; duration: Duration; sign: 1 | -1; span: Span }
  /** A field reference. */
  | { kind: "name"; name: string; span: Span }
  /** `object.property` (only `props.NAME` is meaningful; the checker says so). */
  | {
      kind: "member";
      object: string;
      objectSpan: Span;
      property: string;
      propertySpan: Span;
      span: Span;
    }
  | { kind: "call"; callee: string; calleeSpan: Span; args: Arg[]; span: Span }
  | { kind: "list"; items: Expr[]; span: Span }
  | { kind: "not"; operand: Expr; span: Span }
  | { kind: "negate"; operand: Expr; span: Span }
  /** `a and b and c` is one node with three operands. */
  | { kind: "and" | "or"; operands: Expr[]; span: Span }
  | { kind: "compare"; op: CompareOp; left: Expr; right: Expr; span: Span }
  | { kind: "arith"; op: ArithOp; left: Expr; right: Expr; span: Span }
  | { kind: "in"; negated: boolean; value: Expr; list: ListExpr; span: Span }
  | { kind: "contains"; negated: boolean; container: Expr; item: Expr; span: Span }
  | { kind: "between"; value: Expr; low: Expr; high: Expr; span: Span }
  | { kind: "is_null"; negated: boolean; operand: Expr; span: Span }
  /** A lexeme the lexer already reported; the checker gives it the error type silently. */
  | { kind: "error"; span: Span };

export type ListExpr = Extract<Expr, { kind: "list" }>;

export type Arg =
  | { kind: "positional"; value: Expr; span: Span }
  | { kind: "named"; name: string; nameSpan: Span; value: Expr; span: Span };

/** The direct sub-expressions of a node, in source order. */
export function childrenOf(expr: Expr): Expr[] {
  switch (expr.kind) {
    case "number":
    case "string":
    case "boolean":
    case "null":
    case "today":
    case "date":
    case "duration":
    case "offset":
    case "name":
    case "member":
    case "error":
      return [];
    case "call":
      return expr.args.map((arg) => arg.value);
    case "list":
      return expr.items;
    case "not":
    case "negate":
    case "is_null":
      return [expr.operand];
    case "and":
    case "or":
      return expr.operands;
    case "compare":
    case "arith":
      return [expr.left, expr.right];
    case "in":
      return [expr.value, expr.list];
    case "contains":
      return [expr.container, expr.item];
    case "between":
      return [expr.value, expr.low, expr.high];
    default: {
      const never: never = expr;
      return never;
    }
  }
}

/** Whether the node is written as a literal value (the checker's "this side is the typo" rule). */
export function isLiteral(expr: Expr): boolean {
  switch (expr.kind) {
    case "number":
    case "string":
    case "boolean":
    case "null":
    case "today":
    case "date":
    case "duration":
    case "offset":
      return true;
    case "negate":
      return expr.operand.kind === "number";
    case "name":
    case "member":
    case "call":
    case "list":
    case "not":
    case "and":
    case "or":
    case "compare":
    case "arith":
    case "in":
    case "contains":
    case "between":
    case "is_null":
    case "error":
      return false;
    default: {
      const never: never = expr;
      return never;
    }
  }
}
