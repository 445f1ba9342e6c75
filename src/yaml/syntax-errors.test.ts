import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../codes.js";
import type { Diagnostic } from "../errors.js";
import { parseDocument, isMap, isScalar } from "yaml";
import { expressionSpans } from "./expression-spans.js";
import { parseYamlSource } from "./positions.js";
import { syntaxDiagnostics } from "./syntax-errors.js";

const at = (d: Diagnostic) =>
  `${d.location.line}:${d.location.column}-${d.location.endLine}:${d.location.endColumn}`;

describe("syntaxDiagnostics", () => {
  const text = "x: ]]\ny: { a, , , }\n";

  it("reports every parser error, or one per line", () => {
    const { source, doc } = parseYamlSource("f.yaml", text);
    const all = syntaxDiagnostics(source, doc.errors);
    const onePerLine = syntaxDiagnostics(source, doc.errors, { onePerLine: true });
    expect(all.length).toBe(doc.errors.length);
    expect(new Set(onePerLine.map((d) => d.location.line)).size).toBe(onePerLine.length);
    expect(onePerLine.length).toBeLessThan(all.length);
    expect(all.every((d) => d.code === "YAML_SYNTAX" && !d.message.includes("\n"))).toBe(true);
  });

  it("places errors after a broken block scalar on their own lines", () => {
    // After the `]`, yaml's LineCounter missed the newlines inside `>-` and put `c` on line 3,
    // column 9 (and one-per-line then dropped it); lines now come from the text itself.
    const text = "a: ]\nb: >-\n  x\n  y\nc: 1\n";
    const { source, doc } = parseYamlSource("f.yaml", text);
    const lines = syntaxDiagnostics(source, doc.errors, { onePerLine: true }).map(
      (d) => `${d.location.line}:${d.location.column} ${d.message.split(":")[0]}`,
    );
    expect(lines).toEqual([
      "1:4 Unexpected flow-seq-end token in YAML stream",
      "2:1 Unexpected scalar token in YAML stream",
      "3:1 Unexpected scalar token in YAML stream",
      "5:1 Unexpected scalar token in YAML stream",
    ]);
  });

  it("points at the `: ` inside an expression and says how to quote it", () => {
    const source = "s:\n  where: a: b\n";
    const parsed = parseYamlSource("f.yaml", source);
    // The expression patch makes this line parse: the raw parser shows the error it prevents.
    const doc = parseDocument(source, { prettyErrors: false, uniqueKeys: false });
    const [d] = syntaxDiagnostics(parsed.source, doc.errors, {
      onePerLine: true,
      expressionKey: "where",
    });
    expect([at(d), d.message]).toEqual([
      "2:11-2:12",
      'the expression contains ": ", which YAML reads as the start of a nested key',
    ]);
    expect(d.hint).toBe(
      'quote the whole expression (where: "…"), or write it as a block: "where: |" and the expression on the next lines, indented',
    );
  });
});

describe("expressionSpans", () => {
  it("maps a span of a quoted value to the file, escapes included", () => {
    const { source, doc } = parseYamlSource("f.yaml", 'x: "a\\tb c"\n');
    const node = isMap(doc.contents) ? doc.contents.get("x", true) : undefined;
    if (!isScalar(node) || typeof node.value !== "string") throw new Error("x must be text");
    const spans = expressionSpans(source, node, node.value);
    // "c" is character 4 of the value, character 9 of the line (after `x: "a\tb `).
    expect(spans.toFile({ start: 4, end: 5 })).toEqual({ start: 9, end: 10 });
    const d = spans.diagnostic({
      code: "X" as ErrorCode,
      message: "m",
      span: { start: 4, end: 5 },
      severity: "warning",
    });
    expect([at(d), d.severity, d.code]).toEqual(["1:10-1:11", "warning", "X"]);
  });
});
