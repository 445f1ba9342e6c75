/**
 * The checking of function arguments: named and positional arguments, the time window
 * (`within:`, `since:`, `until:`) and text filters (a string or a list of strings, `*` = wildcard).
 * Each is a literal: it is resolved into a constant before any data is read.
 */
import { didYouMean } from "../suggest.js";
import { isLiteral, type Expr } from "./ast.js";
import type { CallExpr, CheckContext, NamedArg, PositionalArg } from "./check-context.js";
import type { CheckedWindow, DateBound } from "./checked.js";
import type { Duration } from "../calendar.js";
import { article, mismatch } from "./wording.js";

/** What a message needs of a function: its name and how it is called. */
export interface Signature {
  name: string;
  usage: string;
}

export const WINDOW_ARGS = ["within", "since", "until"] as const;

/** The named arguments, first occurrence of each; unknown and repeated names are reported. */
export function namedArgs(
  cx: CheckContext,
  fn: Signature,
  expr: CallExpr,
  allowed: readonly string[] | null,
): Map<string, NamedArg> {
  const named = new Map<string, NamedArg>();
  for (const arg of expr.args) {
    if (arg.kind !== "named") continue;
    if (allowed !== null && !allowed.includes(arg.name)) {
      cx.error(
        "UNKNOWN_ARGUMENT",
        `unknown argument "${arg.name}" for ${fn.name}()${didYouMean(arg.name, allowed)}`,
        arg.nameSpan,
        allowed.length === 0 ? `usage: ${fn.usage}` : `${fn.name}() takes ${allowed.join(", ")}`,
      );
    } else if (named.has(arg.name)) {
      cx.error("DUPLICATE_ARGUMENT", `"${arg.name}" is given twice`, arg.nameSpan, "keep one");
    } else {
      named.set(arg.name, arg);
    }
  }
  return named;
}

/** The positional arguments, reporting a count outside [min, max]. */
export function positionalArgs(
  cx: CheckContext,
  fn: Signature,
  expr: CallExpr,
  min: number,
  max: number,
): PositionalArg[] {
  const positional = expr.args.filter((arg): arg is PositionalArg => arg.kind === "positional");
  const count = (n: number) => `${n} argument${n === 1 ? "" : "s"}`;
  if (positional.length < min) {
    cx.error(
      "MISSING_ARGUMENT",
      `${fn.name}() needs ${count(min)}, found ${positional.length}`,
      expr.span,
      `usage: ${fn.usage}`,
    );
  } else if (positional.length > max) {
    const extra = positional.slice(max);
    cx.error(
      "TOO_MANY_ARGUMENTS",
      `${fn.name}() takes ${count(max)}, found ${positional.length}`,
      { start: extra[0].span.start, end: extra[extra.length - 1].span.end },
      `usage: ${fn.usage}`,
    );
  }
  return positional.slice(0, max);
}

export function checkWindow(cx: CheckContext, named: Map<string, NamedArg>): CheckedWindow {
  const within = named.get("within");
  const since = named.get("since");
  const until = named.get("until");
  if (within !== undefined && (since !== undefined || until !== undefined)) {
    const later = [within, since, until]
      .filter((arg): arg is NamedArg => arg !== undefined)
      .sort((a, b) => a.span.start - b.span.start)[1];
    cx.error(
      "WINDOW_CONFLICT",
      "within cannot be combined with since or until",
      later.nameSpan,
      "use within: alone, or since: and until: for a fixed range",
    );
  }
  const window: CheckedWindow = {
    within: within === undefined ? null : withinValue(cx, within.value),
    since: since === undefined ? null : dateBound(cx, since.value, "since"),
    until: until === undefined ? null : dateBound(cx, until.value, "until"),
  };
  if (
    window.since !== null &&
    window.until !== null &&
    until !== undefined &&
    isEmptyRange(window.since, window.until)
  ) {
    cx.error(
      "EMPTY_WINDOW",
      `the window is empty: since ${cx.snippet(window.since.span)} is after until ${cx.snippet(window.until.span)}`,
      until.value.span,
    );
  }
  return window;
}

function withinValue(cx: CheckContext, value: Expr): Duration | null {
  const text = cx.snippet(value.span);
  const fail = (found: string, hint?: string): null => {
    cx.error("ARGUMENT_TYPE", `within needs a duration like 30d, but ${found}`, value.span, hint);
    return null;
  };
  switch (value.kind) {
    case "duration":
      if (value.duration.count > 0) return value.duration;
      cx.error(
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
      return fail(`${text} is a date`, `for a window that starts on a date, write since: ${text}`);
    case "string":
      return fail(
        `${text} is a string`,
        /^\d+[dwmy]$/.test(value.value) ? `write within: ${value.value} without quotes` : undefined,
      );
    case "error":
      return null;
    default: {
      const checked = cx.check(value);
      return checked === undefined
        ? null
        : fail(`${cx.subject(value)} is ${article(checked.type)}`);
    }
  }
}

/** `since:` / `until:`: a DATE, an OFFSET or `today`. */
function dateBound(cx: CheckContext, value: Expr, name: "since" | "until"): DateBound | null {
  switch (value.kind) {
    case "date":
    case "offset":
    case "today": {
      const checked = cx.check(value);
      return checked !== undefined &&
        (checked.kind === "date" || checked.kind === "offset" || checked.kind === "today")
        ? checked
        : null;
    }
    case "error":
      return null;
    default: {
      const checked = cx.check(value);
      if (checked === undefined) return null;
      if (checked.type === "date") {
        cx.error(
          "ARGUMENT_NOT_LITERAL",
          `${name} needs a literal date: YYYY-MM-DD, an offset like -30d, or today`,
          value.span,
          "window bounds are fixed before any data is read",
        );
      } else {
        mismatch(cx, "date", value, checked, `${name} needs a date`, "ARGUMENT_TYPE");
      }
      return null;
    }
  }
}

/** A filter value: a STRING or a non-empty list of STRINGs (`*` = wildcard). */
export function textFilter(cx: CheckContext, value: Expr, name: string): string[] | null {
  switch (value.kind) {
    case "string":
      return [value.value];
    case "list": {
      if (value.items.length === 0) {
        cx.error(
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
        const pattern = textFilterItem(cx, item, name);
        if (pattern === null) failed = true;
        else patterns.push(pattern);
      }
      return failed ? null : patterns;
    }
    default: {
      const single = textFilterItem(cx, value, name);
      return single === null ? null : [single];
    }
  }
}

/** One string literal of a filter; anything else is reported. */
function textFilterItem(cx: CheckContext, value: Expr, name: string): string | null {
  if (value.kind === "string") return value.value;
  if (value.kind === "error") return null;
  const text = cx.snippet(value.span);
  if (value.kind === "name") {
    cx.error(
      "ARGUMENT_NOT_LITERAL",
      `${name} values are quoted strings, not field names`,
      value.span,
      `quote it: "${value.name}"`,
    );
    return null;
  }
  if (isLiteral(value) && value.kind !== "null") {
    cx.error(
      "ARGUMENT_TYPE",
      `${name} values are strings, but ${text} is not`,
      value.span,
      `write it in quotes: "${text}"`,
    );
    return null;
  }
  const checked = cx.check(value);
  if (checked === undefined) return null;
  if (checked.type === "string" || checked.type === "list") {
    cx.error(
      "ARGUMENT_NOT_LITERAL",
      `${name} needs literal strings: filters are fixed before any data is read`,
      value.span,
      `write the values in quotes, e.g. "Sérum" or ["Sérum", "Crème*"]`,
    );
  } else {
    cx.error(
      "ARGUMENT_TYPE",
      `${name} needs a string or a list of strings, but ${cx.subject(value)} is ${article(checked.type)}`,
      value.span,
    );
  }
  return null;
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
