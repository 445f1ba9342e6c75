/**
 * The few error classes of audience. Commands and the core throw these; only `cli/main.ts` turns
 * them into exit codes. Anything else that escapes is an internal error (exit 70).
 *
 * Messages never contain personal data (emails, phones): they name files, lines, columns and
 * reasons only.
 */

/** Where a problem is, in a file. Lines and columns start at 1. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

export type Severity = "error" | "warning";

/** One located problem, as `validate` reports it (docs/design.md#json-output). */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  severity: Severity;
  code: string;
  message: string;
  hint?: string;
  /** The source text the position points into, for a code frame. */
  source?: string;
}

export interface ErrorDetails {
  hint?: string;
  location?: SourceLocation;
  cause?: unknown;
}

/** A mistake in the user's input, definitions or data: exit 1, nothing written. */
export class UserError extends Error {
  readonly exitCode: number = 1;
  readonly code: string;
  readonly hint?: string;
  readonly location?: SourceLocation;

  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "UserError";
    this.code = code;
    this.hint = details.hint;
    this.location = details.location;
  }
}

/** A mistake on the command line (unknown flag, bad value for a flag): exit 2. */
export class UsageError extends UserError {
  override readonly exitCode: number = 2;

  constructor(code: string, message: string, details: ErrorDetails = {}) {
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
