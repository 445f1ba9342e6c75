/** Named arguments without quotes on one plain `where:` / `orders_filter:` line. */
import { describe, expect, it } from "vitest";
import { parseYamlWithExpressions, patchPlainExpressions } from "./plain-expressions.js";

function parse(text: string) {
  const doc = parseYamlWithExpressions(text, {
    prettyErrors: false,
    uniqueKeys: false,
  });
  return { errors: doc.errors.map((e) => e.code), value: doc.toJS() as unknown };
}

describe("plain expressions", () => {
  it("keeps the text's length and offsets, patching only the expression's value", () => {
    const text = "a:\n  where: orders(within: 30d) >= 1 # recent\n";
    const patch = patchPlainExpressions(text);
    expect(patch.text).toBe("a:\n  where: orders(within:_30d) >= 1 # recent\n");
    expect(patch.text.length).toBe(text.length);
    expect(patch.ranges.map(([s, e]) => text.slice(s, e))).toEqual(["orders(within: 30d) >= 1"]);
  });

  it("reads where and orders_filter lines as their text; other keys and styles as YAML does", () => {
    expect(
      parse(
        'orders_filter: status != "a: b"\nsegments:\n  - where: orders(channel: "web") >= 1\n  - where: "quoted: as is"\n',
      ),
    ).toEqual({
      errors: [],
      value: {
        orders_filter: 'status != "a: b"',
        segments: [{ where: 'orders(channel: "web") >= 1' }, { where: "quoted: as is" }],
      },
    });
    expect(parse('x:\n  - where: "quoted: as is"\n').value).toEqual({
      x: [{ where: "quoted: as is" }],
    });
    expect(parse("name: a: b\n").errors).not.toEqual([]);
    expect(parse("where: a\n  b: c\n").errors).not.toEqual([]);
  });
});
