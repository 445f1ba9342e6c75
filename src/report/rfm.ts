/** Renders `audience rfm`: text report, and the JSON of docs/design.md#json-output. */
import { formatDay, type EpochDay } from "../calendar.js";
import { FREQUENCY_THRESHOLDS, type Collapse, type RfmDimension } from "../rfm/compute.js";
import type { RfmReport } from "../rfm/report.js";
import {
  formatAmount,
  formatCount,
  formatCut,
  formatInteger,
  formatPercent,
  renderTable,
} from "./table.js";
import type { Theme } from "./theme.js";

/** Without any amount in the orders, revenue and the monetary dimension are unknown, not 0. */
export interface RfmOutputOptions {
  amounts: boolean;
  /** `order_statuses` of the JSON (see report/inputs.ts). */
  statuses?: Record<string, Record<string, { orders: number; counted: boolean }>>;
}

const UNAVAILABLE = "unavailable (the orders have no amount column)";

export function renderRfmText(
  report: RfmReport,
  asOf: EpochDay,
  theme: Theme,
  options: RfmOutputOptions = { amounts: true },
): string {
  const money = (value: number, decimals?: number) =>
    options.amounts ? formatAmount(value, decimals) : "—";
  let out = `${theme.strong("RFM")} as of ${formatDay(asOf)} · ${formatCount(report.buyers, "buyer")} of ${formatCount(
    report.customers,
    "customer",
  )} · revenue ${options.amounts ? formatAmount(report.revenue) : UNAVAILABLE}\n\n`;
  if (report.buyers === 0) return `${out}No buyers as of this date: nothing to score.\n`;

  const allFixed = report.fixed.recency && report.fixed.frequency && report.fixed.monetary;
  out +=
    theme.strong(
      allFixed
        ? "Cut points (fixed in audience.yaml)"
        : "Cut points (20th, 40th, 60th, 80th percentiles of buyers)",
    ) + "\n";
  const cut = (name: string, what: string, values: number[], fixed: boolean) => [
    name,
    what + (fixed && !allFixed ? " (fixed)" : ""),
    ...values.map(formatCut),
  ];
  out += renderTable(
    [
      { header: "" },
      { header: "" },
      { header: "c1", align: "right" },
      { header: "c2", align: "right" },
      { header: "c3", align: "right" },
      { header: "c4", align: "right" },
    ],
    [
      cut("recency", "days since last order", report.cutPoints.recency, report.fixed.recency),
      cut("frequency", "orders", report.cutPoints.frequency, report.fixed.frequency),
      options.amounts
        ? cut("monetary", "total spent", report.cutPoints.monetary, report.fixed.monetary)
        : ["monetary", UNAVAILABLE, "—", "—", "—", "—"],
    ],
    { indent: "  ", header: theme.muted },
  );
  out += `  ${theme.muted("R = 5 for the most recent buyers; F and M = 5 for the most frequent and the biggest spenders")}\n`;
  for (const line of collapseNotes(report.collapsed)) out += `  ${theme.warning(line)}\n`;
  out += "\n";

  out += theme.strong("Buyers by recency (R, rows) and frequency (F, columns)") + "\n";
  const max = Math.max(1, ...report.grid.flat());
  const cellWidth = Math.max(6, formatInteger(max).length + 2);
  out += `  ${"".padEnd(5)}${[1, 2, 3, 4, 5].map((f) => `F=${f}`.padStart(cellWidth)).join("")}\n`;
  for (let r = 5; r >= 1; r--) {
    const cells = report.grid[r - 1].map((count) => {
      const text = formatInteger(count).padStart(cellWidth);
      if (!theme.enabled) return text;
      const level = count === 0 ? 0 : 1 + Math.min(3, Math.floor((count / max) * 4));
      return theme.shade(text, level);
    });
    out += `  ${`R=${r}`.padEnd(5)}${cells.join("")}\n`;
  }
  out += "\n";

  out += theme.strong("Segments") + "\n";
  out += renderTable(
    [
      { header: "segment" },
      { header: "customers", align: "right" },
      { header: "% buyers", align: "right" },
      { header: "revenue", align: "right" },
      { header: "% revenue", align: "right" },
      { header: "avg days", align: "right" },
      { header: "avg orders", align: "right" },
      { header: "avg spent", align: "right" },
    ],
    report.segments.map((s) => [
      s.name,
      formatInteger(s.customers),
      formatPercent(s.share),
      money(s.revenue),
      options.amounts ? formatPercent(s.revenueShare) : "—",
      s.customers === 0 ? "—" : formatAmount(s.avgDaysSinceLastOrder, 0),
      s.customers === 0 ? "—" : formatAmount(s.avgOrders, 1),
      s.customers === 0 ? "—" : money(s.avgSpent),
    ]),
    { indent: "  ", header: theme.muted },
  );
  return out;
}

/** `audience rfm --json` (docs/design.md#json-output); without amounts, revenue and monetary values are null. */
export interface RfmJson {
  as_of: string;
  buyers: number;
  customers: number;
  revenue: number | null;
  monetary_available: boolean;
  cut_points: {
    recency: number[];
    frequency: number[];
    monetary: number[] | null;
  };
  grid: number[][];
  segments: {
    name: string;
    customers: number;
    revenue: number | null;
    share: number;
    revenue_share: number | null;
  }[];
  order_statuses?: Record<string, Record<string, { orders: number; counted: boolean }>>;
}

/** docs/design.md#json-output; without amounts, revenue and monetary values are null and `monetary_available` false. */
export function rfmJson(
  report: RfmReport,
  asOf: EpochDay,
  options: RfmOutputOptions = { amounts: true },
): RfmJson {
  const known = options.amounts;
  return {
    as_of: formatDay(asOf),
    buyers: report.buyers,
    customers: report.customers,
    revenue: known ? report.revenue : null,
    monetary_available: known,
    cut_points: known ? report.cutPoints : { ...report.cutPoints, monetary: null },
    ...(Object.keys(report.collapsed).length === 0 ? {} : { collapsed: report.collapsed }),
    grid: report.grid,
    segments: report.segments.map((s) => ({
      name: s.name,
      customers: s.customers,
      revenue: known ? s.revenue : null,
      share: round4(s.share),
      revenue_share: known ? round4(s.revenueShare) : null,
    })),
    ...(options.statuses === undefined ? {} : { order_statuses: options.statuses }),
  };
}

function round4(value: number): number {
  return Math.round(value * 10000) / 10000;
}

const DIMENSION_WORDS: Record<RfmDimension, string> = {
  recency: "recency",
  frequency: "frequency",
  monetary: "monetary",
};

/** One line per dimension whose percentiles collapsed: what was found, how it is scored instead. */
export function collapseNotes(collapsed: Partial<Record<RfmDimension, Collapse>>): string[] {
  return (Object.keys(DIMENSION_WORDS) as RfmDimension[]).flatMap((d) => {
    const collapse = collapsed[d];
    if (collapse === undefined) return [];
    const found = collapse.percentiles.map(formatCut).join(" ");
    const instead =
      collapse.method === "thresholds"
        ? `scored by order count instead: F = 1, 2, 3 for 1, 2, 3 orders, 4 for 4–5, 5 for ${FREQUENCY_THRESHOLDS[3] + 1} or more`
        : "scored by the percentiles of its distinct values instead, so that each value keeps its rank";
    return [
      `${DIMENSION_WORDS[d]}: the percentiles collapse (${found}: too many buyers share a value); ${instead}`,
    ];
  });
}
