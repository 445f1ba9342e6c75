/**
 * The checked, typed tree the checker returns and the compiler takes (`CheckedExpr`). The nodes a
 * function call produces are declared beside their function (`functions/*.ts`) and joined here
 * through `FunctionNode`.
 */
import type { FieldInfo } from "./env.js";
import type { FunctionNode } from "./functions/index.js";
import type { ArithOp, CompareOp } from "./plan.js";
import type { Duration, EpochDay } from "../calendar.js";
import type { Span } from "./types.js";

/** The types a comparison, a list item or an `in` works on. */
export type ElementType = "number" | "string" | "date" | "boolean";

export interface Node {
  /** Whether the value can be null for some rows (absent field, arithmetic with null). */
  nullable: boolean;
  span: Span;
}

export type DateBound =
  | ({ kind: "date"; type: "date"; day: EpochDay } & Node)
  | ({ kind: "offset"; type: "date"; duration: Duration; sign: 1 | -1 } & Node)
  | ({ kind: "today"; type: "date" } & Node);

/** A time window as written; the compiler resolves it against as_of. */
export interface CheckedWindow {
  within: Duration | null;
  since: DateBound | null;
  until: DateBound | null;
}

export type CheckedPropertyValue =
  | { kind: "text"; patterns: string[] }
  | { kind: "number"; value: number }
  | { kind: "boolean"; value: boolean };

export interface CheckedEventProperty {
  name: string;
  value: CheckedPropertyValue;
}

/** A checked, typed expression: what `compileExpression` takes. Patterns are kept as written. */
export type CheckedExpr =
  | ({ kind: "literal"; type: "number"; value: number } & Node)
  | ({ kind: "literal"; type: "string"; value: string } & Node)
  | ({ kind: "literal"; type: "boolean"; value: boolean } & Node)
  | DateBound
  | ({ kind: "duration"; type: "duration"; duration: Duration } & Node)
  | CheckedList
  | ({ kind: "field"; type: FieldInfo["type"]; name: string } & Node)
  | ({ kind: "prop"; type: "string"; name: string } & Node)
  /** `orders(…)`, `days_since(…)`…: declared beside each function in `functions/`. */
  | FunctionNode
  | ({ kind: "not"; type: "boolean"; arg: CheckedExpr } & Node)
  | ({ kind: "negate"; type: "number"; arg: CheckedExpr } & Node)
  | ({ kind: "and" | "or"; type: "boolean"; args: CheckedExpr[] } & Node)
  | ({
      kind: "compare";
      type: "boolean";
      op: CompareOp;
      operand: ElementType;
      left: CheckedExpr;
      right: CheckedExpr;
    } & Node)
  | ({
      kind: "arith";
      type: "number" | "date";
      op: ArithOp;
      left: CheckedExpr;
      right: CheckedExpr;
    } & Node)
  | ({
      kind: "in";
      type: "boolean";
      negated: boolean;
      value: CheckedExpr;
      list: CheckedList;
    } & Node)
  | ({
      kind: "contains";
      type: "boolean";
      negated: boolean;
      container: CheckedExpr;
      item: CheckedExpr;
    } & Node)
  | ({
      kind: "between";
      type: "boolean";
      value: CheckedExpr;
      low: CheckedExpr;
      high: CheckedExpr;
    } & Node)
  | ({ kind: "is_null"; type: "boolean"; negated: boolean; arg: CheckedExpr } & Node);

export type CheckedList = {
  kind: "list";
  type: "list";
  /** null for an empty list. */
  itemType: ElementType | null;
  items: CheckedExpr[];
} & Node;

export type CheckedType = CheckedExpr["type"];

/** A checked expression, or undefined where an error was reported (its parents stay silent). */
export type Checked = CheckedExpr | undefined;
