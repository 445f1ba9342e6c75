import { describe, expect, it } from "vitest";
import { formatJson } from "../report/json.js";
import { buildManifest, type ManifestSegment } from "./manifest.js";
import { parsePreviousManifest } from "./previous-manifest.js";

const SHA = (digit: string) => digit.repeat(64);

const VIP: ManifestSegment = {
  id: "vip",
  name: "VIP",
  channel: "email",
  format: "generic",
  hashed: false,
  matched: 12,
  reachable: 10,
  written: 9,
  file: "vip.csv",
  sha256: SHA("a"),
  entered: 3,
  exited: 1,
  changes: {
    entered: { file: "changes/vip.entered.csv", sha256: SHA("b") },
    exited: { file: "changes/vip.exited.csv", sha256: SHA("c") },
  },
};

function manifest(segments: ManifestSegment[]) {
  return buildManifest({
    builtAt: new Date(Date.UTC(2026, 5, 30, 19, 30, 12)),
    asOf: 20634,
    timezone: "Europe/Paris",
    engine: "memory",
    exclusive: false,
    hash: false,
    customers: 40,
    buyers: 30,
    inputs: [
      { kind: "orders", display: "orders.csv", read: { sha256: SHA("d"), bytes: 900, rows: 41 } },
      { kind: "contacts", display: "contacts.csv", read: { bytes: 500, rows: 40 } },
    ],
    rejectedByFile: { "orders.csv": { BAD_DATE: 1 } },
    segmentFiles: ["segments/vip.yaml"],
    segments,
    cutPoints: {
      recency: [30, 60, 90, 180],
      frequency: [1, 2, 3, 5],
      monetary: [50, 100, 200, 400],
    },
    report: { file: "report.html", sha256: SHA("e") },
  });
}

describe("manifest.json", () => {
  it("records the build in a fixed key order", () => {
    const m = manifest([VIP]);
    expect(Object.keys(m)).toEqual([
      "tool",
      "version",
      "generated_at",
      "as_of",
      "timezone",
      "engine",
      "exclusive",
      "hash",
      "customers",
      "buyers",
      "inputs",
      "segment_files",
      "segments",
      "rfm",
      "report",
    ]);
    expect(m.generated_at).toBe("2026-06-30T19:30:12.000Z");
    expect(m.as_of).toBe("2026-06-30");
    expect(m.inputs).toEqual([
      {
        kind: "orders",
        path: "orders.csv",
        sha256: SHA("d"),
        bytes: 900,
        rows_read: 41,
        rows_skipped: { BAD_DATE: 1 },
      },
      {
        kind: "contacts",
        path: "contacts.csv",
        sha256: null,
        bytes: 500,
        rows_read: 40,
        rows_skipped: {},
      },
    ]);
  });

  it("is read back by the previous-manifest reader as written", () => {
    // A segment of an older manifest: no hashed flag, no changes.
    const {
      changes: _changes,
      hashed: _hashed,
      ...lapsed
    } = { ...VIP, id: "lapsed", file: "lapsed.csv" };
    const read = parsePreviousManifest(formatJson(manifest([VIP, lapsed])), "out/manifest.json");
    expect(read.hash).toBe(false);
    expect(read.report).toBe("report.html");
    expect(read.segments).toEqual([VIP, lapsed]);
  });
});
