/**
 * Plain-text tables and number formats for reports. Output is the same on every machine: numbers
 * are formatted here, not by the locale.
 */

export type Align = "left" | "right";

export interface Column {
  header: string;
  align?: Align;
}

/** Visible width of a cell (colour escape codes do not count). */
function width(text: string): number {
  // eslint-disable-next-line no-control-regex
  return [...text.replace(/\u001b\[[0-9;]*m/g, "")].length;
}

function pad(text: string, size: number, align: Align): string {
  const fill = " ".repeat(Math.max(0, size - width(text)));
  return align === "right" ? fill + text : text + fill;
}

/** Renders rows under a header, two spaces between columns, with `indent` before each line. */
export function renderTable(
  columns: Column[],
  rows: string[][],
  options: { indent?: string; header?: (text: string) => string } = {},
): string {
  const indent = options.indent ?? "";
  const headerStyle = options.header ?? ((t: string) => t);
  const widths = columns.map((c, i) =>
    Math.max(width(c.header), ...rows.map((r) => width(r[i] ?? ""))),
  );
  const line = (cells: string[], style: (t: string) => string = (t) => t) =>
    indent +
    cells
      .map((cell, i) => style(pad(cell, widths[i], columns[i].align ?? "left")))
      .join("  ")
      .trimEnd();
  return (
    [
      line(
        columns.map((c) => c.header),
        headerStyle,
      ),
      ...rows.map((r) => line(r)),
    ].join("\n") + "\n"
  );
}

/** 1234567 → "1,234,567". */
export function formatInteger(value: number): string {
  const sign = value < 0 ? "-" : "";
  const digits = String(Math.round(Math.abs(value)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** 1 → "1 buyer", 1234 → "1,234 buyers". */
export function formatCount(n: number, word: string, many = `${word}s`): string {
  return `${formatInteger(n)} ${n === 1 ? word : many}`;
}

/** 1234.5 → "1,234.50" (amounts, with `decimals` digits). */
export function formatAmount(value: number, decimals = 2): string {
  if (!Number.isFinite(value)) return "—";
  const sign = value < 0 ? "-" : "";
  const [int, frac] = Math.abs(value).toFixed(decimals).split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return sign + (frac === undefined ? grouped : `${grouped}.${frac}`);
}

/** 0.1234 → "12.3%". */
export function formatPercent(fraction: number, decimals = 1): string {
  if (!Number.isFinite(fraction)) return "—";
  return `${(fraction * 100).toFixed(decimals)}%`;
}

/** A cut point: whole numbers as they are, others with up to two decimals. */
export function formatCut(value: number): string {
  if (Number.isInteger(value)) return formatInteger(value);
  return formatAmount(value, 2);
}
