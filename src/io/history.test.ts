import { describe, expect, it } from "vitest";
import {
  appendBuild,
  droppedWarning,
  formatHistory,
  historyJson,
  lastWritten,
  parseHistory,
  type HistoryRecord,
} from "./history.js";

const record = (asOf: string, written: Record<string, number>): HistoryRecord => ({
  as_of: asOf,
  built_at: `${asOf}T04:30:00.000Z`,
  engine: "memory",
  inputs: [{ kind: "orders", sha256: null }],
  segments: Object.fromEntries(
    Object.entries(written).map(([id, n]) => [
      id,
      { matched: n, reachable: n, written: n, entered: 0, exited: 0 },
    ]),
  ),
});

describe("parseHistory", () => {
  it("reads back what formatHistory writes", () => {
    const records = [record("2026-11-01", { vip: 3 }), record("2026-11-02", { vip: 4, sms: 0 })];
    expect(parseHistory(formatHistory(records))).toEqual({ records, dropped: [] });
  });

  it.each([
    ["not JSON", "{"],
    ["not an object", "[1]"],
    ["a bad as_of", JSON.stringify({ ...record("2026-11-01", {}), as_of: "01/11/2026" })],
    ["a bad time", JSON.stringify({ ...record("2026-11-01", {}), built_at: "soon" })],
    ["no engine", JSON.stringify({ ...record("2026-11-01", {}), engine: 1 })],
    ["a bad input", JSON.stringify({ ...record("2026-11-01", {}), inputs: [{ kind: 1 }] })],
    ["a bad segment id", JSON.stringify({ ...record("2026-11-01", {}), segments: { "A B": {} } })],
    [
      "a negative count",
      JSON.stringify({
        ...record("2026-11-01", {}),
        segments: { vip: { matched: 1, reachable: 1, written: -1, entered: 0, exited: 0 } },
      }),
    ],
    [
      "a missing count",
      JSON.stringify({ ...record("2026-11-01", {}), segments: { vip: { written: 1 } } }),
    ],
  ])("drops a line with %s, by line number", (_name, bad) => {
    const good = JSON.stringify(record("2026-11-02", { vip: 1 }));
    const loaded = parseHistory(`${good}\n\n${bad}\n${good}\n`);
    expect(loaded.dropped).toEqual([3]);
    expect(loaded.records).toHaveLength(2);
  });

  it("warns in one line, naming at most five line numbers and never the content", () => {
    const loaded = parseHistory("a\nb\nc\nd\ne\nf\n" + JSON.stringify(record("2026-11-02", {})));
    expect(droppedWarning("out/history.jsonl", loaded)).toBe(
      "out/history.jsonl: dropped 6 lines 1, 2, 3, 4, 5, … (not a build record of audience); the other build is kept",
    );
  });
});

describe("appendBuild, lastWritten, historyJson", () => {
  it("keeps the last N builds, oldest first", () => {
    let records: HistoryRecord[] = [];
    for (const day of ["01", "02", "03", "04"])
      records = appendBuild(records, record(`2026-11-${day}`, { vip: Number(day) }), 3);
    expect(records.map((r) => r.as_of)).toEqual(["2026-11-02", "2026-11-03", "2026-11-04"]);
  });

  it("finds the last build that computed a segment", () => {
    const records = [record("2026-11-01", { vip: 3, sms: 9 }), record("2026-11-02", { vip: 4 })];
    expect(lastWritten(records, "sms")).toBe(9);
    expect(lastWritten(records, "vip")).toBe(4);
    expect(lastWritten(records, "none")).toBeUndefined();
  });

  it("gives the shape of docs/design.md#changes: as_of, built_at and the segments' counts only", () => {
    const json = historyJson([record("2026-11-01", { vip: 3, sms: 1 })], ["sms"]);
    expect(json).toEqual({
      builds: [
        {
          as_of: "2026-11-01",
          built_at: "2026-11-01T04:30:00.000Z",
          segments: { sms: { matched: 1, reachable: 1, written: 1, entered: 0, exited: 0 } },
        },
      ],
    });
  });
});
