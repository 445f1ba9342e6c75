/**
 * Renders located problems (segment files, config) for people, for scripts and for GitHub:
 *   text   — `file:line:col: error CODE: message`, a code frame, the hint, then a summary line;
 *   json   — docs/design.md#json-output: `[ { file, line, column, severity, code, message, … } ]`;
 *   github — workflow commands (`::error file=…::message`) that annotate the pull request.
 * Diagnostics are sorted by file, line and column in every format.
 */
import { placeDiagnostic, sortDiagnostics, type Diagnostic } from "../errors.js";
import { codeFrame } from "./code-frame.js";
import type { Theme } from "./theme.js";

export const DIAGNOSTIC_FORMATS = ["text", "json", "github"] as const;
export type DiagnosticFormat = (typeof DIAGNOSTIC_FORMATS)[number];

/** What was checked, for the summary line. */
export interface DiagnosticSummary {
  segments: number;
  files: number;
  /** Warnings fail too (`--strict`): the summary says ✖ for them. */
  strict?: boolean;
  /** When nothing failed: the whole success line after ✔ (`12 expectations in 5 test files passed`). */
  passed?: string;
}

export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  format: DiagnosticFormat,
  theme: Theme,
  summary?: DiagnosticSummary,
): string {
  const sorted = sortDiagnostics(diagnostics);
  switch (format) {
    case "text":
      return formatText(sorted, theme, summary);
    case "json":
      return formatJson(sorted);
    case "github":
      return formatGithub(sorted, theme, summary);
    default: {
      const never: never = format;
      return never;
    }
  }
}

function formatText(
  diagnostics: Diagnostic[],
  theme: Theme,
  summary: DiagnosticSummary | undefined,
): string {
  const blocks = diagnostics.map((d) => {
    const at = d.location.place();
    const severity = d.severity === "error" ? theme.error("error") : theme.warning("warning");
    const lines = [
      `${theme.strong(`${at.file}:${at.line}:${at.column}`)}: ${severity} ${theme.muted(d.code)}: ${d.message}`,
    ];
    const text = d.location.source.text;
    if (text !== undefined) {
      const frame = codeFrame(text, at, { theme, severity: d.severity });
      if (frame !== "") lines.push(frame);
    }
    if (d.hint !== undefined) {
      lines.push(`  ${theme.muted("hint:")} ${d.hint.replace(/\n/g, "\n        ")}`);
    }
    return `${lines.join("\n")}\n`;
  });
  return [...blocks, `${summaryLine(diagnostics, theme, summary)}\n`].join("\n");
}

/** `✖ 3 errors, 1 warning in 2 files` or `✔ 5 segments in 2 files, no problems`. */
export function summaryLine(
  diagnostics: readonly Diagnostic[],
  theme: Pick<Theme, "error" | "warning" | "success">,
  summary?: DiagnosticSummary,
): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const problemFiles = new Set(diagnostics.map((d) => d.location.file)).size;
  const counts = [
    ...(errors > 0 ? [plural(errors, "error")] : []),
    ...(warnings > 0 ? [plural(warnings, "warning")] : []),
  ].join(", ");
  if (errors > 0 || (warnings > 0 && summary?.strict === true)) {
    return theme.error(`✖ ${counts} in ${plural(problemFiles, "file")}`);
  }
  if (summary?.passed !== undefined && warnings === 0) return theme.success(`✔ ${summary.passed}`);
  const checked =
    summary === undefined
      ? ""
      : `${plural(summary.segments, "segment")} in ${plural(summary.files, "file")}, `;
  if (warnings > 0) return theme.warning(`✔ ${checked}${counts}`);
  return theme.success(`✔ ${checked}no problems`);
}

function formatJson(diagnostics: Diagnostic[]): string {
  const rows = diagnostics.map(placeDiagnostic);
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/**
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions — data escapes
 * `%`, CR and LF; property values also `:` and `,`.
 */
function formatGithub(
  diagnostics: Diagnostic[],
  theme: Theme,
  summary: DiagnosticSummary | undefined,
): string {
  const lines = diagnostics.map((d) => {
    const at = d.location.place();
    const properties = [
      `file=${escapeProperty(at.file)}`,
      `line=${at.line}`,
      `col=${at.column}`,
      ...(at.endLine === undefined ? [] : [`endLine=${at.endLine}`]),
      ...(at.endColumn === undefined ? [] : [`endColumn=${at.endColumn}`]),
      `title=${escapeProperty(d.code)}`,
    ].join(",");
    const message = d.hint === undefined ? d.message : `${d.message}\nhint: ${d.hint}`;
    return `::${d.severity} ${properties}::${escapeData(message)}\n`;
  });
  return `${lines.join("")}${summaryLine(diagnostics, theme, summary)}\n`;
}

export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
