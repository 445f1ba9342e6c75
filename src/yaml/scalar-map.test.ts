import { describe, expect, it } from "vitest";
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { mapScalar, mapSpan, type ScalarStyle } from "./scalar-map.js";

/** The `where` scalar of a one-key YAML document, its value, and the file's line counter. */
function whereOf(text: string) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  expect(doc.errors).toEqual([]);
  const root = doc.contents;
  if (!isMap(root)) throw new Error("test document must be a mapping");
  const scalar: unknown = root.get("where", true);
  if (!isScalar(scalar) || typeof scalar.value !== "string") throw new Error("where must be text");
  const value = scalar.value;
  const [start, end] = scalar.range as [number, number, number];
  const map = mapScalar(text, { style: scalar.type as ScalarStyle, start, end, value });
  return { value, map, lineCounter };
}

/** Maps the first occurrence of `part` in the value; returns the file text it covers and its line:col. */
function locatePart(text: string, part: string, occurrence = 0) {
  const { value, map, lineCounter } = whereOf(text);
  let index = -1;
  for (let i = 0; i <= occurrence; i++) index = value.indexOf(part, index + 1);
  expect(index).toBeGreaterThanOrEqual(0);
  const range = mapSpan(map, { start: index, end: index + part.length });
  const pos = lineCounter.linePos(range.start);
  return {
    covered: text.slice(range.start, range.end),
    line: pos.line,
    col: pos.col,
    exact: map.exact,
  };
}

describe("mapScalar / mapSpan", () => {
  const cases: {
    name: string;
    yaml: string;
    value: string;
    part: string;
    covered: string;
    line: number;
    col: number;
  }[] = [
    {
      name: "plain, one line",
      yaml: "where: orders_count >= 1 and last_order_date < -6m\n",
      value: "orders_count >= 1 and last_order_date < -6m",
      part: "last_order_date",
      covered: "last_order_date",
      line: 1,
      col: 30,
    },
    {
      name: "plain, several lines (folded into spaces)",
      yaml: "where: orders_count >= 1\n  and   last_order_date < -6m   \n  and x = 1\n",
      value: "orders_count >= 1 and   last_order_date < -6m and x = 1",
      part: "x = 1",
      covered: "x = 1",
      line: 3,
      col: 7,
    },
    {
      name: "single-quoted, '' escapes",
      yaml: "where: 'tags contains ''vip'' and bad_field = 1'\n",
      value: "tags contains 'vip' and bad_field = 1",
      part: "bad_field",
      covered: "bad_field",
      line: 1,
      col: 35,
    },
    {
      name: "single-quoted, the escape itself",
      yaml: "where: 'tags contains ''vip'' and x'\n",
      value: "tags contains 'vip' and x",
      part: "'vip'",
      covered: "''vip''",
      line: 1,
      col: 23,
    },
    {
      name: "single-quoted, several lines",
      yaml: "where: 'a = 1 and\n    b = 2\n\n    and c'\n",
      value: "a = 1 and b = 2\nand c",
      part: "c",
      covered: "c",
      line: 4,
      col: 9,
    },
    {
      name: "double-quoted, escapes before the target",
      yaml: 'where: "tags contains \\"vip\\" and \\u00e9t\\u00e9 = 1 and zz = 2"\n',
      value: 'tags contains "vip" and été = 1 and zz = 2',
      part: "zz",
      covered: "zz",
      line: 1,
      col: 57,
    },
    {
      name: "double-quoted, an escape inside the target",
      yaml: 'where: "name = \\"Zo\\u00e9\\""\n',
      value: 'name = "Zoé"',
      part: '"Zoé"',
      covered: '\\"Zo\\u00e9\\"',
      line: 1,
      col: 16,
    },
    {
      name: "double-quoted, escaped line break and folding",
      yaml: 'where: "orders_count >= 1 and \\\n    total_spent > 10\n    and zz"\n',
      value: "orders_count >= 1 and total_spent > 10 and zz",
      part: "zz",
      covered: "zz",
      line: 3,
      col: 9,
    },
    {
      name: "double-quoted, an astral character (two UTF-16 units) before the target",
      yaml: 'where: "\\U0001F600 = x and yy"\n',
      value: "😀 = x and yy",
      part: "yy",
      covered: "yy",
      line: 1,
      col: 28,
    },
    {
      name: "block literal |",
      yaml: "where: |\n  orders_count >= 1\n    and last_order_date < -6m\n",
      value: "orders_count >= 1\n  and last_order_date < -6m\n",
      part: "last_order_date",
      covered: "last_order_date",
      line: 3,
      col: 9,
    },
    {
      name: "block literal |- with a comment on the header line",
      yaml: "where: |- # who\n    a = 1\n    and zz\n",
      value: "a = 1\nand zz",
      part: "zz",
      covered: "zz",
      line: 3,
      col: 9,
    },
    {
      name: "block literal |+ keeps trailing lines",
      yaml: "where: |+\n  a = 1\n  and zz\n\nnext: 1\n",
      value: "a = 1\nand zz\n\n",
      part: "zz",
      covered: "zz",
      line: 3,
      col: 7,
    },
    {
      name: "block folded >",
      yaml: "where: >\n  orders_count >= 1\n  and total_spent > 10\n\n  and zz\n",
      value: "orders_count >= 1 and total_spent > 10\nand zz\n",
      part: "zz",
      covered: "zz",
      line: 5,
      col: 7,
    },
    {
      name: "block folded > with a more-indented line",
      yaml: "where: >-\n  a = 1\n    and b = 2\n  and zz\n",
      value: "a = 1\n  and b = 2\nand zz",
      part: "zz",
      covered: "zz",
      line: 4,
      col: 7,
    },
    {
      name: "CRLF line ends",
      yaml: "where: |\r\n  a = 1\r\n  and zz\r\n",
      value: "a = 1\nand zz\n",
      part: "zz",
      covered: "zz",
      line: 3,
      col: 7,
    },
    {
      name: "tab inside a plain scalar",
      yaml: "where: a = 1\tand zz\n",
      value: "a = 1\tand zz",
      part: "zz",
      covered: "zz",
      line: 1,
      col: 18,
    },
  ];

  it.each(cases)("$name", ({ yaml, value, part, covered, line, col }) => {
    expect(whereOf(yaml).value).toBe(value);
    const found = locatePart(yaml, part);
    expect(found).toEqual({ covered, line, col, exact: true });
  });

  it("maps every character of a multi-line plain scalar to itself or to a line break", () => {
    const yaml = "where: a = 1\n  and b   =   2\n\n  and c\n";
    const { value, map } = whereOf(yaml);
    for (let i = 0; i < value.length; i++) {
      const covered = yaml.slice(map.starts[i], map.ends[i]);
      expect(covered === value[i] || covered === "\n").toBe(true);
    }
  });

  it("maps an empty span to a point, including just after the last character", () => {
    const yaml = 'where: "abc"\n';
    const { map } = whereOf(yaml);
    expect(mapSpan(map, { start: 1, end: 1 })).toEqual({ start: 9, end: 9 });
    expect(mapSpan(map, { start: 3, end: 3 })).toEqual({ start: 11, end: 11 });
  });

  it("clamps spans that run past the value", () => {
    const yaml = "where: abc\n";
    const { map } = whereOf(yaml);
    expect(mapSpan(map, { start: 1, end: 99 })).toEqual({ start: 8, end: 10 });
  });

  it("falls back to the scalar's start when it cannot decode the style (explicit indentation)", () => {
    const yaml = "where: |2\n    a = 1\n   and zz\n";
    const { map } = whereOf(yaml);
    expect(map.exact).toBe(false);
    expect(mapSpan(map, { start: 5, end: 7 })).toEqual({ start: 7, end: 8 });
  });

  it("falls back when the value given does not match the text", () => {
    const map = mapScalar("where: abc\n", { style: "PLAIN", start: 7, end: 10, value: "xyz" });
    expect(map.exact).toBe(false);
    expect(mapSpan(map, { start: 0, end: 3 })).toEqual({ start: 7, end: 8 });
  });

  // How the cost grows with the length is measured by test/bench/source-map-growth.mjs, not
  // asserted here: no test depends on the machine's speed or load.
  it("maps a 1 MB plain scalar exactly", () => {
    const expression = `a = 1${" and a = 1".repeat(100_000)}`;
    const yaml = `where: ${expression}\n`;
    const { map } = whereOf(yaml);
    expect(map.exact).toBe(true);
    expect(map.starts).toHaveLength(expression.length);
    expect(mapSpan(map, { start: expression.length - 1, end: expression.length })).toEqual({
      start: yaml.length - 2,
      end: yaml.length - 1,
    });
  });
});
