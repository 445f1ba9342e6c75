/**
 * The input summary on stderr: what was read from each file, what was skipped and why (the first
 * examples as `file:line: reason`), and the warnings. Reasons only — never a cell with personal data.
 */
import type { InputReport } from "../io/read-inputs.js";
import type { RejectLog } from "../model/rejects.js";
import { formatCount, formatInteger } from "./table.js";
import type { Theme } from "./theme.js";

const plural = formatCount;

export function renderInputSummary(
  inputs: readonly InputReport[],
  customers: number,
  theme: Theme,
): string {
  let out = "";
  for (const input of inputs) {
    const s = input.stats;
    const parts = inputNotes(input);
    out += `${theme.muted("read")} ${input.display}: ${plural(s.rows, "row")}${parts.length > 0 ? ` → ${parts.join(", ")}` : ""}\n`;
  }
  out += `${theme.muted("customers:")} ${formatInteger(customers)}\n`;
  return out;
}

/** What a file's rows became (`2,000 customers`, `9 duplicate rows merged`…), in reading order. */
export function inputNotes(input: InputReport): string[] {
  const s = input.stats;
  const parts: string[] = [];
  switch (input.kind) {
    case "contacts":
      parts.push(plural(s.created, "customer"));
      if (s.merged > 0) parts.push(`${formatInteger(s.merged)} duplicate rows merged`);
      break;
    case "orders":
      parts.push(plural(s.orders, "order"));
      if (s.created > 0) parts.push(`${plural(s.created, "buyer")} not in contacts`);
      if (s.excludedStatus > 0) parts.push(`${formatInteger(s.excludedStatus)} excluded by status`);
      if (s.filtered > 0) parts.push(`${plural(s.filtered, "row")} left out by orders_filter`);
      break;
    case "events":
    case "lists":
      if (s.created > 0) parts.push(`${plural(s.created, "person", "people")} not in contacts`);
      break;
  }
  if (s.afterAsOf > 0) parts.push(`${formatInteger(s.afterAsOf)} dated after as_of`);
  return parts;
}

export function renderProblems(
  inputs: readonly InputReport[],
  rejects: RejectLog,
  theme: Theme,
  rejectsFile?: string,
): string {
  let out = "";
  for (const input of inputs)
    for (const warning of input.stats.warnings) out += `${theme.warning("warning")} ${warning}\n`;
  const rejected = rejects.rejectedCount();
  if (rejected > 0) {
    out += `${theme.warning("skipped")} ${plural(rejected, "bad row")}`;
    out +=
      rejectsFile === undefined
        ? " (all of them: --rejects FILE)\n"
        : ` (all of them in ${rejectsFile})\n`;
    for (const [file, reasons] of rejects.rejected) {
      for (const [reason, count] of reasons)
        out += `  ${file}: ${formatInteger(count)} × ${reason}\n`;
    }
    for (const e of rejects.examples)
      out += `  ${theme.muted(`${e.file}:${e.line}:`)} ${e.reason}\n`;
  }
  if (rejects.warningCount() > 0) {
    for (const [file, warnings] of rejects.warnings) {
      for (const [warning, count] of warnings)
        out += `${theme.warning("warning")} ${file}: ${formatInteger(count)} × ${warning}\n`;
    }
    for (const e of rejects.warningExamples)
      out += `  ${theme.muted(`${e.file}:${e.line}:`)} ${e.reason}\n`;
  }
  return out;
}
