import { describe, expect, it } from "vitest";
import type { DeclaredSegment, SegmentReference } from "./definition.js";
import { placeDiagnostic } from "../errors.js";
import { checkSegmentGraph } from "./graph.js";
import { SourceFile, SourceLocation } from "../source-file.js";

/** Files of blank lines, so that any line:column can be placed. */
const TEXT = `${" ".repeat(200)}\n`.repeat(100);
const files = new Map<string, SourceFile>();
function place(file: string, line: number, column: number, endColumn: number): SourceLocation {
  let source = files.get(file);
  if (source === undefined) files.set(file, (source = new SourceFile(file, TEXT)));
  const start = source.lineStart(line);
  return new SourceLocation(source, start + column - 1, start + endColumn - 1);
}

let nextOrder = 0;

/** A segment declared on line `line` of `file`, referring to `refs` (exclude:x for exclude). */
function seg(id: string, refs: string[] = [], file = "a.yaml", line = 1): DeclaredSegment {
  const references: SegmentReference[] = refs.map((ref, i) => {
    const via = ref.startsWith("exclude:") ? "exclude" : "in_segment";
    const target = ref.replace(/^exclude:/, "");
    return {
      id: target,
      via,
      location: place(file, line + 1, 10 + i * 20, 15 + i * 20),
    };
  });
  return {
    id,
    file,
    order: nextOrder++,
    location: place(file, line, 3, 3 + id.length),
    references,
  };
}

describe("checkSegmentGraph: ids", () => {
  it("reports a duplicate at the second place, naming the first", () => {
    const first = seg("vip", [], "segments/a.yaml", 4);
    const second = seg("vip", [], "segments/sub/b.yaml", 2);
    const graph = checkSegmentGraph([first, second]);
    expect(graph.diagnostics.map(placeDiagnostic)).toEqual([
      {
        file: "segments/sub/b.yaml",
        line: 2,
        column: 3,
        endLine: 2,
        endColumn: 6,
        severity: "error",
        code: "DUPLICATE_ID",
        message: 'segment id "vip" is already defined at segments/a.yaml:4:3',
        hint: "segment ids are unique across all segment files: each one names an output file",
      },
    ]);
    expect(graph.evaluationOrder).toEqual(["vip"]);
  });

  it("uses the order of appearance, not the order given, to decide which one is first", () => {
    const first = seg("x", [], "one.yaml", 1);
    const second = seg("x", [], "two.yaml", 1);
    const graph = checkSegmentGraph([second, first]);
    expect(graph.diagnostics.map((d) => [d.location.file, d.message])).toEqual([
      ["two.yaml", 'segment id "x" is already defined at one.yaml:1:3'],
    ]);
  });
});

describe("checkSegmentGraph: references", () => {
  it("reports unknown ids in in_segment and exclude at the reference, with a suggestion", () => {
    const graph = checkSegmentGraph([
      seg("vip"),
      seg("win-back", ["vpi", "exclude:vipp"], "b.yaml", 7),
      seg("other", ["exclude:nothing-like-it"], "b.yaml", 9),
    ]);
    expect(
      graph.diagnostics.map((d) => [
        d.location.file,
        d.location.line,
        d.location.column,
        d.code,
        d.message,
      ]),
    ).toEqual([
      [
        "b.yaml",
        8,
        10,
        "UNKNOWN_SEGMENT",
        'in_segment refers to an unknown segment "vpi" (did you mean "vip"?)',
      ],
      [
        "b.yaml",
        8,
        30,
        "UNKNOWN_SEGMENT",
        'exclude names an unknown segment "vipp" (did you mean "vip"?)',
      ],
      ["b.yaml", 10, 10, "UNKNOWN_SEGMENT", 'exclude names an unknown segment "nothing-like-it"'],
    ]);
  });

  it("does not count an unknown id as an edge of the evaluation order", () => {
    const graph = checkSegmentGraph([seg("a", ["missing"]), seg("b", ["a"])]);
    expect(graph.diagnostics.map((d) => d.code)).toEqual(["UNKNOWN_SEGMENT"]);
    expect(graph.evaluationOrder).toEqual(["a", "b"]);
  });
});

describe("checkSegmentGraph: cycles", () => {
  it("reports a self reference once", () => {
    const graph = checkSegmentGraph([seg("a", ["exclude:a"], "s.yaml", 3)]);
    expect(graph.diagnostics.map(placeDiagnostic)).toEqual([
      {
        file: "s.yaml",
        line: 4,
        column: 10,
        endLine: 4,
        endColumn: 15,
        severity: "error",
        code: "SEGMENT_CYCLE",
        message: 'segment "a" depends on itself: a → a',
        hint: "in_segment() and exclude must not lead back to the segment itself",
      },
    ]);
  });

  it("reports a cycle once, at the reference of its first segment that starts it", () => {
    const graph = checkSegmentGraph([
      seg("a", ["b"], "s.yaml", 1),
      seg("b", ["exclude:c"], "s.yaml", 3),
      seg("c", ["a"], "s.yaml", 5),
      seg("d", ["a"], "s.yaml", 7),
    ]);
    expect(
      graph.diagnostics.map((d) => [d.location.line, d.location.column, d.code, d.message]),
    ).toEqual([
      [2, 10, "SEGMENT_CYCLE", "segments depend on each other in a cycle: a → b → c → a"],
    ]);
    // The segments in or behind the cycle come last, in order of appearance.
    expect(graph.evaluationOrder).toEqual(["a", "b", "c", "d"]);
  });

  it("names the shortest cycle through the first segment of a tangle, and each separate cycle", () => {
    const graph = checkSegmentGraph([
      seg("a", ["b", "c"]),
      seg("b", ["c"]),
      seg("c", ["a"]),
      seg("x", ["y"]),
      seg("y", ["x"]),
      seg("free"),
    ]);
    expect(graph.diagnostics.map((d) => d.message)).toEqual([
      "segments depend on each other in a cycle: a → c → a",
      "segments depend on each other in a cycle: x → y → x",
    ]);
    expect(graph.evaluationOrder).toEqual(["free", "a", "b", "c", "x", "y"]);
  });

  it("handles a long chain and a long cycle without deep recursion", () => {
    const count = 20_000;
    const chain = Array.from({ length: count }, (_, i) =>
      seg(`s${i}`, i + 1 < count ? [`s${i + 1}`] : []),
    );
    const ordered = checkSegmentGraph(chain);
    expect(ordered.diagnostics).toEqual([]);
    expect(ordered.evaluationOrder[0]).toBe(`s${count - 1}`);
    expect(ordered.evaluationOrder[count - 1]).toBe("s0");

    const ring = Array.from({ length: count }, (_, i) => seg(`r${i}`, [`r${(i + 1) % count}`]));
    const cyclic = checkSegmentGraph(ring);
    expect(cyclic.diagnostics).toHaveLength(1);
    expect(
      cyclic.diagnostics[0].message.startsWith(
        "segments depend on each other in a cycle: r0 → r1 → r2",
      ),
    ).toBe(true);
    expect(cyclic.diagnostics[0].message.endsWith(`r${count - 1} → r0`)).toBe(true);
  });
});

describe("checkSegmentGraph: evaluation order", () => {
  it("puts every dependency before its dependents, ties in order of appearance", () => {
    const graph = checkSegmentGraph([
      seg("win-back", ["exclude:vip", "exclude:blocked"]),
      seg("newsletter"),
      seg("vip", ["loyal"]),
      seg("blocked"),
      seg("loyal"),
      seg("lapsed-vip", ["vip", "exclude:win-back"]),
    ]);
    expect(graph.diagnostics).toEqual([]);
    expect(graph.evaluationOrder).toEqual([
      "newsletter",
      "blocked",
      "loyal",
      "vip",
      "win-back",
      "lapsed-vip",
    ]);
  });

  it("counts a dependency named twice once", () => {
    const graph = checkSegmentGraph([seg("a", ["b", "exclude:b"]), seg("b")]);
    expect(graph.evaluationOrder).toEqual(["b", "a"]);
  });

  it("is empty for no segments", () => {
    expect(checkSegmentGraph([])).toEqual({ diagnostics: [], evaluationOrder: [] });
  });
});
