/**
 * The type checker: types every node of a parsed expression against an `Environment` and returns
 * the typed tree (`CheckedExpr`) the compiler needs, or every problem found.
 *
 * All problems are reported, not only the first: each subtree is checked on its own, and a node
 * with an error gets the "error" type (`undefined` here) so its parents stay silent instead of
 * reporting cascades. A tree is only returned when there is no error.
 *
 * Function arguments that filter or bound data (`within:`, `category:`, event properties…) must be
 * literals: they are resolved into constants before any data is read.
 */
import { parseIsoDay, type Duration, type EpochDay } from "../calendar.js";
import { suggest, didYouMean } from "../suggest.js";
import { isLiteral, type Arg, type Expr } from "./ast.js";
import type { Environment, FieldInfo, FunctionName, PredictionFunction } from "./env.js";
import { exprError, exprWarning, hasErrors, type DslCode, type ExprDiagnostic } from "./errors.js";
import type { ArithOp, CompareOp } from "./plan.js";
import type { Span, ValueType } from "./types.js";

/** The types a comparison, a list item or an `in` works on. */
export type ElementType = "number" | "string" | "date" | "boolean";

interface Node {
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
  | ({
      kind: "order_aggregate";
      type: "number";
      measure: "count" | "spent";
      window: CheckedWindow;
      channel: string[] | null;
      product: string[] | null;
      sku: string[] | null;
      category: string[] | null;
    } & Node)
  | ({
      kind: "event_aggregate";
      type: "number";
      eventType: string[];
      window: CheckedWindow;
      properties: CheckedEventProperty[];
    } & Node)
  | ({ kind: "in_segment"; type: "boolean"; segment: string } & Node)
  | ({ kind: "days_since"; type: "number"; arg: CheckedExpr } & Node)
  /** `predicted_orders(30d)`, `predicted_clv(365d)`: the horizon is a positive duration. */
  | ({ kind: "prediction"; type: "number"; fn: PredictionFunction; horizon: Duration } & Node)
  | ({ kind: "starts_with"; type: "boolean"; text: CheckedExpr; prefix: CheckedExpr } & Node)
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

export interface SegmentRef {
  id: string;
  span: Span;
}

export interface CheckOptions {
  /** "boolean": the whole expression must be true/false (a `where:` or a filter). */
  expect?: "boolean";
}

export interface CheckOutput {
  /** Present only when there is no error. */
  checked?: CheckedExpr;
  diagnostics: ExprDiagnostic[];
  /** Every `in_segment("id")` seen, in source order (also when there are errors). */
  segmentRefs: SegmentRef[];
}

/** Types `expr` (parsed from `source`) against `env`. */
export function checkAst(
  expr: Expr,
  source: string,
  env: Environment,
  options: CheckOptions = {},
): CheckOutput {
  const checker = new Checker(source, env);
  const checked = checker.check(expr);
  if (checked !== undefined && options.expect === "boolean" && checked.type !== "boolean") {
    checker.error(
      "NOT_BOOLEAN",
      `the expression must be true or false, but it is ${article(checked.type)}`,
      expr.span,
      checker.booleanHint(expr, checked),
    );
  }
  const diagnostics = checker.diagnostics;
  return {
    ...(checked === undefined || hasErrors(diagnostics) ? {} : { checked }),
    diagnostics,
    segmentRefs: checker.segmentRefs,
  };
}

type Checked = CheckedExpr | undefined;
type NamedArg = Extract<Arg, { kind: "named" }>;
type PositionalArg = Extract<Arg, { kind: "positional" }>;
type CallExpr = Extract<Expr, { kind: "call" }>;

const ALL_FUNCTIONS: readonly FunctionName[] = [
  "orders",
  "spent",
  "events",
  "in_segment",
  "days_since",
  "starts_with",
  "predicted_orders",
  "predicted_clv",
];
const WINDOW_ARGS = ["within", "since", "until"] as const;
const ORDER_ARGS = [...WINDOW_ARGS, "product", "sku", "category", "channel"] as const;
const USAGE: Record<FunctionName, string> = {
  orders:
    'orders(within: 30d, since: D, until: D, product: "…", sku: "…", category: "…", channel: "…")',
  spent:
    'spent(within: 30d, since: D, until: D, product: "…", sku: "…", category: "…", channel: "…")',
  events: 'events("type", within: 30d, since: D, until: D, NAME: value)',
  in_segment: 'in_segment("segment-id")',
  days_since: "days_since(date)",
  starts_with: "starts_with(text, prefix)",
  predicted_orders: "predicted_orders(30d)",
  predicted_clv: "predicted_clv(365d)",
};
const SNAKE_CASE = /^[a-z][a-z0-9_]*$/;
const ORDERED_OPS: ReadonlySet<CompareOp> = new Set<CompareOp>(["<", "<=", ">", ">="]);

function isFunctionName(name: string): name is FunctionName {
  return (ALL_FUNCTIONS as readonly string[]).includes(name);
}

function isElementType(type: ValueType): type is ElementType {
  return type === "number" || type === "string" || type === "date" || type === "boolean";
}

/** "a number", "an offset"… for messages. */
function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function plural(type: ElementType): string {
  return `${type}s`;
}

function toSnakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}

const UNIT_WORDS: Record<Duration["unit"], string> = { d: "day", w: "week", m: "month", y: "year" };

function durationWords(duration: Duration): string {
  const word = UNIT_WORDS[duration.unit];
  return `${duration.count} ${word}${duration.count === 1 ? "" : "s"}`;
}

class Checker {
  readonly diagnostics: ExprDiagnostic[] = [];
  readonly segmentRefs: SegmentRef[] = [];

  constructor(
    private readonly source: string,
    private readonly env: Environment,
  ) {}

  error(code: DslCode, message: string, span: Span, hint?: string): void {
    this.diagnostics.push(exprError(code, message, span, hint));
  }

  private errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === "error").length;
  }

  check(expr: Expr): Checked {
    const { span } = expr;
    switch (expr.kind) {
      case "number":
        return { kind: "literal", type: "number", value: expr.value, nullable: false, span };
      case "string":
        return { kind: "literal", type: "string", value: expr.value, nullable: false, span };
      case "boolean":
        return { kind: "literal", type: "boolean", value: expr.value, nullable: false, span };
      case "null":
        this.error(
          "NULL_LITERAL",
          "null can only be tested with is null or is not null",
          span,
          "write: field is null",
        );
        return undefined;
      case "today":
        return { kind: "today", type: "date", nullable: false, span };
      case "date":
        return { kind: "date", type: "date", day: expr.day, nullable: false, span };
      case "offset":
        return {
          kind: "offset",
          type: "date",
          duration: expr.duration,
          sign: expr.sign,
          nullable: false,
          span,
        };
      case "duration":
        return {
          kind: "duration",
          type: "duration",
          duration: expr.duration,
          nullable: false,
          span,
        };
      case "name":
        return this.field(expr);
      case "member":
        return this.member(expr);
      case "call":
        return this.call(expr);
      case "list":
        return this.list(expr);
      case "not":
        return this.not(expr);
      case "negate":
        return this.negate(expr);
      case "and":
      case "or":
        return this.logical(expr);
      case "compare":
        return this.compare(expr);
      case "arith":
        return this.arith(expr);
      case "in":
        return this.in(expr);
      case "contains":
        return this.contains(expr);
      case "between":
        return this.between(expr);
      case "is_null":
        return this.isNull(expr);
      case "error":
        return undefined;
      default: {
        const never: never = expr;
        return never;
      }
    }
  }

  // ---- names ----

  private field(expr: Extract<Expr, { kind: "name" }>): Checked {
    const info = this.env.fields.get(expr.name);
    if (info !== undefined) {
      return {
        kind: "field",
        type: info.type,
        name: expr.name,
        nullable: info.nullable,
        span: expr.span,
      };
    }
    if (isFunctionName(expr.name)) {
      this.error(
        "UNKNOWN_FIELD",
        `"${expr.name}" is a function, not a field`,
        expr.span,
        `call it: ${USAGE[expr.name]}`,
      );
      return undefined;
    }
    const suggestion = suggest(expr.name, this.env.fields.keys());
    const hint =
      suggestion === undefined && this.env.props && SNAKE_CASE.test(expr.name)
        ? `a custom contact column is written props.${expr.name}`
        : undefined;
    this.error(
      "UNKNOWN_FIELD",
      `unknown ${this.env.name} field "${expr.name}"${didYouMean(expr.name, this.env.fields.keys())}`,
      expr.span,
      hint,
    );
    return undefined;
  }

  private member(expr: Extract<Expr, { kind: "member" }>): Checked {
    const written = `${expr.object}.${expr.property}`;
    if (expr.object !== "props") {
      const message = `unknown name "${written}": only props.NAME is written with a dot`;
      const hint =
        suggest(expr.object, ["props"]) !== undefined ? `write props.${expr.property}` : undefined;
      this.error("UNKNOWN_FIELD", message, expr.objectSpan, hint);
      return undefined;
    }
    if (!this.env.props) {
      this.error(
        "PROPS_NOT_ALLOWED",
        `custom contact columns (props.NAME) are not available in ${this.env.name} expressions`,
        expr.span,
      );
      return undefined;
    }
    if (!SNAKE_CASE.test(expr.property)) {
      this.error(
        "INVALID_PROPERTY_NAME",
        `"${expr.property}" is not a snake_case column name`,
        expr.propertySpan,
        `column headers are read in snake_case: props.${toSnakeCase(expr.property) || "name"}`,
      );
      return undefined;
    }
    return { kind: "prop", type: "string", name: expr.property, nullable: true, span: expr.span };
  }

  // ---- operators ----

  private logical(expr: Extract<Expr, { kind: "and" | "or" }>): Checked {
    const args = expr.operands.map((operand) => this.boolean(operand, `"${expr.kind}"`));
    if (!args.every((arg) => arg !== undefined)) return undefined;
    return { kind: expr.kind, type: "boolean", args, nullable: false, span: expr.span };
  }

  private not(expr: Extract<Expr, { kind: "not" }>): Checked {
    const arg = this.boolean(expr.operand, '"not"');
    if (arg === undefined) return undefined;
    return { kind: "not", type: "boolean", arg, nullable: false, span: expr.span };
  }

  /** An operand of and/or/not: must be boolean. */
  private boolean(expr: Expr, operator: string): Checked {
    const checked = this.check(expr);
    if (checked === undefined || checked.type === "boolean") return checked;
    this.error(
      "NOT_BOOLEAN",
      `${operator} needs a true/false condition, but ${this.subject(expr)} is ${article(checked.type)}`,
      expr.span,
      this.booleanHint(expr, checked),
    );
    return undefined;
  }

  booleanHint(expr: Expr, checked: CheckedExpr): string | undefined {
    const text = this.snippet(expr.span);
    const type = checked.type;
    switch (type) {
      case "number":
        return `compare it, e.g. ${text} > 0`;
      case "string":
        return `compare it, e.g. ${text} = "…"`;
      case "date":
        return `compare it, e.g. ${text} < -30d`;
      case "list":
        return `test it, e.g. ${text} contains "…"`;
      case "boolean":
      case "duration":
        return undefined;
      default: {
        const never: never = type;
        return never;
      }
    }
  }

  private negate(expr: Extract<Expr, { kind: "negate" }>): Checked {
    const arg = this.check(expr.operand);
    if (arg === undefined) return undefined;
    if (arg.type === "number") {
      return { kind: "negate", type: "number", arg, nullable: arg.nullable, span: expr.span };
    }
    const hint =
      arg.type === "duration"
        ? `a date offset is written with the sign touching the digits: -${this.snippet(expr.operand.span)}`
        : undefined;
    this.error(
      "TYPE_MISMATCH",
      `"-" applies to numbers, but ${this.subject(expr.operand)} is ${article(arg.type)}`,
      expr.span,
      hint,
    );
    return undefined;
  }

  private compare(expr: Extract<Expr, { kind: "compare" }>): Checked {
    const { left, right, op } = expr;
    if (left.kind === "null" || right.kind === "null") {
      const other = left.kind === "null" ? right : left;
      if (other.kind !== "null") this.check(other);
      const text = this.snippet(other.span);
      const hint =
        op === "="
          ? `use is null: ${text} is null`
          : op === "!="
            ? `use is not null: ${text} is not null`
            : "use is null / is not null to test whether a value is present";
      this.error("NULL_COMPARISON", "a comparison with null is never true", expr.span, hint);
      return undefined;
    }
    const l = this.check(left);
    const r = this.check(right);
    if (l === undefined || r === undefined) return undefined;
    const operand = this.compareOperand(expr, l, r);
    if (operand === undefined) return undefined;
    return {
      kind: "compare",
      type: "boolean",
      op,
      operand,
      left: l,
      right: r,
      nullable: false,
      span: expr.span,
    };
  }

  private compareOperand(
    expr: Extract<Expr, { kind: "compare" }>,
    l: CheckedExpr,
    r: CheckedExpr,
  ): ElementType | undefined {
    const { op, left, right } = expr;
    const ordered = ORDERED_OPS.has(op);
    if (l.type === r.type) {
      const type = l.type;
      switch (type) {
        case "number":
        case "string":
        case "date":
          return type;
        case "boolean":
          if (!ordered) return "boolean";
          this.error(
            "TYPE_MISMATCH",
            `true/false values cannot be ordered with ${op}`,
            expr.span,
            "use = or !=",
          );
          return undefined;
        case "list":
          this.error(
            "TYPE_MISMATCH",
            `lists cannot be compared with ${op}`,
            expr.span,
            "test whether a list holds a value with contains",
          );
          return undefined;
        case "duration":
          this.error(
            "TYPE_MISMATCH",
            "durations cannot be compared with each other",
            expr.span,
            "compare dates instead, e.g. last_order_date < -30d",
          );
          return undefined;
        default: {
          const never: never = type;
          return never;
        }
      }
    }
    // Point at the side that is most likely the typo: a duration, else a literal facing a
    // non-literal; the other side's type is what was meant.
    let fault: "left" | "right" | null = null;
    if (r.type === "duration") fault = "right";
    else if (l.type === "duration") fault = "left";
    else if (isLiteral(right) && !isLiteral(left)) fault = "right";
    else if (isLiteral(left) && !isLiteral(right)) fault = "left";
    if (fault !== null) {
      const [bad, badChecked, good, goodChecked] =
        fault === "right" ? [right, r, left, l] : [left, l, right, r];
      if (isElementType(goodChecked.type) && !(ordered && goodChecked.type === "boolean")) {
        const context = `${this.subject(good)} is ${article(goodChecked.type)}`;
        this.mismatch(goodChecked.type, bad, badChecked, context, "TYPE_MISMATCH");
        return undefined;
      }
    }
    const listSide = l.type === "list" ? left : r.type === "list" ? right : null;
    const otherSide = listSide === left ? right : left;
    const hint =
      listSide === null
        ? undefined
        : `to test whether a list holds a value, write ${this.snippet(listSide.span)} contains ${this.snippet(otherSide.span)}`;
    this.error(
      "TYPE_MISMATCH",
      `cannot compare ${article(l.type)} with ${article(r.type)}: ${this.subject(left)} is ${article(l.type)}, ${this.subject(right)} is ${article(r.type)}`,
      expr.span,
      hint,
    );
    return undefined;
  }

  /**
   * Reports that `expr` (typed `checked`) is not of the `expected` type, with the most specific
   * code and hint: a duration or a quoted string where a date is meant, a quoted number…
   * `context` says what wants the type ("\"last_order_date\" is a date", "since needs a date").
   */
  private mismatch(
    expected: ElementType,
    expr: Expr,
    checked: CheckedExpr,
    context: string,
    code: "TYPE_MISMATCH" | "ARGUMENT_TYPE" | "LIST_ITEM_TYPE",
  ): void {
    const text = this.snippet(expr.span);
    if (expected === "date" && expr.kind === "duration") {
      this.error(
        "DURATION_AS_DATE",
        `${context}, but ${text} is a duration: did you mean -${text}?`,
        expr.span,
        `-${text} is the date ${durationWords(expr.duration)} before as_of; ${text} alone is a length of time`,
      );
      return;
    }
    if (expected === "date" && expr.kind === "string") {
      const looksLikeDate =
        parseIsoDay(expr.value) !== undefined || /^[+-]\d+[dwmy]$/.test(expr.value);
      this.error(
        "STRING_AS_DATE",
        `${context}, but ${text} is a string`,
        expr.span,
        looksLikeDate
          ? `write ${expr.value} without quotes`
          : "write a date as YYYY-MM-DD without quotes, or an offset like -30d",
      );
      return;
    }
    let hint: string | undefined;
    if (expected === "number" && expr.kind === "string" && /^-?\d+(\.\d+)?$/.test(expr.value)) {
      hint = `write ${expr.value} without quotes`;
    } else if (expected === "number" && expr.kind === "duration" && expr.duration.unit === "d") {
      hint = `write ${expr.duration.count}: a number of days is a plain number here`;
    } else if (expected === "string" && (expr.kind === "number" || isLiteral(expr))) {
      hint = `write it in quotes: "${text}"`;
    } else if (expected === "date" && expr.kind === "number") {
      hint = "write a date as YYYY-MM-DD, or an offset like -30d";
    } else if (
      expected === "boolean" &&
      expr.kind === "string" &&
      /^(true|false)$/i.test(expr.value)
    ) {
      hint = `write ${expr.value.toLowerCase()} without quotes`;
    }
    this.error(
      code,
      `${context}, but ${this.subject(expr)} is ${article(checked.type)}`,
      expr.span,
      hint,
    );
  }

  private arith(expr: Extract<Expr, { kind: "arith" }>): Checked {
    const l = this.check(expr.left);
    const r = this.check(expr.right);
    if (l === undefined || r === undefined) return undefined;
    const type = arithType(expr.op, l.type, r.type);
    if (type === undefined) {
      this.error(
        "TYPE_MISMATCH",
        arithMessage(expr.op, l.type, r.type),
        expr.span,
        this.arithHint(expr, l, r),
      );
      return undefined;
    }
    return {
      kind: "arith",
      type,
      op: expr.op,
      left: l,
      right: r,
      // Division by zero gives null.
      nullable: l.nullable || r.nullable || expr.op === "/",
      span: expr.span,
    };
  }

  private arithHint(
    expr: Extract<Expr, { kind: "arith" }>,
    l: CheckedExpr,
    r: CheckedExpr,
  ): string | undefined {
    const leftText = this.snippet(expr.left.span);
    const rightText = this.snippet(expr.right.span);
    if (l.type === "date" && expr.right.kind === "number") return `add a unit: ${rightText}d`;
    if (r.type === "date" && expr.left.kind === "number" && expr.op === "+")
      return `add a unit: ${leftText}d`;
    if (l.type === "number" && r.type === "duration" && r.duration.unit === "d") {
      return `write ${r.duration.count}: a number of days is a plain number here`;
    }
    if (l.type === "duration" && r.type === "date" && expr.op === "-") {
      return `write the date first: ${rightText} - ${leftText}`;
    }
    if (l.type === "duration" && r.type === "duration") return "write one duration, e.g. 45d";
    if (l.type === "date" && r.type === "date" && expr.op === "+") {
      return "subtract two dates to get the number of days between them";
    }
    return undefined;
  }

  private list(expr: Extract<Expr, { kind: "list" }>): Checked {
    let itemType: ElementType | null = null;
    let first: Expr | null = null;
    let failed = false;
    const items: CheckedExpr[] = [];
    for (const item of expr.items) {
      const checked = this.check(item);
      if (checked === undefined) {
        failed = true;
        continue;
      }
      items.push(checked);
      if (!isElementType(checked.type)) {
        this.error(
          "LIST_ITEM_TYPE",
          `a list holds numbers, strings, dates or true/false values, not ${article(checked.type)}`,
          item.span,
        );
        failed = true;
      } else if (itemType === null || first === null) {
        itemType = checked.type;
        first = item;
      } else if (checked.type !== itemType) {
        const context = `this list holds ${plural(itemType)} (${this.snippet(first.span)})`;
        this.mismatch(itemType, item, checked, context, "LIST_ITEM_TYPE");
        failed = true;
      }
    }
    if (failed) return undefined;
    return { kind: "list", type: "list", itemType, items, nullable: false, span: expr.span };
  }

  private in(expr: Extract<Expr, { kind: "in" }>): Checked {
    const value = this.check(expr.value);
    const items = expr.list.items.map((item) => ({ item, checked: this.check(item) }));
    if (value === undefined) return undefined;
    if (!isElementType(value.type)) {
      const text = this.snippet(expr.value.span);
      const hint =
        value.type === "list"
          ? `to test whether ${text} holds a value, write ${text} contains "…"`
          : undefined;
      this.error(
        "TYPE_MISMATCH",
        `in needs a number, string, date or true/false value on its left, but ${this.subject(expr.value)} is ${article(value.type)}`,
        expr.value.span,
        hint,
      );
      return undefined;
    }
    let failed = false;
    const checkedItems: CheckedExpr[] = [];
    for (const { item, checked } of items) {
      if (checked === undefined) {
        failed = true;
      } else if (checked.type !== value.type) {
        const context = `${this.subject(expr.value)} is ${article(value.type)}`;
        this.mismatch(value.type, item, checked, context, "LIST_ITEM_TYPE");
        failed = true;
      } else {
        checkedItems.push(checked);
      }
    }
    if (failed) return undefined;
    const list: CheckedList = {
      kind: "list",
      type: "list",
      itemType: value.type,
      items: checkedItems,
      nullable: false,
      span: expr.list.span,
    };
    return {
      kind: "in",
      type: "boolean",
      negated: expr.negated,
      value,
      list,
      nullable: false,
      span: expr.span,
    };
  }

  private contains(expr: Extract<Expr, { kind: "contains" }>): Checked {
    const container = this.check(expr.container);
    const item = this.check(expr.item);
    if (container === undefined || item === undefined) return undefined;
    const containerText = this.snippet(expr.container.span);
    if (container.type === "list") {
      if (
        container.kind === "list" &&
        container.itemType !== null &&
        container.itemType !== "string"
      ) {
        this.error(
          "TYPE_MISMATCH",
          `contains looks for a string in a list of strings, but this list holds ${plural(container.itemType)}`,
          expr.container.span,
          `to test a value against a list, write value in ${containerText}`,
        );
        return undefined;
      }
    } else if (container.type !== "string") {
      this.error(
        "TYPE_MISMATCH",
        `contains needs a list or a string on its left, but ${this.subject(expr.container)} is ${article(container.type)}`,
        expr.container.span,
        container.type === "number"
          ? "compare numbers with =, <, >, between or in [...]"
          : undefined,
      );
      return undefined;
    }
    if (item.type === "list") {
      this.error(
        "TYPE_MISMATCH",
        "contains takes one string on its right, not a list",
        expr.item.span,
        `for any of several values, write (${containerText} contains "a" or ${containerText} contains "b")`,
      );
      return undefined;
    }
    if (item.type !== "string") {
      const context =
        container.type === "list"
          ? `${this.subject(expr.container)} holds strings`
          : `${this.subject(expr.container)} is a string`;
      this.mismatch("string", expr.item, item, context, "TYPE_MISMATCH");
      return undefined;
    }
    return {
      kind: "contains",
      type: "boolean",
      negated: expr.negated,
      container,
      item,
      nullable: false,
      span: expr.span,
    };
  }

  private between(expr: Extract<Expr, { kind: "between" }>): Checked {
    const value = this.check(expr.value);
    const low = this.check(expr.low);
    const high = this.check(expr.high);
    if (value === undefined || low === undefined || high === undefined) return undefined;
    if (value.type !== "number" && value.type !== "date") {
      this.error(
        "TYPE_MISMATCH",
        `between works on numbers and dates, but ${this.subject(expr.value)} is ${article(value.type)}`,
        expr.value.span,
      );
      return undefined;
    }
    const context = `${this.subject(expr.value)} is ${article(value.type)}`;
    let failed = false;
    for (const [bound, checked] of [
      [expr.low, low],
      [expr.high, high],
    ] as const) {
      if (checked.type !== value.type) {
        this.mismatch(value.type, bound, checked, context, "TYPE_MISMATCH");
        failed = true;
      }
    }
    if (failed) return undefined;
    return { kind: "between", type: "boolean", value, low, high, nullable: false, span: expr.span };
  }

  private isNull(expr: Extract<Expr, { kind: "is_null" }>): Checked {
    const arg = this.check(expr.operand);
    if (arg === undefined) return undefined;
    if (!arg.nullable) {
      const test = expr.negated ? '"is not null" is always true' : '"is null" is always false';
      this.diagnostics.push(
        exprWarning(
          "CONSTANT_NULL_TEST",
          `${this.subject(expr.operand)} is never null, so ${test}`,
          expr.span,
        ),
      );
    }
    return {
      kind: "is_null",
      type: "boolean",
      negated: expr.negated,
      arg,
      nullable: false,
      span: expr.span,
    };
  }

  // ---- functions ----

  private call(expr: CallExpr): Checked {
    const name = expr.callee;
    if (!isFunctionName(name)) {
      if (this.env.fields.has(name)) {
        this.error(
          "UNKNOWN_FUNCTION",
          `"${name}" is a field, not a function`,
          expr.calleeSpan,
          `remove the parentheses: ${name}`,
        );
      } else {
        this.error(
          "UNKNOWN_FUNCTION",
          `unknown function "${name}"${didYouMean(name, this.env.functions)}`,
          expr.calleeSpan,
        );
      }
      return undefined;
    }
    if (!this.env.functions.has(name)) {
      const available = [...this.env.functions].map((f) => `${f}()`).join(", ");
      this.error(
        "FUNCTION_NOT_ALLOWED",
        `${name}() is not available in ${this.env.name} expressions`,
        expr.calleeSpan,
        available === "" ? undefined : `available here: ${available}`,
      );
      return undefined;
    }
    const errorsBefore = this.errorCount();
    const result = this.callOf(name, expr);
    return this.errorCount() > errorsBefore ? undefined : result;
  }

  private callOf(name: FunctionName, expr: CallExpr): Checked {
    switch (name) {
      case "orders":
      case "spent":
        return this.orderAggregate(name, expr);
      case "events":
        return this.eventAggregate(expr);
      case "in_segment":
        return this.inSegment(expr);
      case "days_since":
        return this.daysSince(expr);
      case "starts_with":
        return this.startsWith(expr);
      case "predicted_orders":
      case "predicted_clv":
        return this.prediction(name, expr);
      default: {
        const never: never = name;
        return never;
      }
    }
  }

  /** The named arguments, first occurrence of each; unknown and repeated names are reported. */
  private namedArgs(
    fn: FunctionName,
    expr: CallExpr,
    allowed: readonly string[] | null,
  ): Map<string, NamedArg> {
    const named = new Map<string, NamedArg>();
    for (const arg of expr.args) {
      if (arg.kind !== "named") continue;
      if (allowed !== null && !allowed.includes(arg.name)) {
        this.error(
          "UNKNOWN_ARGUMENT",
          `unknown argument "${arg.name}" for ${fn}()${didYouMean(arg.name, allowed)}`,
          arg.nameSpan,
          allowed.length === 0 ? `usage: ${USAGE[fn]}` : `${fn}() takes ${allowed.join(", ")}`,
        );
      } else if (named.has(arg.name)) {
        this.error("DUPLICATE_ARGUMENT", `"${arg.name}" is given twice`, arg.nameSpan, "keep one");
      } else {
        named.set(arg.name, arg);
      }
    }
    return named;
  }

  /** The positional arguments, reporting a count outside [min, max]. */
  private positionalArgs(
    fn: FunctionName,
    expr: CallExpr,
    min: number,
    max: number,
  ): PositionalArg[] {
    const positional = expr.args.filter((arg): arg is PositionalArg => arg.kind === "positional");
    const count = (n: number) => `${n} argument${n === 1 ? "" : "s"}`;
    if (positional.length < min) {
      this.error(
        "MISSING_ARGUMENT",
        `${fn}() needs ${count(min)}, found ${positional.length}`,
        expr.span,
        `usage: ${USAGE[fn]}`,
      );
    } else if (positional.length > max) {
      const extra = positional.slice(max);
      this.error(
        "TOO_MANY_ARGUMENTS",
        `${fn}() takes ${count(max)}, found ${positional.length}`,
        { start: extra[0].span.start, end: extra[extra.length - 1].span.end },
        `usage: ${USAGE[fn]}`,
      );
    }
    return positional.slice(0, max);
  }

  private orderAggregate(fn: "orders" | "spent", expr: CallExpr): Checked {
    for (const arg of expr.args) {
      if (arg.kind === "positional") {
        this.error(
          "POSITIONAL_ARGUMENT",
          `${fn}() takes named arguments only`,
          arg.span,
          `name it, e.g. ${fn}(category: "…", within: 30d)`,
        );
      }
    }
    const named = this.namedArgs(fn, expr, ORDER_ARGS);
    const window = this.window(named);
    const filter = (name: "channel" | "product" | "sku" | "category") => {
      const arg = named.get(name);
      return arg === undefined ? null : this.patterns(arg.value, name);
    };
    return {
      kind: "order_aggregate",
      type: "number",
      measure: fn === "orders" ? "count" : "spent",
      window,
      channel: filter("channel"),
      product: filter("product"),
      sku: filter("sku"),
      category: filter("category"),
      nullable: false,
      span: expr.span,
    };
  }

  private eventAggregate(expr: CallExpr): Checked {
    const positional = expr.args.filter((arg): arg is PositionalArg => arg.kind === "positional");
    const typeArg = positional[0];
    if (typeArg === undefined) {
      this.error(
        "MISSING_ARGUMENT",
        "events() needs the event type as its first argument",
        expr.span,
        'e.g. events("email_open", within: 30d)',
      );
    } else if (expr.args[0] !== typeArg) {
      this.error(
        "POSITIONAL_AFTER_NAMED",
        "the event type must be the first argument",
        typeArg.span,
        `write events(${this.snippet(typeArg.span)}, …)`,
      );
    }
    if (positional.length > 1) {
      const extra = positional.slice(1);
      this.error(
        "TOO_MANY_ARGUMENTS",
        `events() takes one event type, found ${positional.length}`,
        { start: extra[0].span.start, end: extra[extra.length - 1].span.end },
        'several types go in a list: events(["email_open", "email_click"]); property filters are named: NAME: value',
      );
    }
    const eventType =
      typeArg === undefined ? [] : (this.patterns(typeArg.value, "the event type") ?? []);
    const named = this.namedArgs("events", expr, null);
    const window = this.window(named);
    const properties: CheckedEventProperty[] = [];
    for (const [name, arg] of named) {
      if ((WINDOW_ARGS as readonly string[]).includes(name)) continue;
      const value = this.eventProperty(name, arg);
      if (value !== null) properties.push({ name, value });
    }
    return {
      kind: "event_aggregate",
      type: "number",
      eventType,
      window,
      properties,
      nullable: false,
      span: expr.span,
    };
  }

  private eventProperty(name: string, arg: NamedArg): CheckedPropertyValue | null {
    if (name === "type") {
      this.error(
        "UNKNOWN_ARGUMENT",
        '"type" is not an event property',
        arg.nameSpan,
        'the event type is the first argument: events("…")',
      );
      return null;
    }
    if (name === "occurred_at") {
      this.error(
        "UNKNOWN_ARGUMENT",
        '"occurred_at" is not an event property',
        arg.nameSpan,
        "select dates with within:, since: or until:",
      );
      return null;
    }
    if (!SNAKE_CASE.test(name)) {
      const lower = name.toLowerCase();
      this.error(
        "INVALID_PROPERTY_NAME",
        `"${name}" is not a snake_case property name`,
        arg.nameSpan,
        (WINDOW_ARGS as readonly string[]).includes(lower)
          ? `write ${lower}:`
          : `event columns are read in snake_case: ${toSnakeCase(name) || "name"}:`,
      );
      return null;
    }
    const value = arg.value;
    const text = this.snippet(value.span);
    switch (value.kind) {
      case "string":
      case "list": {
        const patterns = this.patterns(value, name);
        return patterns === null ? null : { kind: "text", patterns };
      }
      case "number":
        return { kind: "number", value: value.value };
      case "boolean":
        return { kind: "boolean", value: value.value };
      case "negate":
        if (value.operand.kind === "number") return { kind: "number", value: -value.operand.value };
        break;
      case "error":
        return null;
      case "duration": {
        const window = suggest(name, WINDOW_ARGS);
        this.error(
          "ARGUMENT_TYPE",
          `event property ${name} is compared with a string, a number or true/false, not a duration`,
          value.span,
          window === undefined ? undefined : `did you mean ${window}: ${text}?`,
        );
        return null;
      }
      case "date":
      case "offset":
      case "today":
        this.error(
          "ARGUMENT_TYPE",
          `event property ${name} is compared with a string, a number or true/false, not a date`,
          value.span,
          value.kind === "date" ? `write it as text: "${text}"` : undefined,
        );
        return null;
      default:
        break;
    }
    const checked = this.check(value);
    if (checked === undefined) return null;
    const literalType =
      checked.type === "string" || checked.type === "number" || checked.type === "boolean";
    this.error(
      literalType ? "ARGUMENT_NOT_LITERAL" : "ARGUMENT_TYPE",
      literalType
        ? `event property ${name} must be compared with a literal value (a string, a number or true/false)`
        : `event property ${name} is compared with a string, a number or true/false, not ${article(checked.type)}`,
      value.span,
    );
    return null;
  }

  private inSegment(expr: CallExpr): Checked {
    this.namedArgs("in_segment", expr, []);
    const [arg] = this.positionalArgs("in_segment", expr, 1, 1);
    if (arg === undefined) return undefined;
    const value = arg.value;
    if (value.kind === "string") {
      this.segmentRefs.push({ id: value.value, span: value.span });
      return {
        kind: "in_segment",
        type: "boolean",
        segment: value.value,
        nullable: false,
        span: expr.span,
      };
    }
    if (value.kind === "name") {
      this.error(
        "SEGMENT_ID_NOT_QUOTED",
        "a segment id is a quoted string",
        value.span,
        `quote it: in_segment("${value.name}")`,
      );
      return undefined;
    }
    const checked = this.check(value);
    if (checked === undefined) return undefined;
    if (checked.type === "string") {
      this.error(
        "ARGUMENT_NOT_LITERAL",
        "the segment id must be a literal string",
        value.span,
        'usage: in_segment("segment-id")',
      );
    } else {
      this.error(
        "ARGUMENT_TYPE",
        `in_segment() needs a segment id, but ${this.subject(value)} is ${article(checked.type)}`,
        value.span,
        checked.type === "list"
          ? 'combine several with or: in_segment("a") or in_segment("b")'
          : 'usage: in_segment("segment-id")',
      );
    }
    return undefined;
  }

  private daysSince(expr: CallExpr): Checked {
    this.namedArgs("days_since", expr, []);
    const [arg] = this.positionalArgs("days_since", expr, 1, 1);
    if (arg === undefined) return undefined;
    const checked = this.check(arg.value);
    if (checked === undefined) return undefined;
    if (checked.type !== "date") {
      this.mismatch("date", arg.value, checked, "days_since() needs a date", "ARGUMENT_TYPE");
      return undefined;
    }
    return {
      kind: "days_since",
      type: "number",
      arg: checked,
      nullable: checked.nullable,
      span: expr.span,
    };
  }

  /** `predicted_orders(D)` / `predicted_clv(D)`: one positive duration, the horizon. */
  private prediction(fn: PredictionFunction, expr: CallExpr): Checked {
    this.namedArgs(fn, expr, []);
    const [arg] = this.positionalArgs(fn, expr, 1, 1);
    if (arg === undefined) return undefined;
    const value = arg.value;
    const text = this.snippet(value.span);
    if (value.kind !== "duration") {
      const hint =
        value.kind === "number"
          ? `add a unit: ${fn}(${text}d)`
          : value.kind === "offset"
            ? `write ${fn}(${text.slice(1)})`
            : `usage: ${USAGE[fn]}`;
      this.error(
        "ARGUMENT_TYPE",
        `${fn}() needs a horizon like 30d, but ${text} is not a duration`,
        value.span,
        hint,
      );
      return undefined;
    }
    if (value.duration.count === 0) {
      this.error(
        "EMPTY_HORIZON",
        `${fn}(${text}): a horizon of 0 predicts nothing`,
        value.span,
        `give the period to predict, e.g. ${USAGE[fn]}`,
      );
      return undefined;
    }
    return {
      kind: "prediction",
      type: "number",
      fn,
      horizon: value.duration,
      nullable: true,
      span: expr.span,
    };
  }

  private startsWith(expr: CallExpr): Checked {
    this.namedArgs("starts_with", expr, []);
    const [text, prefix] = this.positionalArgs("starts_with", expr, 2, 2);
    if (text === undefined || prefix === undefined) return undefined;
    const textChecked = this.check(text.value);
    const prefixChecked = this.check(prefix.value);
    if (textChecked === undefined || prefixChecked === undefined) return undefined;
    let failed = false;
    for (const [arg, checked, role] of [
      [text, textChecked, "text"],
      [prefix, prefixChecked, "prefix"],
    ] as const) {
      if (checked.type !== "string") {
        this.mismatch(
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
  }

  // ---- window and filter arguments ----

  private window(named: Map<string, NamedArg>): CheckedWindow {
    const within = named.get("within");
    const since = named.get("since");
    const until = named.get("until");
    if (within !== undefined && (since !== undefined || until !== undefined)) {
      const later = [within, since, until]
        .filter((arg): arg is NamedArg => arg !== undefined)
        .sort((a, b) => a.span.start - b.span.start)[1];
      this.error(
        "WINDOW_CONFLICT",
        "within cannot be combined with since or until",
        later.nameSpan,
        "use within: alone, or since: and until: for a fixed range",
      );
    }
    const window: CheckedWindow = {
      within: within === undefined ? null : this.withinValue(within.value),
      since: since === undefined ? null : this.dateBound(since.value, "since"),
      until: until === undefined ? null : this.dateBound(until.value, "until"),
    };
    if (
      window.since !== null &&
      window.until !== null &&
      until !== undefined &&
      isEmptyRange(window.since, window.until)
    ) {
      this.error(
        "EMPTY_WINDOW",
        `the window is empty: since ${this.snippet(window.since.span)} is after until ${this.snippet(window.until.span)}`,
        until.value.span,
      );
    }
    return window;
  }

  private withinValue(value: Expr): Duration | null {
    const text = this.snippet(value.span);
    const fail = (found: string, hint?: string): null => {
      this.error(
        "ARGUMENT_TYPE",
        `within needs a duration like 30d, but ${found}`,
        value.span,
        hint,
      );
      return null;
    };
    switch (value.kind) {
      case "duration":
        if (value.duration.count > 0) return value.duration;
        this.error(
          "EMPTY_WINDOW",
          `within: ${text} holds no day`,
          value.span,
          "within: 1d is as_of alone",
        );
        return null;
      case "offset":
        return fail(`${text} is a date offset`, `write within: ${text.slice(1)}`);
      case "number":
        return fail(`${text} is a number`, `add a unit: within: ${text}d`);
      case "date":
      case "today":
        return fail(
          `${text} is a date`,
          `for a window that starts on a date, write since: ${text}`,
        );
      case "string":
        return fail(
          `${text} is a string`,
          /^\d+[dwmy]$/.test(value.value)
            ? `write within: ${value.value} without quotes`
            : undefined,
        );
      case "error":
        return null;
      default: {
        const checked = this.check(value);
        return checked === undefined
          ? null
          : fail(`${this.subject(value)} is ${article(checked.type)}`);
      }
    }
  }

  /** `since:` / `until:`: a DATE, an OFFSET or `today`. */
  private dateBound(value: Expr, name: "since" | "until"): DateBound | null {
    switch (value.kind) {
      case "date":
      case "offset":
      case "today": {
        const checked = this.check(value);
        return checked !== undefined &&
          (checked.kind === "date" || checked.kind === "offset" || checked.kind === "today")
          ? checked
          : null;
      }
      case "error":
        return null;
      default: {
        const checked = this.check(value);
        if (checked === undefined) return null;
        if (checked.type === "date") {
          this.error(
            "ARGUMENT_NOT_LITERAL",
            `${name} needs a literal date: YYYY-MM-DD, an offset like -30d, or today`,
            value.span,
            "window bounds are fixed before any data is read",
          );
        } else {
          this.mismatch("date", value, checked, `${name} needs a date`, "ARGUMENT_TYPE");
        }
        return null;
      }
    }
  }

  /** A filter value: a STRING or a non-empty list of STRINGs (`*` = wildcard). */
  private patterns(value: Expr, name: string): string[] | null {
    switch (value.kind) {
      case "string":
        return [value.value];
      case "list": {
        if (value.items.length === 0) {
          this.error(
            "EMPTY_LIST",
            `an empty list of ${name} values matches nothing`,
            value.span,
            "give at least one value",
          );
          return null;
        }
        const patterns: string[] = [];
        let failed = false;
        for (const item of value.items) {
          const pattern = this.pattern(item, name);
          if (pattern === null) failed = true;
          else patterns.push(pattern);
        }
        return failed ? null : patterns;
      }
      default: {
        const single = this.pattern(value, name);
        return single === null ? null : [single];
      }
    }
  }

  /** One string literal of a filter; anything else is reported. */
  private pattern(value: Expr, name: string): string | null {
    if (value.kind === "string") return value.value;
    if (value.kind === "error") return null;
    const text = this.snippet(value.span);
    if (value.kind === "name") {
      this.error(
        "ARGUMENT_NOT_LITERAL",
        `${name} values are quoted strings, not field names`,
        value.span,
        `quote it: "${value.name}"`,
      );
      return null;
    }
    if (isLiteral(value) && value.kind !== "null") {
      this.error(
        "ARGUMENT_TYPE",
        `${name} values are strings, but ${text} is not`,
        value.span,
        `write it in quotes: "${text}"`,
      );
      return null;
    }
    const checked = this.check(value);
    if (checked === undefined) return null;
    if (checked.type === "string" || checked.type === "list") {
      this.error(
        "ARGUMENT_NOT_LITERAL",
        `${name} needs literal strings: filters are fixed before any data is read`,
        value.span,
        `write the values in quotes, e.g. "Sérum" or ["Sérum", "Crème*"]`,
      );
    } else {
      this.error(
        "ARGUMENT_TYPE",
        `${name} needs a string or a list of strings, but ${this.subject(value)} is ${article(checked.type)}`,
        value.span,
      );
    }
    return null;
  }

  // ---- text helpers ----

  /** The source of `span`, on one line and at most 40 characters. */
  private snippet(span: Span): string {
    const text = this.source.slice(span.start, span.end).replace(/\s+/g, " ");
    return text.length > 40 ? `${text.slice(0, 39)}…` : text;
  }

  /** How a message names an operand: `"last_order_date"`, `orders(…)`, or its source. */
  private subject(expr: Expr): string {
    switch (expr.kind) {
      case "name":
        return `"${expr.name}"`;
      case "member":
        return `"${expr.object}.${expr.property}"`;
      case "call":
        return `${expr.callee}(…)`;
      default:
        return this.snippet(expr.span);
    }
  }
}

function arithType(
  op: ArithOp,
  left: CheckedType,
  right: CheckedType,
): "number" | "date" | undefined {
  if (left === "number" && right === "number") return "number";
  switch (op) {
    case "+":
      if ((left === "date" && right === "duration") || (left === "duration" && right === "date"))
        return "date";
      return undefined;
    case "-":
      if (left === "date" && right === "duration") return "date";
      if (left === "date" && right === "date") return "number";
      return undefined;
    case "*":
    case "/":
      return undefined;
    default: {
      const never: never = op;
      return never;
    }
  }
}

function arithMessage(op: ArithOp, left: CheckedType, right: CheckedType): string {
  switch (op) {
    case "+":
      return `cannot add ${article(right)} to ${article(left)}`;
    case "-":
      return `cannot subtract ${article(right)} from ${article(left)}`;
    case "*":
      return `cannot multiply ${article(left)} by ${article(right)}`;
    case "/":
      return `cannot divide ${article(left)} by ${article(right)}`;
    default: {
      const never: never = op;
      return never;
    }
  }
}

/** Whether since > until is certain without knowing as_of (both dates, or comparable offsets). */
function isEmptyRange(since: DateBound, until: DateBound): boolean {
  if (since.kind === "date" && until.kind === "date") return since.day > until.day;
  const a = relative(since);
  const b = relative(until);
  if (a === null || b === null) return false;
  if (a.value === 0 || b.value === 0 || a.scale === b.scale) return a.value > b.value;
  return false;
}

/** An offset from as_of in days or in months (today = 0 of either). */
function relative(bound: DateBound): { scale: "days" | "months"; value: number } | null {
  switch (bound.kind) {
    case "date":
      return null;
    case "today":
      return { scale: "days", value: 0 };
    case "offset": {
      const { count, unit } = bound.duration;
      const months = unit === "m" || unit === "y";
      const factor = unit === "w" ? 7 : unit === "y" ? 12 : 1;
      return { scale: months ? "months" : "days", value: bound.sign * count * factor };
    }
    default: {
      const never: never = bound;
      return never;
    }
  }
}
