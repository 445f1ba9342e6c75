/**
 * Rows that cannot be used are skipped, counted by reason, and shown as `file:line: reason`
 * examples (docs/design.md#inputs "Bad input"). With `strict`, the first one stops the run. Warnings are for
 * values that were read with a fallback (an unknown consent word read as "no", an invalid phone
 * left out) — the row still counts.
 *
 * Messages hold reasons and non-personal values (dates, amounts) only; never an email or phone.
 */
import { compareText } from "../compare-text.js";
import { escapeControls } from "../escape.js";
import { UserError } from "../errors.js";

export interface RejectExample {
  file: string;
  line: number;
  reason: string;
}

export interface RejectRecord extends RejectExample {
  /** The raw fields of the row, for the `--rejects` file only. */
  fields: readonly string[];
}

export type RejectListener = (record: RejectRecord) => void;

const EXAMPLES_PER_FILE = 5;

const DATE_SHAPES = [
  /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T].*)?$/,
  /^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?:[ T].*)?$/,
];

/**
 * A cell value fit for a message, or a placeholder. Shifted columns can put an email or a phone
 * where a date or an amount was expected: values with an `@`, or with seven digits or more that are
 * not a date, are never printed.
 */
export function safeDetail(value: string): string {
  const text = value.trim().slice(0, 40);
  return mayBePersonal(text) ? "value hidden: it may be personal data" : escapeControls(text);
}

/**
 * An `@`, or seven digits or more that are not a date: an email or a phone, perhaps (national
 * numbers have 7 or 8 digits in many countries).
 */
export function mayBePersonal(text: string): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  return text.includes("@") || (digits >= 7 && !DATE_SHAPES.some((shape) => shape.test(text)));
}

/** A cell that reads as data, not as a column name: a number, a date or an email. */
function looksLikeData(text: string): boolean {
  const t = text.trim();
  return (
    /^[+-]?[\d\s.,'()+-]+$/.test(t) ||
    DATE_SHAPES.some((shape) => shape.test(t)) ||
    /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(t)
  );
}

/**
 * "headers found: …" for a message about a header line: at most 40 of them, and none that may be
 * personal data. A header line that reads like a row of data (the export lost its header line)
 * is said to be one.
 */
export function headersFound(header: readonly string[]): string {
  const shown = header
    .slice(0, 40)
    .map((h) => (mayBePersonal(h.trim()) ? "(hidden: may be personal data)" : escapeControls(h)));
  const text = `headers found: ${shown.join(", ")}${header.length > 40 ? ", …" : ""}`;
  const data = header.filter((h) => h.trim() !== "" && looksLikeData(h)).length;
  if (data > 0 && data * 2 >= header.filter((h) => h.trim() !== "").length) {
    return `${text}\n  the first line looks like a row of data: does the file have its header line?`;
  }
  return text;
}

export class RejectLog {
  /** file → reason → count. */
  readonly rejected = new Map<string, Map<string, number>>();
  /** file → warning → count. */
  readonly warnings = new Map<string, Map<string, number>>();
  readonly examples: RejectExample[] = [];
  readonly warningExamples: RejectExample[] = [];
  private readonly strict: boolean;
  private readonly listener: RejectListener | undefined;
  /** Told of every reject as it is made (line and fixed reason): a staging source's check. */
  observer: ((file: string, line: number, reason: string) => void) | undefined;

  constructor(options: { strict?: boolean; listener?: RejectListener } = {}) {
    this.strict = options.strict ?? false;
    this.listener = options.listener;
  }

  /**
   * Skips a row. `reason` is a short fixed phrase ("unparseable date in created_at"); `detail` is an
   * optional non-personal value shown in examples only (`"2024-02-30"`).
   */
  reject(
    file: string,
    line: number,
    reason: string,
    fields: readonly string[],
    detail?: string,
  ): void {
    const shown = detail === undefined ? reason : `${reason} (${safeDetail(detail)})`;
    this.observer?.(file, line, reason);
    if (this.strict) {
      throw new UserError("BAD_ROW", `${file}:${line}: ${shown}`, {
        hint: "without --strict, bad rows are skipped and counted",
      });
    }
    bump(this.rejected, file, reason);
    if (this.examplesFor(this.examples, file) < EXAMPLES_PER_FILE) {
      this.examples.push({ file, line, reason: shown });
    }
    this.listener?.({ file, line, reason: shown, fields });
  }

  warn(file: string, line: number, warning: string, detail?: string): void {
    bump(this.warnings, file, warning);
    if (this.examplesFor(this.warningExamples, file) < EXAMPLES_PER_FILE) {
      this.warningExamples.push({
        file,
        line,
        reason: detail === undefined ? warning : `${warning} (${safeDetail(detail)})`,
      });
    }
  }

  /** Forgets every reject and warning: the inputs are read again (docs/design.md#inputs identity). */
  clear(): void {
    this.rejected.clear();
    this.warnings.clear();
    this.examples.length = 0;
    this.warningExamples.length = 0;
  }

  rejectedCount(file?: string): number {
    return total(this.rejected, file);
  }

  warningCount(file?: string): number {
    return total(this.warnings, file);
  }

  /** `{ file: { reason: count } }`, keys sorted, for JSON output and the manifest. */
  rejectedByFile(): Record<string, Record<string, number>> {
    return plain(this.rejected);
  }

  warningsByFile(): Record<string, Record<string, number>> {
    return plain(this.warnings);
  }

  private examplesFor(list: RejectExample[], file: string): number {
    let n = 0;
    for (const e of list) if (e.file === file) n++;
    return n;
  }
}

function bump(map: Map<string, Map<string, number>>, file: string, reason: string): void {
  let byReason = map.get(file);
  if (byReason === undefined) {
    byReason = new Map();
    map.set(file, byReason);
  }
  byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
}

function total(map: Map<string, Map<string, number>>, file?: string): number {
  let n = 0;
  for (const [f, byReason] of map) {
    if (file !== undefined && f !== file) continue;
    for (const count of byReason.values()) n += count;
  }
  return n;
}

function plain(map: Map<string, Map<string, number>>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const file of [...map.keys()].sort()) {
    const byReason = map.get(file) as Map<string, number>;
    out[file] = Object.fromEntries([...byReason.entries()].sort(([a], [b]) => compareText(a, b)));
  }
  return out;
}
