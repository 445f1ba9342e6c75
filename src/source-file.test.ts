import { describe, expect, it } from "vitest";
import { SourceFile, SourceLocation } from "./source-file.js";

describe("SourceFile", () => {
  it("gives 1-based line and column of an offset, lines ending at \\n", () => {
    const file = new SourceFile("f.yaml", "ab\r\ncd\n\nef");
    const at = (offset: number) => Object.values(file.position(offset)).join(":");
    expect([0, 1, 2, 3, 4, 5, 7, 8, 9, 10].map(at)).toEqual([
      "1:1",
      "1:2",
      "1:3",
      "1:4",
      "2:1",
      "2:2",
      "3:1",
      "4:1",
      "4:2",
      "4:3",
    ]);
    expect([1, 2, 3, 4, 5].map((line) => file.lineStart(line))).toEqual([0, 4, 7, 8, 10]);
  });

  it("places a file that was not read at its start", () => {
    const location = SourceLocation.fileStart(new SourceFile("missing.yaml"));
    expect(location.place()).toEqual({ file: "missing.yaml", line: 1, column: 1 });
  });
});

describe("SourceLocation", () => {
  it("computes line and column of both ends from the offsets", () => {
    const file = new SourceFile("f.yaml", "s:\n  where: x > 1\n");
    const location = new SourceLocation(file, 10, 15);
    expect(location.place()).toEqual({
      file: "f.yaml",
      line: 2,
      column: 8,
      endLine: 2,
      endColumn: 13,
    });
  });
});
