/**
 * The few error classes of audience. Commands and the core throw these; only `cli/main.ts` turns
 * them into exit codes. Anything else that escapes is an internal error (exit 70).
 *
 * Messages never contain personal data (emails, phones): they name files, lines, columns and
 * reasons only.
 */
import type { ErrorCode } from "./codes.js";
import { compareText } from "./compare-text.js";
import type { ExprDiagnostic } from "./dsl/errors.js";
import type { Place, SourceLocation } from "./source-file.js";

export type Severity = "error" | "warning";

/**
 * One located problem, as `validate` reports it (docs/design.md#json-output). Its place is
 * offsets into its file; line and column are computed when it is printed.
 */
export interface Diagnostic {
  location: SourceLocation;
  severity: Severity;
  code: ErrorCode;
  message: string;
  hint?: string;
}

/** A diagnostic as it is printed: its place in lines and columns, then what it says. */
export type PlacedDiagnostic = Place & Omit<Diagnostic, "location">;

export function placeDiagnostic(d: Diagnostic): PlacedDiagnostic {
  return {
    ...d.location.place(),
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.hint === undefined ? {} : { hint: d.hint }),
  };
}

/**
 * Source order, the order a reader expects; stable otherwise. Located diagnostics go by file,
 * then by place in it. An expression's own diagnostics (offsets in its text) go by start, then
 * end, errors before warnings.
 */
export function sortDiagnostics<T extends Diagnostic | ExprDiagnostic>(
  diagnostics: readonly T[],
): T[] {
  return [...diagnostics].sort(inSourceOrder);
}

function inSourceOrder(a: Diagnostic | ExprDiagnostic, b: Diagnostic | ExprDiagnostic): number {
  if ("span" in a && "span" in b) {
    return (
      a.span.start - b.span.start ||
      a.span.end - b.span.end ||
      (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1)
    );
  }
  if ("location" in a && "location" in b) {
    return compareText(a.location.file, b.location.file) || a.location.start - b.location.start;
  }
  return 0;
}

export interface ErrorDetails {
  hint?: string;
  cause?: unknown;
}

/** A mistake in the user's input, definitions or data: exit 1, nothing written. */
export class UserError extends Error {
  readonly exitCode: number = 1;
  readonly code: ErrorCode;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "UserError";
    this.code = code;
    this.hint = details.hint;
  }
}

/** A mistake on the command line (unknown flag, bad value for a flag): exit 2. */
export class UsageError extends UserError {
  override readonly exitCode: number = 2;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(code, message, details);
    this.name = "UsageError";
  }
}

/** A guard (min, max, max_change) stopped a build: exit 3, nothing replaced. */
export class GuardError extends UserError {
  override readonly exitCode: number = 3;

  constructor(message: string, details: ErrorDetails = {}) {
    super("GUARD_TRIPPED", message, details);
    this.name = "GuardError";
  }
}

/** Several located problems found at once (segment files, config): exit 1. */
export class DiagnosticsError extends UserError {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[], summary?: string) {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    super(
      "INVALID_DEFINITIONS",
      summary ?? `${errors} error${errors === 1 ? "" : "s"} in the definitions`,
    );
    this.name = "DiagnosticsError";
    this.diagnostics = diagnostics;
  }
}
