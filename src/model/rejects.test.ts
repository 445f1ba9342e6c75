import { describe, expect, it } from "vitest";
import { RejectLog, safeDetail } from "./rejects.js";

describe("safeDetail", () => {
  it.each([
    ["2024-02-30", "2024-02-30"],
    ["2024-05-01 10:20:30 +0200", "2024-05-01 10:20:30 +0200"],
    ["03/04/2026", "03/04/2026"],
    ["12abc", "12abc"],
    ["1 234,50", "1 234,50"],
    ["marie@example.com", "value hidden: it may be personal data"],
    ["06 39 98 00 01", "value hidden: it may be personal data"],
    ["+33639980001", "value hidden: it may be personal data"],
  ])("%s → %s", (value, shown) => {
    expect(safeDetail(value)).toBe(shown);
  });
});

describe("RejectLog", () => {
  it("counts by file and reason, keeps five examples per file, and hides personal values", () => {
    const log = new RejectLog();
    for (let line = 2; line < 10; line++)
      log.reject("a.csv", line, "bad date", [], line === 2 ? "x@example.com" : "2024-02-30");
    log.reject("b.csv", 4, "bad date", []);
    log.warn("a.csv", 3, "odd consent", "perhaps");
    expect(log.rejectedByFile()).toEqual({
      "a.csv": { "bad date": 8 },
      "b.csv": { "bad date": 1 },
    });
    expect(log.examples.map((e) => `${e.file}:${e.line}: ${e.reason}`)).toEqual([
      "a.csv:2: bad date (value hidden: it may be personal data)",
      "a.csv:3: bad date (2024-02-30)",
      "a.csv:4: bad date (2024-02-30)",
      "a.csv:5: bad date (2024-02-30)",
      "a.csv:6: bad date (2024-02-30)",
      "b.csv:4: bad date",
    ]);
    expect(log.rejectedCount()).toBe(9);
    expect(log.warningsByFile()).toEqual({ "a.csv": { "odd consent": 1 } });
  });

  it("passes every rejected row with its fields to a listener, and stops at the first with strict", () => {
    const seen: string[] = [];
    const log = new RejectLog({ listener: (r) => seen.push(`${r.line}:${r.fields.join("|")}`) });
    log.reject("a.csv", 2, "bad", ["1", "x"]);
    expect(seen).toEqual(["2:1|x"]);
    const strict = new RejectLog({ strict: true });
    expect(() => strict.reject("a.csv", 7, "bad date", [], "2024-02-30")).toThrow(
      "a.csv:7: bad date (2024-02-30)",
    );
  });
});
