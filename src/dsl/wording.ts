/**
 * The wording of the checker's messages: articles and plurals, and the two hints shared by every
 * part of the checker (a value of the wrong type, a non-boolean where a condition is needed).
 */
import { parseIsoDay } from "../calendar.js";
import { isLiteral, type Expr } from "./ast.js";
import type { CheckContext } from "./check-context.js";
import type { CheckedExpr, CheckedType, ElementType } from "./checked.js";
import type { ArithOp } from "./plan.js";
import type { Duration } from "../calendar.js";

/** A snake_case name: what column headers and event properties are read as. */
export const SNAKE_CASE = /^[a-z][a-z0-9_]*$/;

/** "a number", "an offset"… for messages. */
export function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

export function plural(type: ElementType): string {
  return `${type}s`;
}

const UNIT_WORDS: Record<Duration["unit"], string> = { d: "day", w: "week", m: "month", y: "year" };

export function durationWords(duration: Duration): string {
  const word = UNIT_WORDS[duration.unit];
  return `${duration.count} ${word}${duration.count === 1 ? "" : "s"}`;
}

export function booleanHint(
  cx: CheckContext,
  expr: Expr,
  checked: CheckedExpr,
): string | undefined {
  const text = cx.snippet(expr.span);
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

/**
 * Reports that `expr` (typed `checked`) is not of the `expected` type, with the most specific
 * code and hint: a duration or a quoted string where a date is meant, a quoted number…
 * `context` says what wants the type ("\"last_order_date\" is a date", "since needs a date").
 */
export function mismatch(
  cx: CheckContext,
  expected: ElementType,
  expr: Expr,
  checked: CheckedExpr,
  context: string,
  code: "TYPE_MISMATCH" | "ARGUMENT_TYPE" | "LIST_ITEM_TYPE",
): void {
  const text = cx.snippet(expr.span);
  if (expected === "date" && expr.kind === "duration") {
    cx.error(
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
    cx.error(
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
  cx.error(
    code,
    `${context}, but ${cx.subject(expr)} is ${article(checked.type)}`,
    expr.span,
    hint,
  );
}

/** "cannot add a string to a date"… */
export function arithMessage(op: ArithOp, left: CheckedType, right: CheckedType): string {
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
