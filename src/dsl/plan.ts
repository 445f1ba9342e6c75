/**
 * The compiled plan: plain data, no functions. The compiler (`compiler.ts`) turns checked
 * expressions into this; the evaluator (`evaluator.ts`) runs it over customer profiles. Another
 * engine (SQL) can run the same plan: every aggregate a segment needs is listed up front, with its
 * filters resolved to constants (dates as epoch days), so the data is read once whatever the
 * number of segments.
 */
import type { Span, ValueType } from "./types.js";
import type { Duration, EpochDay } from "../calendar.js";

/**
 * A case-insensitive text to match: `text` is lowercased; when `wildcard` is true, `*` in it
 * matches any run of characters (including none).
 */
export interface TextPattern {
  text: string;
  wildcard: boolean;
}

/** Inclusive calendar bounds; null = unbounded on that side (orders after as_of never count). */
export interface DayWindow {
  from: EpochDay | null;
  to: EpochDay | null;
}

/**
 * `orders(…)` (measure "count") or `spent(…)` (measure "spent"). An order matches when its date is
 * in the window, its channel matches `channel` (order level), and — when any item filter is given —
 * at least one of its lines matches every item filter given (product, sku, category). `spent` sums
 * order totals, or the matching lines' quantity × price when an item filter is given.
 * Each filter is a list of patterns: a value matches when it matches any of them.
 */
export interface OrderAggregateSpec {
  source: "orders";
  measure: "count" | "spent";
  window: DayWindow;
  channel: TextPattern[] | null;
  product: TextPattern[] | null;
  sku: TextPattern[] | null;
  category: TextPattern[] | null;
}

/** `events(type, …)`: events of that type in the window whose properties equal the given values. */
export interface EventAggregateSpec {
  source: "events";
  type: TextPattern[];
  window: DayWindow;
  properties: EventPropertyFilter[];
}

export type EventPropertyValue =
  | { kind: "text"; patterns: TextPattern[] }
  | { kind: "number"; value: number }
  | { kind: "boolean"; value: boolean };

export interface EventPropertyFilter {
  /** Property name = the events file's column header in snake_case. */
  name: string;
  value: EventPropertyValue;
}

export type AggregateSpec = OrderAggregateSpec | EventAggregateSpec;

export type CompareOp = "=" | "!=" | "<" | "<=" | ">" | ">=";
export type ArithOp = "+" | "-" | "*" | "/";

/** A literal's value: dates are epoch days, durations keep their unit (months are calendar). */
export type LiteralValue = number | string | boolean | null | Duration;

/**
 * A checked, typed expression. `type` is the static result type. Every node keeps the span of the
 * source it came from (offsets inside the expression text), for messages only.
 *
 * Semantics (docs/design.md#expressions): a comparison with null is false; `is [not] null` tests presence; arithmetic
 * with null gives null (so does division by zero); strings compare case-insensitively; boolean
 * expressions are never null.
 */
export type PlanExpr =
  | { kind: "literal"; type: ValueType; value: LiteralValue; span: Span }
  | { kind: "list"; type: "list"; items: PlanExpr[]; span: Span }
  | { kind: "field"; type: ValueType; name: string; span: Span }
  /** `props.NAME`: a custom contact column, always a (nullable) string. */
  | { kind: "prop"; type: "string"; name: string; span: Span }
  /** Index into `Plan.aggregates`; the value is a number (0 when nothing matched). */
  | { kind: "aggregate"; type: "number"; index: number; span: Span }
  | { kind: "in_segment"; type: "boolean"; segment: string; span: Span }
  | { kind: "days_since"; type: "number"; arg: PlanExpr; span: Span }
  | { kind: "starts_with"; type: "boolean"; text: PlanExpr; prefix: PlanExpr; span: Span }
  | { kind: "not"; type: "boolean"; arg: PlanExpr; span: Span }
  | { kind: "negate"; type: "number"; arg: PlanExpr; span: Span }
  | { kind: "and" | "or"; type: "boolean"; args: PlanExpr[]; span: Span }
  /** `operand` is the type both sides are compared as (number, string, date or boolean). */
  | {
      kind: "compare";
      type: "boolean";
      op: CompareOp;
      operand: ValueType;
      left: PlanExpr;
      right: PlanExpr;
      span: Span;
    }
  /**
   * number ± * / number → number; date ± duration → date; date - date → number (days).
   */
  | { kind: "arith"; type: ValueType; op: ArithOp; left: PlanExpr; right: PlanExpr; span: Span }
  | { kind: "in"; type: "boolean"; negated: boolean; value: PlanExpr; list: PlanExpr; span: Span }
  /** On a list: membership (case-insensitive); on a string: substring (case-insensitive). */
  | {
      kind: "contains";
      type: "boolean";
      negated: boolean;
      container: PlanExpr;
      item: PlanExpr;
      span: Span;
    }
  | {
      kind: "between";
      type: "boolean";
      value: PlanExpr;
      low: PlanExpr;
      high: PlanExpr;
      span: Span;
    }
  | { kind: "is_null"; type: "boolean"; negated: boolean; arg: PlanExpr; span: Span };
