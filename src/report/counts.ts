/** Renders the counts of `audience count` and `audience build` (docs/design.md#commands, §9). */
import { formatDay, type EpochDay } from "../calendar.js";
import type { SegmentMembers } from "../segments/evaluate.js";
import { formatCount, formatInteger, formatPercent, renderTable, type Column } from "./table.js";
import type { Theme } from "./theme.js";

export interface CountsView {
  asOf: EpochDay;
  timezone: string;
  customers: number;
  buyers: number;
  results: readonly SegmentMembers[];
  exclusive: boolean;
  /** Build only: rows written, entered and exited since the previous build, file, per segment id. */
  written?: ReadonlyMap<string, { written: number; file: string; entered: number; exited: number }>;
  rejected: Record<string, Record<string, number>>;
  /** Orders by status and whether that status counts, per orders file (`statusesJson`). */
  statuses?: Record<string, Record<string, { orders: number; counted: boolean }>>;
  /** Rows linked to a customer already known, by identifier (report/inputs.ts `mergesJson`). */
  merges?: Record<string, number>;
}

export function renderCountsText(view: CountsView, theme: Theme): string {
  let out = `${theme.strong("Segments")} as of ${formatDay(view.asOf)} · ${formatCount(view.customers, "customer")} · ${formatCount(
    view.buyers,
    "buyer",
  )}${view.exclusive ? " · exclusive" : ""}\n\n`;
  const columns: Column[] = [
    { header: "segment" },
    { header: "matched", align: "right" },
    { header: "reachable", align: "right" },
    ...(view.exclusive ? [{ header: "assigned", align: "right" as const }] : []),
    { header: "% of base", align: "right" },
    { header: "channel" },
    ...(view.written === undefined
      ? []
      : [
          { header: "written", align: "right" as const },
          { header: "entered", align: "right" as const },
          { header: "exited", align: "right" as const },
          { header: "file" },
        ]),
  ];
  const rows = view.results.map((r) => {
    const written = view.written?.get(r.segment.id);
    return [
      r.segment.id,
      formatInteger(r.matched),
      formatInteger(r.reachableCount),
      ...(view.exclusive ? [formatInteger(r.assignedCount)] : []),
      formatPercent(view.customers === 0 ? 0 : r.matched / view.customers),
      r.segment.channel,
      ...(view.written === undefined
        ? []
        : [
            formatInteger(written?.written ?? 0),
            `+${formatInteger(written?.entered ?? 0)}`,
            `−${formatInteger(written?.exited ?? 0)}`,
            written?.file ?? "",
          ]),
    ];
  });
  out += renderTable(columns, rows, { indent: "  ", header: theme.muted });
  return out;
}

/** `audience count --json` and `audience build --json` (docs/design.md#json-output). */
export interface CountsJson {
  as_of: string;
  timezone: string;
  customers: number;
  buyers: number;
  exclusive?: true;
  segments: {
    id: string;
    matched: number;
    reachable: number;
    assigned?: number;
    written?: number;
    file?: string;
  }[];
  rejected_rows: Record<string, Record<string, number>>;
}

export function countsJson(view: CountsView): CountsJson {
  return {
    as_of: formatDay(view.asOf),
    timezone: view.timezone,
    customers: view.customers,
    buyers: view.buyers,
    ...(view.exclusive ? { exclusive: true } : {}),
    segments: view.results.map((r) => {
      const written = view.written?.get(r.segment.id);
      return {
        id: r.segment.id,
        matched: r.matched,
        reachable: r.reachableCount,
        ...(view.exclusive ? { assigned: r.assignedCount } : {}),
        ...(written === undefined
          ? {}
          : {
              written: written.written,
              file: written.file,
              entered: written.entered,
              exited: written.exited,
            }),
      };
    }),
    rejected_rows: view.rejected,
    ...(view.statuses === undefined ? {} : { order_statuses: view.statuses }),
    ...(view.merges === undefined ? {} : { merges: view.merges }),
  };
}
