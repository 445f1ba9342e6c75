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
 *
 * This file is the dispatch and the context (`CheckContext`): names and fields are checked here,
 * operators in `operators.ts`, arguments in `arguments.ts`, each function in `functions/`, and the
 * wording shared by messages in `wording.ts`.
 */
import { snakeCase } from "../model/values.js";
import { suggest, didYouMean } from "../suggest.js";
import type { Expr } from "./ast.js";
import type { CallExpr, CheckContext, SegmentRef } from "./check-context.js";
import type { Checked, CheckedExpr } from "./checked.js";
import type { Environment } from "./env.js";
import { exprError, hasErrors, type DslCode, type ExprDiagnostic } from "./errors.js";
import { FUNCTIONS, isFunctionName } from "./functions/index.js";
import {
  checkArith,
  checkBetween,
  checkCompare,
  checkContains,
  checkIn,
  checkIsNull,
  checkList,
  checkLogical,
  checkNegate,
  checkNot,
} from "./operators.js";
import type { Span } from "./types.js";
import { article, booleanHint, SNAKE_CASE } from "./wording.js";

export type { SegmentRef } from "./check-context.js";
export type { CheckedExpr } from "./checked.js";

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
      booleanHint(checker, expr, checked),
    );
  }
  const diagnostics = checker.diagnostics;
  return {
    ...(checked === undefined || hasErrors(diagnostics) ? {} : { checked }),
    diagnostics,
    segmentRefs: checker.segmentRefs,
  };
}

class Checker implements CheckContext {
  readonly diagnostics: ExprDiagnostic[] = [];
  readonly segmentRefs: SegmentRef[] = [];

  constructor(
    private readonly source: string,
    readonly env: Environment,
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
        return checkList(this, expr);
      case "not":
        return checkNot(this, expr);
      case "negate":
        return checkNegate(this, expr);
      case "and":
      case "or":
        return checkLogical(this, expr);
      case "compare":
        return checkCompare(this, expr);
      case "arith":
        return checkArith(this, expr);
      case "in":
        return checkIn(this, expr);
      case "contains":
        return checkContains(this, expr);
      case "between":
        return checkBetween(this, expr);
      case "is_null":
        return checkIsNull(this, expr);
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
        `call it: ${FUNCTIONS[expr.name].usage}`,
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
        `column headers are read in snake_case: props.${snakeCase(expr.property) || "name"}`,
      );
      return undefined;
    }
    return { kind: "prop", type: "string", name: expr.property, nullable: true, span: expr.span };
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
    const result = FUNCTIONS[name].check(expr, this);
    return this.errorCount() > errorsBefore ? undefined : result;
  }

  // ---- text helpers ----

  /** The source of `span`, on one line and at most 40 characters. */
  snippet(span: Span): string {
    const text = this.source.slice(span.start, span.end).replace(/\s+/g, " ");
    return text.length > 40 ? `${text.slice(0, 39)}…` : text;
  }

  /** How a message names an operand: `"last_order_date"`, `orders(…)`, or its source. */
  subject(expr: Expr): string {
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
