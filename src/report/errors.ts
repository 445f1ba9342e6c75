/**
 * How errors reach the user on stderr: one clear message (with its location and hint) for user
 * mistakes, and a short report request for internal errors (exit 70).
 */
import { DiagnosticsError, type UserError } from "../errors.js";
import { formatDiagnostics } from "./diagnostics.js";
import type { Theme } from "./theme.js";

export const ISSUES_URL = "https://github.com/audience-cli/audience/issues";

/** `theme` is stderr's: coloured only when stderr is a terminal. */
export function renderError(error: UserError, theme: Theme): string {
  let out = "";
  if (error instanceof DiagnosticsError) {
    // The located problems with their code frames, then the one-line summary below.
    out += formatDiagnostics(error.diagnostics, "text", theme);
  }
  // Messages of user errors name their file and line themselves.
  out += `${theme.error("error")} ${error.message}\n`;
  if (error.hint) out += `  ${theme.muted("hint:")} ${error.hint}\n`;
  return out;
}

export function renderInternalError(error: unknown, theme: Theme): string {
  const detail =
    error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return (
    `${theme.error("internal error")} audience hit a bug (exit 70).\n` +
    `Please report it at ${ISSUES_URL} with the command you ran and this trace:\n` +
    `${theme.muted(detail)}\n`
  );
}
