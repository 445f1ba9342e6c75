import { describe, expect, it } from "vitest";
import type { HistoryRecord } from "../io/history.js";
import { describeMove, historyView, renderHistoryText, sparkline } from "./history.js";
import { createTheme } from "./theme.js";

const record = (asOf: string, written: Record<string, number>): HistoryRecord => ({
  as_of: asOf,
  built_at: `${asOf}T04:30:00.000Z`,
  engine: "memory",
  inputs: [],
  segments: Object.fromEntries(
    Object.entries(written).map(([id, n]) => [
      id,
      { matched: n, reachable: n, written: n, entered: n, exited: 0 },
    ]),
  ),
});

describe("sparkline", () => {
  it.each([
    [[0, 1, 2, 3, 4, 5, 6, 7], "▁▂▃▄▅▆▇█"],
    [[0, 0], "▁▁"],
    [[5, 5], "██"],
    [[null, 10, 5], " █▅"],
  ])("%j → %s", (sizes, line) => {
    expect(sparkline(sizes)).toBe(line);
  });
});

describe("describeMove", () => {
  it.each([
    [{ id: "a", from: 15, to: 6 }, "−60.0% (15 → 6)"],
    [{ id: "a", from: 1000, to: 1500 }, "+50.0% (1,000 → 1,500)"],
    [{ id: "a", from: 0, to: 6 }, "+6 (from 0)"],
  ])("%j → %s", (move, text) => {
    expect(describeMove(move)).toBe(text);
  });
});

describe("historyView", () => {
  it("flags each build's biggest move: relative size first, a start from 0 above all", () => {
    const view = historyView("out", [
      record("2026-11-01", { a: 100, b: 10, c: 0 }),
      record("2026-11-02", { a: 150, b: 10, c: 0 }),
      record("2026-11-03", { a: 160, b: 4, c: 2 }),
      record("2026-11-04", { a: 160, b: 4, c: 2 }),
    ]);
    expect(view.builds.map((b) => b.biggestMove)).toEqual([
      undefined,
      { id: "a", from: 100, to: 150 },
      { id: "c", from: 0, to: 2 },
      undefined,
    ]);
  });

  it("renders a sparkline when asked, the sizes otherwise", () => {
    const records = [record("2026-11-01", { a: 4 }), record("2026-11-02", { a: 8, b: 1 })];
    const theme = createTheme(false);
    const view = historyView("out", records);
    expect(renderHistoryText(view, theme, { sparkline: true })).toBe(
      [
        "History of out · 2 builds · as of 2026-11-01 → 2026-11-02",
        "",
        "  as_of       built (UTC)       engine  segments  written  entered  exited  biggest move",
        "  2026-11-01  2026-11-01 04:30  memory         1        4       +4      −0",
        "  2026-11-02  2026-11-02 04:30  memory         2        9       +9      −0  a +100.0% (4 → 8)",
        "",
        "  segment  written   change  written, last 2 builds",
        "  a              8  +100.0%  ▅█",
        "  b              1        —   █",
        "",
      ].join("\n"),
    );
    expect(renderHistoryText(view, theme, { sparkline: false })).toContain(
      "  a              8  +100.0%  4 8\n  b              1        —  · 1\n",
    );
  });
});
