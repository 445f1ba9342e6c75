/**
 * The checking of operators: and/or/not, unary minus, comparisons, arithmetic, lists, `in`,
 * `contains`, `between` and `is [not] null`.
 */
import { isLiteral, type Expr } from "./ast.js";
import type { CheckContext } from "./check-context.js";
import type { Checked, CheckedExpr, CheckedList, CheckedType, ElementType } from "./checked.js";
import { exprWarning } from "./errors.js";
import type { ArithOp, CompareOp } from "./plan.js";
import type { ValueType } from "./types.js";
import { arithMessage, article, booleanHint, mismatch, plural } from "./wording.js";

const ORDERED_OPS: ReadonlySet<CompareOp> = new Set<CompareOp>(["<", "<=", ">", ">="]);

export function isElementType(type: ValueType): type is ElementType {
  return type === "number" || type === "string" || type === "date" || type === "boolean";
}

export function checkLogical(
  cx: CheckContext,
  expr: Extract<Expr, { kind: "and" | "or" }>,
): Checked {
  const args = expr.operands.map((operand) => checkBoolean(cx, operand, `"${expr.kind}"`));
  if (!args.every((arg) => arg !== undefined)) return undefined;
  return { kind: expr.kind, type: "boolean", args, nullable: false, span: expr.span };
}

export function checkNot(cx: CheckContext, expr: Extract<Expr, { kind: "not" }>): Checked {
  const arg = checkBoolean(cx, expr.operand, '"not"');
  if (arg === undefined) return undefined;
  return { kind: "not", type: "boolean", arg, nullable: false, span: expr.span };
}

/** An operand of and/or/not: must be boolean. */
function checkBoolean(cx: CheckContext, expr: Expr, operator: string): Checked {
  const checked = cx.check(expr);
  if (checked === undefined || checked.type === "boolean") return checked;
  cx.error(
    "NOT_BOOLEAN",
    `${operator} needs a true/false condition, but ${cx.subject(expr)} is ${article(checked.type)}`,
    expr.span,
    booleanHint(cx, expr, checked),
  );
  return undefined;
}

export function checkNegate(cx: CheckContext, expr: Extract<Expr, { kind: "negate" }>): Checked {
  const arg = cx.check(expr.operand);
  if (arg === undefined) return undefined;
  if (arg.type === "number") {
    return { kind: "negate", type: "number", arg, nullable: arg.nullable, span: expr.span };
  }
  const hint =
    arg.type === "duration"
      ? `a date offset is written with the sign touching the digits: -${cx.snippet(expr.operand.span)}`
      : undefined;
  cx.error(
    "TYPE_MISMATCH",
    `"-" applies to numbers, but ${cx.subject(expr.operand)} is ${article(arg.type)}`,
    expr.span,
    hint,
  );
  return undefined;
}

export function checkCompare(cx: CheckContext, expr: Extract<Expr, { kind: "compare" }>): Checked {
  const { left, right, op } = expr;
  if (left.kind === "null" || right.kind === "null") {
    const other = left.kind === "null" ? right : left;
    if (other.kind !== "null") cx.check(other);
    const text = cx.snippet(other.span);
    const hint =
      op === "="
        ? `use is null: ${text} is null`
        : op === "!="
          ? `use is not null: ${text} is not null`
          : "use is null / is not null to test whether a value is present";
    cx.error("NULL_COMPARISON", "a comparison with null is never true", expr.span, hint);
    return undefined;
  }
  const l = cx.check(left);
  const r = cx.check(right);
  if (l === undefined || r === undefined) return undefined;
  const operand = checkCompareOperand(cx, expr, l, r);
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

function checkCompareOperand(
  cx: CheckContext,
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
        cx.error(
          "TYPE_MISMATCH",
          `true/false values cannot be ordered with ${op}`,
          expr.span,
          "use = or !=",
        );
        return undefined;
      case "list":
        cx.error(
          "TYPE_MISMATCH",
          `lists cannot be compared with ${op}`,
          expr.span,
          "test whether a list holds a value with contains",
        );
        return undefined;
      case "duration":
        cx.error(
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
      const context = `${cx.subject(good)} is ${article(goodChecked.type)}`;
      mismatch(cx, goodChecked.type, bad, badChecked, context, "TYPE_MISMATCH");
      return undefined;
    }
  }
  const listSide = l.type === "list" ? left : r.type === "list" ? right : null;
  const otherSide = listSide === left ? right : left;
  const hint =
    listSide === null
      ? undefined
      : `to test whether a list holds a value, write ${cx.snippet(listSide.span)} contains ${cx.snippet(otherSide.span)}`;
  cx.error(
    "TYPE_MISMATCH",
    `cannot compare ${article(l.type)} with ${article(r.type)}: ${cx.subject(left)} is ${article(l.type)}, ${cx.subject(right)} is ${article(r.type)}`,
    expr.span,
    hint,
  );
  return undefined;
}

export function checkArith(cx: CheckContext, expr: Extract<Expr, { kind: "arith" }>): Checked {
  const l = cx.check(expr.left);
  const r = cx.check(expr.right);
  if (l === undefined || r === undefined) return undefined;
  const type = arithType(expr.op, l.type, r.type);
  if (type === undefined) {
    cx.error(
      "TYPE_MISMATCH",
      arithMessage(expr.op, l.type, r.type),
      expr.span,
      checkArithHint(cx, expr, l, r),
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

function checkArithHint(
  cx: CheckContext,
  expr: Extract<Expr, { kind: "arith" }>,
  l: CheckedExpr,
  r: CheckedExpr,
): string | undefined {
  const leftText = cx.snippet(expr.left.span);
  const rightText = cx.snippet(expr.right.span);
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

export function checkList(cx: CheckContext, expr: Extract<Expr, { kind: "list" }>): Checked {
  let itemType: ElementType | null = null;
  let first: Expr | null = null;
  let failed = false;
  const items: CheckedExpr[] = [];
  for (const item of expr.items) {
    const checked = cx.check(item);
    if (checked === undefined) {
      failed = true;
      continue;
    }
    items.push(checked);
    if (!isElementType(checked.type)) {
      cx.error(
        "LIST_ITEM_TYPE",
        `a list holds numbers, strings, dates or true/false values, not ${article(checked.type)}`,
        item.span,
      );
      failed = true;
    } else if (itemType === null || first === null) {
      itemType = checked.type;
      first = item;
    } else if (checked.type !== itemType) {
      const context = `this list holds ${plural(itemType)} (${cx.snippet(first.span)})`;
      mismatch(cx, itemType, item, checked, context, "LIST_ITEM_TYPE");
      failed = true;
    }
  }
  if (failed) return undefined;
  return { kind: "list", type: "list", itemType, items, nullable: false, span: expr.span };
}

export function checkIn(cx: CheckContext, expr: Extract<Expr, { kind: "in" }>): Checked {
  const value = cx.check(expr.value);
  const items = expr.list.items.map((item) => ({ item, checked: cx.check(item) }));
  if (value === undefined) return undefined;
  if (!isElementType(value.type)) {
    const text = cx.snippet(expr.value.span);
    const hint =
      value.type === "list"
        ? `to test whether ${text} holds a value, write ${text} contains "…"`
        : undefined;
    cx.error(
      "TYPE_MISMATCH",
      `in needs a number, string, date or true/false value on its left, but ${cx.subject(expr.value)} is ${article(value.type)}`,
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
      const context = `${cx.subject(expr.value)} is ${article(value.type)}`;
      mismatch(cx, value.type, item, checked, context, "LIST_ITEM_TYPE");
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

export function checkContains(
  cx: CheckContext,
  expr: Extract<Expr, { kind: "contains" }>,
): Checked {
  const container = cx.check(expr.container);
  const item = cx.check(expr.item);
  if (container === undefined || item === undefined) return undefined;
  const containerText = cx.snippet(expr.container.span);
  if (container.type === "list") {
    if (
      container.kind === "list" &&
      container.itemType !== null &&
      container.itemType !== "string"
    ) {
      cx.error(
        "TYPE_MISMATCH",
        `contains looks for a string in a list of strings, but this list holds ${plural(container.itemType)}`,
        expr.container.span,
        `to test a value against a list, write value in ${containerText}`,
      );
      return undefined;
    }
  } else if (container.type !== "string") {
    cx.error(
      "TYPE_MISMATCH",
      `contains needs a list or a string on its left, but ${cx.subject(expr.container)} is ${article(container.type)}`,
      expr.container.span,
      container.type === "number" ? "compare numbers with =, <, >, between or in [...]" : undefined,
    );
    return undefined;
  }
  if (item.type === "list") {
    cx.error(
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
        ? `${cx.subject(expr.container)} holds strings`
        : `${cx.subject(expr.container)} is a string`;
    mismatch(cx, "string", expr.item, item, context, "TYPE_MISMATCH");
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

export function checkBetween(cx: CheckContext, expr: Extract<Expr, { kind: "between" }>): Checked {
  const value = cx.check(expr.value);
  const low = cx.check(expr.low);
  const high = cx.check(expr.high);
  if (value === undefined || low === undefined || high === undefined) return undefined;
  if (value.type !== "number" && value.type !== "date") {
    cx.error(
      "TYPE_MISMATCH",
      `between works on numbers and dates, but ${cx.subject(expr.value)} is ${article(value.type)}`,
      expr.value.span,
    );
    return undefined;
  }
  const context = `${cx.subject(expr.value)} is ${article(value.type)}`;
  let failed = false;
  for (const [bound, checked] of [
    [expr.low, low],
    [expr.high, high],
  ] as const) {
    if (checked.type !== value.type) {
      mismatch(cx, value.type, bound, checked, context, "TYPE_MISMATCH");
      failed = true;
    }
  }
  if (failed) return undefined;
  return { kind: "between", type: "boolean", value, low, high, nullable: false, span: expr.span };
}

export function checkIsNull(cx: CheckContext, expr: Extract<Expr, { kind: "is_null" }>): Checked {
  const arg = cx.check(expr.operand);
  if (arg === undefined) return undefined;
  if (!arg.nullable) {
    const test = expr.negated ? '"is not null" is always true' : '"is null" is always false';
    cx.diagnostics.push(
      exprWarning(
        "CONSTANT_NULL_TEST",
        `${cx.subject(expr.operand)} is never null, so ${test}`,
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
