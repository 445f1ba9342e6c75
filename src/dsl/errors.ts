/**
 * Diagnostics of the expression language. Every problem the lexer, parser or checker finds is one
 * `ExprDiagnostic` with a stable code from `DSL_CODES` and the exact span (offsets inside the
 * expression text); the segment-file loader maps spans to `file:line:col`.
 */
import type { Span } from "./types.js";

/** Every diagnostic code of the expression language, in one place. Codes never change meaning. */
export const DSL_CODES = {
  // Limits (parser).
  /** The expression text is longer than 10,000 characters; nothing else is reported. */
  EXPR_TOO_LONG: "EXPR_TOO_LONG",
  /** More than 64 nested levels (brackets, calls, `not`, minus, operators). */
  EXPR_TOO_DEEP: "EXPR_TOO_DEEP",
  /** More than 1,000 items in one list or arguments in one call. */
  TOO_MANY_ITEMS: "TOO_MANY_ITEMS",

  // Lexer.
  /** A character that starts no token (`$`, `;`, curly quotes…). */
  UNEXPECTED_CHARACTER: "UNEXPECTED_CHARACTER",
  /** A string with no closing quote. */
  UNTERMINATED_STRING: "UNTERMINATED_STRING",
  /** A backslash followed by something other than `\`, `"` or `'` inside a string. */
  INVALID_ESCAPE: "INVALID_ESCAPE",
  /** A malformed number (`12.`, too large). */
  INVALID_NUMBER: "INVALID_NUMBER",
  /** Digits followed by letters that are not a duration unit (`30days`, `1.5m`, `30D`). */
  INVALID_DURATION: "INVALID_DURATION",
  /** `YYYY-…` that is not a real `YYYY-MM-DD` date (`2024-02-30`, `2024-1-5`). */
  INVALID_DATE: "INVALID_DATE",
  /** An operator from another language: `==`, `<>`, `=<`, `=>`, `!`, `&&`, `||`. */
  INVALID_OPERATOR: "INVALID_OPERATOR",

  // Parser.
  /** The expression is empty or blank. */
  EMPTY_EXPRESSION: "EMPTY_EXPRESSION",
  /** A token that cannot appear where it is. */
  UNEXPECTED_TOKEN: "UNEXPECTED_TOKEN",
  /** The expression ends where something else was expected (`a and`). */
  UNEXPECTED_END: "UNEXPECTED_END",
  /** A `(` that is never closed; the span is the `(`. */
  MISSING_CLOSING_PAREN: "MISSING_CLOSING_PAREN",
  /** A `[` that is never closed; the span is the `[`. */
  MISSING_CLOSING_BRACKET: "MISSING_CLOSING_BRACKET",
  /** Tokens left after a complete expression (`a = 1 b = 2`, an unmatched `)`). */
  TRAILING_INPUT: "TRAILING_INPUT",
  /** `a < b < c`: comparisons do not chain. */
  CHAINED_COMPARISON: "CHAINED_COMPARISON",
  /** `in` not followed by a list literal (`"vip" in tags`). */
  EXPECTED_LIST: "EXPECTED_LIST",

  // Checker: names.
  /** A name that is not a field of the environment (also `props` misspelled, a function without `()`). */
  UNKNOWN_FIELD: "UNKNOWN_FIELD",
  /** `props.NAME` in an environment without custom contact columns (order rows). */
  PROPS_NOT_ALLOWED: "PROPS_NOT_ALLOWED",
  /** `props.NAME` or an event property whose NAME is not snake_case. */
  INVALID_PROPERTY_NAME: "INVALID_PROPERTY_NAME",
  /** A call of a function that does not exist (or of a field). */
  UNKNOWN_FUNCTION: "UNKNOWN_FUNCTION",
  /** A function that exists but not in this environment (`orders()` in `orders_filter`). */
  FUNCTION_NOT_ALLOWED: "FUNCTION_NOT_ALLOWED",

  // Checker: arguments.
  /** A named argument the function does not take. */
  UNKNOWN_ARGUMENT: "UNKNOWN_ARGUMENT",
  /** The same named argument twice. */
  DUPLICATE_ARGUMENT: "DUPLICATE_ARGUMENT",
  /** A required argument is missing. */
  MISSING_ARGUMENT: "MISSING_ARGUMENT",
  /** More positional arguments than the function takes. */
  TOO_MANY_ARGUMENTS: "TOO_MANY_ARGUMENTS",
  /** A positional argument to a function that takes named arguments only (`orders("x")`). */
  POSITIONAL_ARGUMENT: "POSITIONAL_ARGUMENT",
  /** `events(within: 30d, "open")`: the event type must come first. */
  POSITIONAL_AFTER_NAMED: "POSITIONAL_AFTER_NAMED",
  /** An argument of the wrong type. */
  ARGUMENT_TYPE: "ARGUMENT_TYPE",
  /** A filter or window argument that is not a literal (a field, an operation). */
  ARGUMENT_NOT_LITERAL: "ARGUMENT_NOT_LITERAL",
  /** `within:` together with `since:` or `until:`. */
  WINDOW_CONFLICT: "WINDOW_CONFLICT",
  /** A window that can hold no day (`within: 0d`, `since` after `until`). */
  EMPTY_WINDOW: "EMPTY_WINDOW",
  /** `predicted_orders(0d)`: a prediction horizon must hold at least a day. */
  EMPTY_HORIZON: "EMPTY_HORIZON",
  /** An empty list as a filter value: it would match nothing. */
  EMPTY_LIST: "EMPTY_LIST",
  /** `in_segment(vip)`: the segment id must be a quoted string. */
  SEGMENT_ID_NOT_QUOTED: "SEGMENT_ID_NOT_QUOTED",

  // Checker: types.
  /** A duration where a date is expected (`last_order_date < 30d`: did you mean -30d?). */
  DURATION_AS_DATE: "DURATION_AS_DATE",
  /** A quoted string where a date is expected (`"2024-01-01"`). */
  STRING_AS_DATE: "STRING_AS_DATE",
  /** Operand types that do not fit the operator (a date compared with a number…). */
  TYPE_MISMATCH: "TYPE_MISMATCH",
  /** List items of different types, or of a type lists cannot hold. */
  LIST_ITEM_TYPE: "LIST_ITEM_TYPE",
  /** `x = null`, `x != null`, `x < null`: use `is null` / `is not null`. */
  NULL_COMPARISON: "NULL_COMPARISON",
  /** `null` anywhere else than after `is`. */
  NULL_LITERAL: "NULL_LITERAL",
  /** A non-boolean operand of `and`/`or`/`not`, or a non-boolean whole expression. */
  NOT_BOOLEAN: "NOT_BOOLEAN",

  // Warnings.
  /** `is null` on a value that is never null (always false), or `is not null` (always true). */
  CONSTANT_NULL_TEST: "CONSTANT_NULL_TEST",
} as const;

export type DslCode = keyof typeof DSL_CODES;

/** One problem in one expression. `span` is a half-open range of offsets into the expression text. */
export interface ExprDiagnostic {
  code: DslCode;
  message: string;
  hint?: string;
  span: Span;
  severity: "error" | "warning";
}

export function exprError(
  code: DslCode,
  message: string,
  span: Span,
  hint?: string,
): ExprDiagnostic {
  return withHint({ code: DSL_CODES[code], message, span, severity: "error" }, hint);
}

export function exprWarning(
  code: DslCode,
  message: string,
  span: Span,
  hint?: string,
): ExprDiagnostic {
  return withHint({ code: DSL_CODES[code], message, span, severity: "warning" }, hint);
}

function withHint(diagnostic: ExprDiagnostic, hint: string | undefined): ExprDiagnostic {
  return hint === undefined ? diagnostic : { ...diagnostic, hint };
}

export function hasErrors(diagnostics: readonly ExprDiagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
