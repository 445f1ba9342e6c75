/** Renders `audience plan`: text for a terminal, Markdown for a pull request, JSON for scripts. */
import { formatDay, type EpochDay } from "../calendar.js";
import type { SegmentPlanDiff } from "../segments/compare-plans.js";
import { formatInteger, renderTable } from "./table.js";
import type { Theme } from "./theme.js";

export const PLAN_FORMATS = ["text", "markdown", "json"] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export interface PlanView {
  asOf: EpochDay;
  customers: number;
  /** As given: `origin/main:segments/`, or a path. */
  base: string;
  head: string;
  exclusive: boolean;
  segments: SegmentPlanDiff[];
}

function changeText(d: SegmentPlanDiff): string {
  return d.change === "changed" ? `changed (${d.changedKeys.join(", ")})` : d.change;
}

function count(n: number | undefined): string {
  return n === undefined ? "—" : formatInteger(n);
}

function signed(n: number): string {
  return n > 0 ? `+${formatInteger(n)}` : n < 0 ? `−${formatInteger(-n)}` : "0";
}

function rows(view: PlanView): string[][] {
  return view.segments.map((d) => [
    d.id,
    changeText(d),
    count(d.before?.matched),
    count(d.after?.matched),
    signed((d.after?.matched ?? 0) - (d.before?.matched ?? 0)),
    `+${formatInteger(d.entered)}`,
    `−${formatInteger(d.exited)}`,
    `${count(d.before?.written)} → ${count(d.after?.written)}`,
  ]);
}

const HEADERS = ["segment", "change", "before", "after", "Δ", "entered", "exited", "written"];

function title(view: PlanView): string {
  const changed = view.segments.filter((d) => d.change !== "unchanged").length;
  return `${view.head} against ${view.base} as of ${formatDay(view.asOf)} · ${formatInteger(view.customers)} customers · ${changed} segment${changed === 1 ? "" : "s"} added, removed or changed${view.exclusive ? " · exclusive" : ""}`;
}

export function renderPlanText(view: PlanView, theme: Theme): string {
  const table = renderTable(
    HEADERS.map((header, i) => ({
      header,
      align: i >= 2 ? ("right" as const) : ("left" as const),
    })),
    rows(view),
    { indent: "  ", header: theme.muted },
  );
  return `${theme.strong("Plan")}: ${title(view)}\n\n${table}`;
}

/** A table GitHub renders in a pull-request comment or `$GITHUB_STEP_SUMMARY`. */
export function renderPlanMarkdown(view: PlanView): string {
  const escape = (t: string) => t.replace(/\|/g, "\\|");
  const lines = [
    "### audience plan",
    "",
    escape(title(view))
      .replace(view.head, `\`${view.head}\``)
      .replace(view.base, `\`${view.base}\``),
    "",
    `| ${HEADERS.join(" | ")} |`,
    `|${HEADERS.map((_, i) => (i >= 2 ? " ---: " : " --- ")).join("|")}|`,
    ...rows(view).map(
      (r) =>
        `| ${r.map((cell, i) => (i === 0 ? `\`${escape(cell)}\`` : escape(cell))).join(" | ")} |`,
    ),
    "",
    "_entered / exited: members (where minus exclude); written: rows of the segment's file._",
    "",
  ];
  return `${lines.join("\n")}`;
}

export function planJson(view: PlanView): Record<string, unknown> {
  return {
    as_of: formatDay(view.asOf),
    customers: view.customers,
    base: view.base,
    head: view.head,
    ...(view.exclusive ? { exclusive: true } : {}),
    segments: view.segments.map((d) => ({
      id: d.id,
      change: d.change,
      changed: d.changedKeys,
      before: d.before,
      after: d.after,
      entered: d.entered,
      exited: d.exited,
      written_entered: d.writtenEntered,
      written_exited: d.writtenExited,
    })),
  };
}
