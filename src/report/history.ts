/**
 * `audience history` (docs/design.md#changes): one line per build, oldest first, with the build's biggest move,
 * then each segment's written rows over the last builds — a sparkline on a terminal, the numbers
 * themselves otherwise (a pipe, a log, NO_COLOR).
 */
import type { HistoryRecord, SegmentSizes } from "../io/history.js";
import { formatInteger, formatPercent, renderTable, type Column } from "./table.js";
import type { Theme } from "./theme.js";

/** How many of the latest builds the per-segment sizes show. */
export const SIZES_SHOWN = 12;

export interface SegmentMove {
  id: string;
  from: number;
  to: number;
}

export interface BuildLine {
  asOf: string;
  builtAt: string;
  engine: string;
  segments: number;
  written: number;
  entered: number;
  exited: number;
  /** The segment whose written rows changed the most since its previous build, if any did. */
  biggestMove?: SegmentMove;
}

export interface SegmentLine {
  id: string;
  /** Written rows in each of the last builds, oldest first; null where a build did not compute it. */
  sizes: (number | null)[];
  latest: number;
  /** The last change: the latest build's rows against the one before that computed it. */
  change?: SegmentMove;
}

export interface HistoryView {
  out: string;
  builds: BuildLine[];
  segments: SegmentLine[];
}

/** How big a move is: relative to where it started (a start from 0 beats any other). */
function moveSize(move: SegmentMove): number {
  if (move.from === move.to) return 0;
  if (move.from === 0) return Number.POSITIVE_INFINITY;
  return Math.abs(move.to - move.from) / move.from;
}

function biggest(moves: SegmentMove[]): SegmentMove | undefined {
  let best: SegmentMove | undefined;
  for (const move of moves) {
    const size = moveSize(move);
    if (size === 0) continue;
    if (
      best === undefined ||
      size > moveSize(best) ||
      (size === moveSize(best) && Math.abs(move.to - move.from) > Math.abs(best.to - best.from))
    )
      best = move;
  }
  return best;
}

/** The view of a history, for the segments `only` names (all when absent). */
export function historyView(
  out: string,
  records: readonly HistoryRecord[],
  only?: readonly string[],
): HistoryView {
  const keep = (id: string) => only === undefined || only.includes(id);
  // Segment order: the latest build's, then those only older builds computed.
  const ids: string[] = [];
  for (let i = records.length - 1; i >= 0; i--)
    for (const id of Object.keys(records[i].segments))
      if (keep(id) && !ids.includes(id)) ids.push(id);
  const lastSeen = new Map<string, number>();
  const builds: BuildLine[] = records.map((record) => {
    const entries = Object.entries(record.segments).filter(([id]) => keep(id));
    const moves: SegmentMove[] = [];
    for (const [id, sizes] of entries) {
      const before = lastSeen.get(id);
      if (before !== undefined) moves.push({ id, from: before, to: sizes.written });
      lastSeen.set(id, sizes.written);
    }
    const sum = (field: keyof SegmentSizes) => entries.reduce((n, [, s]) => n + s[field], 0);
    const move = biggest(moves);
    return {
      asOf: record.as_of,
      builtAt: record.built_at,
      engine: record.engine,
      segments: entries.length,
      written: sum("written"),
      entered: sum("entered"),
      exited: sum("exited"),
      ...(move === undefined ? {} : { biggestMove: move }),
    };
  });
  const recent = records.slice(Math.max(0, records.length - SIZES_SHOWN));
  const segments = ids.map((id): SegmentLine => {
    const all = records.map((r) => r.segments[id]?.written ?? null).filter((v) => v !== null);
    const latest = all[all.length - 1] ?? 0;
    const previous = all[all.length - 2];
    return {
      id,
      sizes: recent.map((r) => r.segments[id]?.written ?? null),
      latest,
      ...(previous === undefined ? {} : { change: { id, from: previous, to: latest } }),
    };
  });
  return { out, builds, segments };
}

const BARS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/** Sizes as bars from 0 to the largest shown; a space where a build did not compute it. */
export function sparkline(sizes: readonly (number | null)[]): string {
  const max = Math.max(0, ...sizes.map((v) => v ?? 0));
  return sizes
    .map((v) => {
      if (v === null) return " ";
      if (max === 0) return BARS[0];
      return BARS[Math.round((v / max) * (BARS.length - 1))];
    })
    .join("");
}

function signed(n: number): string {
  return n < 0 ? `−${formatInteger(-n)}` : `+${formatInteger(n)}`;
}

/** "−60.0% (15 → 6)", "+6 (from 0)". */
export function describeMove(move: SegmentMove): string {
  if (move.from === 0) return `${signed(move.to)} (from 0)`;
  const change = (move.to - move.from) / move.from;
  const percent = formatPercent(Math.abs(change));
  return `${change < 0 ? "−" : "+"}${percent} (${formatInteger(move.from)} → ${formatInteger(move.to)})`;
}

/** "2026-12-02T07:15:41.400Z" → "2026-12-02 07:15". */
function minute(iso: string): string {
  return new Date(iso).toISOString().slice(0, 16).replace("T", " ");
}

export function renderHistoryText(
  view: HistoryView,
  theme: Theme,
  options: { sparkline: boolean },
): string {
  const first = view.builds[0];
  const last = view.builds[view.builds.length - 1];
  let out = `${theme.strong("History")} of ${view.out} · ${view.builds.length === 1 ? "1 build" : `${formatInteger(view.builds.length)} builds`}`;
  out += first === undefined ? "\n\n" : ` · as of ${first.asOf} → ${last.asOf}\n\n`;
  const buildColumns: Column[] = [
    { header: "as_of" },
    { header: "built (UTC)" },
    { header: "engine" },
    { header: "segments", align: "right" },
    { header: "written", align: "right" },
    { header: "entered", align: "right" },
    { header: "exited", align: "right" },
    { header: "biggest move" },
  ];
  const buildRows = view.builds.map((b) => [
    b.asOf,
    minute(b.builtAt),
    b.engine,
    formatInteger(b.segments),
    formatInteger(b.written),
    `+${formatInteger(b.entered)}`,
    `−${formatInteger(b.exited)}`,
    b.biggestMove === undefined
      ? ""
      : theme.warning(`${b.biggestMove.id} ${describeMove(b.biggestMove)}`),
  ]);
  out += renderTable(buildColumns, buildRows, { indent: "  ", header: theme.muted });
  if (view.segments.length === 0) return out;
  const shown = Math.min(SIZES_SHOWN, view.builds.length);
  const segmentColumns: Column[] = [
    { header: "segment" },
    { header: "written", align: "right" },
    { header: "change", align: "right" },
    { header: `written, last ${shown === 1 ? "build" : `${shown} builds`}` },
  ];
  const segmentRows = view.segments.map((s) => [
    s.id,
    formatInteger(s.latest),
    s.change === undefined
      ? "—"
      : s.change.from === 0
        ? signed(s.change.to - s.change.from)
        : `${s.change.to < s.change.from ? "−" : "+"}${formatPercent(Math.abs(s.change.to - s.change.from) / s.change.from)}`,
    options.sparkline
      ? theme.accent(sparkline(s.sizes))
      : s.sizes.map((v) => (v === null ? "·" : formatInteger(v))).join(" "),
  ]);
  out += "\n" + renderTable(segmentColumns, segmentRows, { indent: "  ", header: theme.muted });
  return out;
}
