import { describe, expect, it } from "vitest";
import { headersFound, RejectLog, safeDetail } from "./rejects.js";

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
    // National numbers of 7 and 8 digits (Belgium's landlines, Denmark, Singapore…).
    ["12 34 56 78", "value hidden: it may be personal data"],
    ["555-1234", "value hidden: it may be personal data"],
    ["123456", "123456"],
  ])("%s → %s", (value, shown) => {
    expect(safeDetail(value)).toBe(shown);
  });
});

describe("headersFound", () => {
  it("lists the headers of a normal file as they are", () => {
    expect(headersFound(["Email", "Total", "Created at"])).toBe(
      "headers found: Email, Total, Created at",
    );
  });

  it("hides emails and phones and says when the first line reads as data", () => {
    expect(headersFound(["1001", "jane@example.com", "+33639980011", "2026-06-01", "10.00"])).toBe(
      "headers found: 1001, (hidden: may be personal data), (hidden: may be personal data), " +
        "2026-06-01, 10.00\n  the first line looks like a row of data: does the file have its header line?",
    );
  });

  it("shows at most 40 headers", () => {
    const many = Array.from({ length: 45 }, (_, i) => `col${i}`);
    expect(headersFound(many)).toBe(`headers found: ${many.slice(0, 40).join(", ")}, …`);
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
