/**
 * The input summary on stderr: what was read from each file, what was skipped and why (the first
 * examples as `file:line: reason`), and the warnings. Reasons only — never a cell with personal data.
 */
import type { InputReport } from "../io/read-inputs.js";
import type { FileStats } from "../model/ingest-context.js";
import type { RejectLog } from "../model/rejects.js";
import type { MatchReason } from "../model/store.js";
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
    const parts: string[] = [];
    switch (input.kind) {
      case "contacts":
        parts.push(plural(s.created, "customer"));
        if (s.merged > 0)
          parts.push(`${formatInteger(s.merged)} duplicate rows merged (${mergeReasons(s)})`);
        if (s.keptApart > 0) parts.push(keptApart(s.keptApart, "contact"));
        break;
      case "orders":
        parts.push(plural(s.orders, "order"));
        if (s.created > 0) parts.push(`${plural(s.created, "buyer")} not in contacts`);
        if (s.excludedStatus > 0)
          parts.push(`${formatInteger(s.excludedStatus)} excluded by status`);
        if (s.filtered > 0) parts.push(`${plural(s.filtered, "row")} left out by orders_filter`);
        if (s.keptApart > 0) parts.push(keptApart(s.keptApart, "buyer"));
        break;
      case "events":
      case "lists":
        if (s.created > 0) parts.push(`${plural(s.created, "person", "people")} not in contacts`);
        break;
    }
    if (s.afterAsOf > 0) parts.push(`${formatInteger(s.afterAsOf)} dated after as_of`);
    out += `${theme.muted("read")} ${input.display}: ${plural(s.rows, "row")}${parts.length > 0 ? ` → ${parts.join(", ")}` : ""}\n`;
  }
  out += `${theme.muted("customers:")} ${formatInteger(customers)}\n`;
  return out;
}

const REASON_WORDS: Record<MatchReason, string> = {
  customer_id: "customer_id",
  email: "email",
  phone: "phone, no other email",
};

/** `3 by email, 1 by phone, no other email`: the identifiers that merged a file's rows. */
function mergeReasons(s: FileStats): string {
  return (Object.keys(REASON_WORDS) as MatchReason[])
    .filter((reason) => s.mergedBy[reason] > 0)
    .map((reason) => `${formatInteger(s.mergedBy[reason])} by ${REASON_WORDS[reason]}`)
    .join(", ");
}

function keptApart(count: number, noun: string): string {
  return `${plural(count, noun)} kept apart (same phone as another customer, different email)`;
}

/** The merges of a run by reason (`--json`): what linked rows, and phones left unlinked. */
export function mergesJson(inputs: readonly InputReport[]): Record<string, number> {
  const out = { by_customer_id: 0, by_email: 0, by_phone: 0, kept_apart_same_phone: 0 };
  for (const { stats } of inputs) {
    out.by_customer_id += stats.mergedBy.customer_id;
    out.by_email += stats.mergedBy.email;
    out.by_phone += stats.mergedBy.phone;
    out.kept_apart_same_phone += stats.keptApart;
  }
  return out;
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
