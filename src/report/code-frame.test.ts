import { describe, expect, it } from "vitest";
import { codeFrame } from "./code-frame.js";
import { createTheme } from "./theme.js";

const SOURCE = [
  "segments:",
  "  win-back:",
  "    name: Win-back",
  "    where: order_count >= 1",
  "    channel: email",
  "  vip:",
  "    where: total_spent > 500",
  "",
].join("\n");

describe("codeFrame", () => {
  it("shows two lines of context, a > gutter and carets under the exact range", () => {
    expect(codeFrame(SOURCE, { line: 4, column: 12, endLine: 4, endColumn: 23 })).toBe(
      [
        "  2 |   win-back:",
        "  3 |     name: Win-back",
        "> 4 |     where: order_count >= 1",
        "    |            ^^^^^^^^^^^",
        "  5 |     channel: email",
        "  6 |   vip:",
      ].join("\n"),
    );
  });

  it("stops at the start and the end of the file", () => {
    expect(codeFrame(SOURCE, { line: 1, column: 1, endLine: 1, endColumn: 9 })).toBe(
      ["> 1 | segments:", "    | ^^^^^^^^", "  2 |   win-back:", "  3 |     name: Win-back"].join(
        "\n",
      ),
    );
    expect(codeFrame(SOURCE, { line: 7, column: 5, endLine: 7, endColumn: 10 })).toBe(
      [
        "  5 |     channel: email",
        "  6 |   vip:",
        "> 7 |     where: total_spent > 500",
        "    |     ^^^^^",
      ].join("\n"),
    );
  });

  it("widens the gutter for line numbers of different widths", () => {
    const source = Array.from({ length: 12 }, (_, i) => `line${i + 1}`).join("\n");
    expect(codeFrame(source, { line: 9, column: 1, endLine: 9, endColumn: 6 })).toBe(
      [
        "   7 | line7",
        "   8 | line8",
        ">  9 | line9",
        "     | ^^^^^",
        "  10 | line10",
        "  11 | line11",
      ].join("\n"),
    );
  });

  it("draws one caret without an end, and at least one for an empty range", () => {
    expect(codeFrame("a = b\n", { line: 1, column: 3 })).toBe("> 1 | a = b\n    |   ^");
    expect(codeFrame("a = b\n", { line: 1, column: 3, endLine: 1, endColumn: 3 })).toBe(
      "> 1 | a = b\n    |   ^",
    );
  });

  it("clamps the carets to the line: a range running onto the next lines, a column past the end", () => {
    expect(
      codeFrame("where: |\n  a and\n  b\n", { line: 2, column: 5, endLine: 3, endColumn: 4 }),
    ).toBe(["  1 | where: |", "> 2 |   a and", "    |     ^^^", "  3 |   b"].join("\n"));
    expect(codeFrame("key:\nnext: 1\n", { line: 1, column: 9 })).toBe(
      ["> 1 | key:", "    |     ^", "  2 | next: 1"].join("\n"),
    );
  });

  it("keeps tabs before the carets so they line up in a terminal", () => {
    expect(codeFrame("a:\n\tb: xx\n", { line: 2, column: 5, endLine: 2, endColumn: 7 })).toBe(
      ["  1 | a:", "> 2 | \tb: xx", "    | \t   ^^"].join("\n"),
    );
  });

  it("handles CRLF line ends", () => {
    expect(codeFrame("a: 1\r\nb: 2\r\n", { line: 2, column: 4, endLine: 2, endColumn: 5 })).toBe(
      ["  1 | a: 1", "> 2 | b: 2", "    |    ^"].join("\n"),
    );
  });

  it("cuts a long line around the range, with … where text is left out", () => {
    const long = `where: ${"a = 1 and ".repeat(50)}zz = 2 and ${"b = 2 and ".repeat(50)}c`;
    const column = long.indexOf("zz") + 1;
    const frame = codeFrame(`segments:\n${long}\nnext: 1\n`, {
      line: 2,
      column,
      endLine: 2,
      endColumn: column + 2,
    });
    const lines = frame.split("\n");
    expect(lines[0]).toBe("  1 | segments:");
    expect(lines[1]).toBe(`> 2 | …${long.slice(column - 21, column - 21 + 120)}…`);
    expect(lines[2]).toBe(`    | ${" ".repeat(21)}^^`);
    expect(lines[3]).toBe("  3 | next: 1");
  });

  it("shows a 1 MB line in a few hundred characters", () => {
    const long = `where: ${"x".repeat(1_000_000)}`;
    const frame = codeFrame(`${long}\n`, { line: 1, column: 8, endLine: 1, endColumn: 1_000_008 });
    expect(frame.length).toBeLessThan(400);
    expect(frame).toBe(`> 1 | ${long.slice(0, 120)}…\n    |        ${"^".repeat(113)}`);
  });

  it("replaces control characters that would move the cursor", () => {
    expect(codeFrame("a: \u001b[31mred\n", { line: 1, column: 1 })).toBe(
      "> 1 | a: \ufffd[31mred\n    | ^",
    );
  });

  it("returns an empty string for a line that is not in the text", () => {
    expect(codeFrame("a\nb", { line: 3, column: 1 })).toBe("");
    expect(codeFrame("a\nb\n", { line: 0, column: 1 })).toBe("");
  });

  it("colours the marker and carets by severity, the gutter muted", () => {
    const theme = createTheme(true);
    const frame = codeFrame("a = b\n", { line: 1, column: 1 }, { theme, severity: "warning" });
    expect(frame).toBe(
      `${theme.warning(">")} ${theme.muted("1 |")} a = b\n  ${theme.muted("  |")} ${theme.warning("^")}`,
    );
  });
});
