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
  out += detectedLines(inputs);
  for (const input of inputs) {
    const s = input.stats;
    const parts = inputNotes(input);
    out += `${theme.muted("read")} ${input.display}: ${plural(s.rows, "row")}${parts.length > 0 ? ` → ${parts.join(", ")}` : ""}\n`;
    // A file without statuses (every order "(none)", counted) needs no status line.
    if (input.kind === "orders" && [...s.statuses.keys()].some((k) => k !== ""))
      out += `  ${theme.muted("status:")} ${statusLine(s.statuses)}\n`;
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
      if (s.merged > 0)
        parts.push(`${formatInteger(s.merged)} duplicate rows merged (${mergeReasons(s)})`);
      if (s.keptApart > 0) parts.push(keptApart(s.keptApart, "contact"));
      break;
    case "orders":
      parts.push(plural(s.orders, "order"));
      if (s.created > 0) parts.push(`${plural(s.created, "buyer")} not in contacts`);
      if (s.excludedStatus > 0) parts.push(`${formatInteger(s.excludedStatus)} excluded by status`);
      if (s.duplicates > 0)
        parts.push(`${plural(s.duplicates, "order")} already read from an earlier file`);
      if (s.otherCurrency > 0)
        parts.push(`${plural(s.otherCurrency, "order")} in other currencies (currency:)`);
      if (s.filtered > 0) parts.push(`${plural(s.filtered, "row")} left out by orders_filter`);
      if (s.keptApart > 0) parts.push(keptApart(s.keptApart, "buyer"));
      if (s.unmapped > 0)
        parts.push(`${plural(s.unmapped, "order")} with a customer_id not in key_map`);
      if (s.noLines > 0) parts.push(`${plural(s.noLines, "order")} without lines (amount 0)`);
      break;
    case "key_map":
      parts.push(`${plural(s.mapped, "customer key")} mapped to a person`);
      break;
    case "order_lines":
      parts.push(`lines of ${plural(s.orders, "order")}`);
      if (s.orphanLines > 0)
        parts.push(`${plural(s.orphanLines, "line")} of orders in no orders file (not counted)`);
      break;
    case "events":
    case "lists":
      if (s.created > 0) parts.push(`${plural(s.created, "person", "people")} not in contacts`);
      break;
  }
  if (s.afterAsOf > 0) parts.push(`${formatInteger(s.afterAsOf)} dated after as_of`);
  return parts;
}

/**
 * `order_statuses` of --json: per orders file, each status's orders and whether it counts, by
 * status (code points), never in the order the file met them.
 */
export function statusesJson(
  inputs: readonly InputReport[],
): Record<string, Record<string, { orders: number; counted: boolean }>> {
  const out: Record<string, Record<string, { orders: number; counted: boolean }>> = {};
  for (const input of inputs) {
    if (input.kind !== "orders") continue;
    const statuses: Record<string, { orders: number; counted: boolean }> = {};
    const sorted = [...input.stats.statuses].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [status, s] of sorted) statuses[status] = { orders: s.orders, counted: s.counted };
    out[input.display] = statuses;
  }
  return out;
}

/**
 * What each file was recognised as, one line a file; three or more files in a row recognised as
 * the same export (17 downloads) share one line.
 */
function detectedLines(inputs: readonly InputReport[]): string {
  const lines: { file: string; what: string }[] = [];
  for (const input of inputs) {
    const detected = input.stats.detected;
    if (detected === undefined) continue;
    const at = detected.indexOf(": ");
    lines.push({ file: detected.slice(0, at), what: detected.slice(at + 2) });
  }
  let out = "";
  for (let i = 0; i < lines.length;) {
    let j = i + 1;
    while (j < lines.length && lines[j].what === lines[i].what) j++;
    if (j - i >= 3) out += `${lines[i].file} and ${j - i - 1} more files: ${lines[i].what}\n`;
    else for (let k = i; k < j; k++) out += `${lines[k].file}: ${lines[k].what}\n`;
    i = j;
  }
  return out;
}

const MAX_STATUSES = 12;

/** `paid 332 counted · refunded 31 not counted · …`: the most frequent statuses first. */
export function statusLine(
  statuses: ReadonlyMap<string, { orders: number; counted: boolean }>,
): string {
  const sorted = [...statuses].sort((a, b) => b[1].orders - a[1].orders || (a[0] < b[0] ? -1 : 1));
  const shown = sorted
    .slice(0, MAX_STATUSES)
    .map(
      ([status, s]) =>
        `${status === "" ? "(none)" : status} ${formatInteger(s.orders)} ${s.counted ? "counted" : "not counted"}`,
    );
  const rest = sorted.slice(MAX_STATUSES);
  if (rest.length > 0) {
    const counted = rest.filter(([, s]) => s.counted).reduce((n, [, s]) => n + s.orders, 0);
    const total = rest.reduce((n, [, s]) => n + s.orders, 0);
    shown.push(
      `${rest.length} more statuses: ${formatInteger(total)} orders, ${formatInteger(counted)} counted`,
    );
  }
  return shown.join(" · ");
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
