import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../calendar.js";
import { compileEvaluator, type Scope, type Value } from "../dsl/evaluator.js";
import { AggregateTable, compileExpression } from "../dsl/index.js";
import { placeDiagnostic, type Diagnostic } from "../errors.js";
import { parseSegmentFile } from "./parse-segment-file.js";

const parse = (text: string, file = "s.yaml") => parseSegmentFile({ file, text });

/** `line:col-endLine:endCol severity CODE` — compact and exact. */
const brief = (d: Diagnostic) =>
  `${d.location.line}:${d.location.column}-${d.location.endLine}:${d.location.endColumn} ${d.severity} ${d.code}`;

const briefs = (text: string) => parse(text).diagnostics.map(brief);

describe("parseSegmentFile: a valid file", () => {
  const text = [
    "defaults:",
    "  channel: sms",
    "  exclude: [blocked]",
    "  columns: [total_spent]",
    "  guard: { max_change: 40%, min: 1 }",
    "segments:",
    "  blocked:",
    "    where: tags contains 'blocked'",
    "    channel: none",
    "  win-back:",
    "    name: Win-back — no order for 6 months",
    "    description: Bought before, nothing since.",
    "    where: orders_count >= 1 and last_order_date < -6m and not in_segment('vip')",
    "    consent: ignore",
    "    exclude: [vip, blocked]",
    "    columns: [last_product, props.shoe_size]",
    "    priority: 10",
    "    guard: { max: 20000 }",
    "    format: klaviyo",
    "  vip:",
    "    where: true",
    "",
  ].join("\n");
  const parsed = parseSegmentFile({ file: "segments/main.yaml", text }, 7);

  it("has no diagnostics", () => {
    expect(parsed.diagnostics).toEqual([]);
  });

  it("merges the defaults: values replaced, guard keys merged, default exclude not applied to the segments it names", () => {
    const [blocked, winBack, vip] = parsed.definitions;
    expect(blocked).toMatchObject({
      id: "blocked",
      name: "blocked",
      channel: "none",
      consent: "required",
      exclude: [],
      columns: ["total_spent"],
      guard: { min: 1, maxChange: 0.4 },
      order: 7,
    });
    expect(blocked.format).toBeUndefined();
    expect(blocked.priority).toBeUndefined();
    expect(winBack).toMatchObject({
      id: "win-back",
      name: "Win-back — no order for 6 months",
      description: "Bought before, nothing since.",
      whereText: "orders_count >= 1 and last_order_date < -6m and not in_segment('vip')",
      channel: "sms",
      consent: "ignore",
      exclude: ["vip", "blocked"],
      columns: ["last_product", "props.shoe_size"],
      priority: 10,
      guard: { min: 1, max: 20000, maxChange: 0.4 },
      format: "klaviyo",
      file: "segments/main.yaml",
      order: 8,
    });
    expect(vip).toMatchObject({ id: "vip", whereText: "true", exclude: ["blocked"], order: 9 });
  });

  it("records where each id is declared and where it refers to other segments", () => {
    const winBack = parsed.definitions[1];
    expect(winBack.location.place()).toEqual({
      file: "segments/main.yaml",
      line: 10,
      column: 3,
      endLine: 10,
      endColumn: 11,
    });
    const refs = winBack.references.map((r) => [r.id, r.via, r.location.line, r.location.column]);
    expect(refs).toEqual([
      ["vip", "in_segment", 13, expect.any(Number)],
      ["vip", "exclude", 15, 15],
      ["blocked", "exclude", 15, 20],
    ]);
    // The in_segment reference points into the expression, at or after `in_segment(`.
    expect(winBack.references[0].location.column).toBeGreaterThanOrEqual(62);
    expect(parsed.declared.map((d) => d.id)).toEqual(["blocked", "win-back", "vip"]);
  });

  it("keeps each segment's checked where, which evaluates as its text says", () => {
    const asOf = parseIsoDay("2026-06-30") as number;
    const scope: Scope<Record<string, Value>> = {
      field: (name) => (p) => p[name] ?? null,
      prop: (name) => (p) => p[`props.${name}`] ?? null,
      aggregate: () => () => null,
      inSegment: (id) => (p) => p[`in:${id}`] === true,
    };
    const matches = (id: string, profile: Record<string, Value>) => {
      const definition = parsed.definitions.find((d) => d.id === id);
      if (definition === undefined) throw new Error(`no segment ${id}`);
      const plan = compileExpression(definition.where, asOf, new AggregateTable());
      return compileEvaluator(plan, scope, asOf)(profile);
    };
    const lapsed = { orders_count: 2, last_order_date: asOf - 200, tags: ["Blocked"] };
    // orders_count >= 1 and last_order_date < -6m and not in_segment('vip')
    expect(matches("win-back", lapsed)).toBe(true);
    expect(matches("win-back", { ...lapsed, "in:vip": true })).toBe(false);
    expect(matches("win-back", { ...lapsed, last_order_date: asOf - 100 })).toBe(false);
    expect(matches("win-back", { ...lapsed, orders_count: 0 })).toBe(false);
    expect(matches("win-back", { orders_count: 0, last_order_date: null })).toBe(false);
    // tags contains 'blocked', without case
    expect(matches("blocked", lapsed)).toBe(true);
    expect(matches("blocked", { tags: ["vip"] })).toBe(false);
    expect(matches("vip", {})).toBe(true);
  });
});

describe("parseSegmentFile: YAML", () => {
  it("reads named arguments on one plain where line as the expression, positions exact", () => {
    const text =
      'segments:\n  a:\n    where: orders(category: "Sérum", within: 30d) = 0 and tags contains "x: y" # c\n    name: "n: 1"\n  b:\n    where: orders(categry: "Sérum") = 0\n';
    const parsed = parse(text);
    expect(parsed.definitions.map((d) => [d.id, d.whereText, d.name])).toEqual([
      ["a", 'orders(category: "Sérum", within: 30d) = 0 and tags contains "x: y"', "n: 1"],
    ]);
    expect(parsed.diagnostics.map(brief)).toEqual(["6:19-6:26 error UNKNOWN_ARGUMENT"]);
  });

  it("reports a syntax error at its position, with a hint on a where line that continues", () => {
    const parsed = parse(
      "segments:\n  recent:\n    where: orders(within: 30d) >= 1\n      and orders_count >= 2\n",
    );
    expect(parsed.diagnostics.map(brief)).toEqual(["3:25-3:26 error YAML_SYNTAX"]);
    expect(parsed.diagnostics[0].message).toBe(
      'the expression contains ": ", which YAML reads as the start of a nested key',
    );
    expect(parsed.diagnostics[0].hint).toBe(
      'quote the whole expression (where: "…"), or write it as a block: "where: |" and the expression on the next lines, indented',
    );
    expect(parsed.declared).toEqual([]);
  });

  it("gives the hint for an expression that starts with a quote", () => {
    const parsed = parse('segments:\n  a:\n    where: "vip" in tags\n');
    expect(parsed.diagnostics.map(brief)).toEqual(["3:18-3:25 error YAML_SYNTAX"]);
    expect(parsed.diagnostics[0].message).toBe("Unexpected scalar at node end");
    expect(parsed.diagnostics[0].hint).toContain("quote the whole expression");
  });

  it("reports one syntax error per line, without the where hint elsewhere", () => {
    const parsed = parse("segments: [\n  a: 1\n");
    expect(parsed.diagnostics.length).toBeGreaterThanOrEqual(1);
    expect(new Set(parsed.diagnostics.map((d) => d.location.line)).size).toBe(
      parsed.diagnostics.length,
    );
    expect(parsed.diagnostics.every((d) => d.code === "YAML_SYNTAX" && d.hint === undefined)).toBe(
      true,
    );
  });

  it("refuses a second document", () => {
    expect(briefs("segments: {}\n---\nsegments: {}\n")).toEqual(["2:1-4:1 error YAML_SYNTAX"]);
  });

  it("refuses aliases at the first one, without expanding a billion laughs", () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    const names = "abcdefghi";
    for (let i = 1; i < names.length; i++) {
      lines.push(
        `${names[i]}: &${names[i]} [${Array(10)
          .fill(`*${names[i - 1]}`)
          .join(",")}]`,
      );
    }
    lines.push("segments:", "  vip:", "    where: total_spent > 500", "");
    // Expanded, the last alias would be 10^9 strings: no test timeout would be needed to notice.
    const parsed = parse(lines.join("\n"));
    expect(parsed.diagnostics.map(placeDiagnostic)).toMatchObject([
      {
        line: 2,
        column: 8,
        severity: "error",
        code: "YAML_ALIAS",
        message: "YAML aliases are not allowed in segment files (80 aliases in this file)",
      },
    ]);
    expect(parsed.definitions).toEqual([]);
  });

  it("warns about an empty file", () => {
    expect(briefs("")).toEqual(["1:1-1:1 warning EMPTY_FILE"]);
    expect(briefs("# nothing yet\n")).toEqual(["1:1-1:1 warning EMPTY_FILE"]);
  });

  it("passes YAML warnings on (an unknown tag)", () => {
    const parsed = parse("segments:\n  vip:\n    where: !!weird total_spent > 1\n");
    expect(parsed.diagnostics.map(brief)).toContain("3:12-3:19 warning YAML_WARNING");
  });

  it("attaches the file text for code frames", () => {
    const text = "segments:\n  vip:\n    chanel: sms\n    where: total_spent > 1\n";
    expect(parse(text).diagnostics[0].location.source.text).toBe(text);
  });
});

describe("parseSegmentFile: schema", () => {
  it("reports unknown keys with a suggestion", () => {
    const parsed = parse(
      "default:\n  channel: sms\nsegments:\n  vip:\n    where: total_spent > 1\n    chanel: sms\n",
    );
    expect(parsed.diagnostics.map((d) => [brief(d), d.message])).toEqual([
      ["1:1-1:8 error UNKNOWN_KEY", 'unknown key "default" (did you mean "defaults"?)'],
      ["6:5-6:11 error UNKNOWN_KEY", 'unknown key "segments.vip.chanel" (did you mean "channel"?)'],
    ]);
    // The broken segment is declared (for references) but not defined.
    expect(parsed.declared.map((d) => d.id)).toEqual(["vip"]);
    expect(parsed.definitions).toEqual([]);
  });

  it("reports a missing where, a bad id and a path in an id", () => {
    const parsed = parse(
      "segments:\n  vip:\n    name: Best\n  Win Back:\n    where: true\n  ../x:\n    where: true\n",
    );
    expect(parsed.diagnostics.map((d) => [brief(d), d.message])).toEqual([
      ["3:5-4:1 error MISSING_KEY", '"segments.vip" is missing the required key "where"'],
      [
        "4:3-4:11 error BAD_KEY",
        'segment id "Win Back" is not valid: it must match ^[a-z0-9][a-z0-9_-]{0,63}$',
      ],
      [
        "6:3-6:7 error BAD_KEY",
        'segment id "../x" is not valid: it must match ^[a-z0-9][a-z0-9_-]{0,63}$',
      ],
    ]);
    expect(parsed.declared.map((d) => d.id)).toEqual(["vip"]);
  });

  it("reports bad enum values with a suggestion", () => {
    const parsed = parse(
      "segments:\n  vip:\n    where: true\n    channel: emial\n    consent: optional\n    format: klavyio\n",
    );
    expect(parsed.diagnostics.map((d) => [brief(d), d.message])).toEqual([
      [
        "4:14-4:19 error SCHEMA_ENUM",
        '"segments.vip.channel" must be one of email, sms, whatsapp, any, none, found "emial" (did you mean "email"?)',
      ],
      [
        "5:14-5:22 error SCHEMA_ENUM",
        '"segments.vip.consent" must be one of required, ignore, found "optional"',
      ],
      [
        "6:13-6:20 error SCHEMA_ENUM",
        '"segments.vip.format" must be one of generic, klaviyo, mailchimp, brevo, meta, google-ads, found "klavyio" (did you mean "klaviyo"?)',
      ],
    ]);
    expect(parsed.definitions).toEqual([]);
  });

  it("leaves the other segments of the file defined", () => {
    const parsed = parse(
      "segments:\n  a:\n    where: true\n    channel: fax\n  b:\n    where: true\n",
    );
    expect(parsed.declared.map((d) => d.id)).toEqual(["a", "b"]);
    expect(parsed.definitions.map((d) => d.id)).toEqual(["b"]);
  });

  it("leaves a segment id given twice in one file to the segment graph, checking both", () => {
    const parsed = parse(
      "segments:\n  vip:\n    where: true\n  vip:\n    where: true\n    channel: fax\n",
    );
    expect(parsed.diagnostics.map(brief)).toEqual(["6:14-6:17 error SCHEMA_ENUM"]);
    expect(parsed.declared.map((d) => [d.id, d.location.line])).toEqual([
      ["vip", 2],
      ["vip", 4],
    ]);
    expect(parsed.definitions.map((d) => d.location.line)).toEqual([2]);
  });

  it("keeps the schema's report of other repeated keys", () => {
    expect(briefs("segments:\n  vip:\n    where: true\n    where: false\n")).toEqual([
      "4:5-4:10 error DUPLICATE_KEY",
    ]);
  });
});

describe("parseSegmentFile: columns, exclude, guard", () => {
  const one = (extra: string) => parse(`segments:\n  vip:\n    where: true\n${extra}`);

  it("reports an unknown output column with a suggestion, at the item", () => {
    const parsed = one("    columns: [total_spent, last_prodct]\n");
    expect(parsed.diagnostics.map((d) => [brief(d), d.message, d.hint])).toEqual([
      [
        "4:28-4:39 error UNKNOWN_COLUMN",
        'unknown output column "last_prodct" (did you mean "last_product"?)',
        "columns are customer profile fields (last_product, total_spent, …) or props.NAME for a custom contact column",
      ],
    ]);
    expect(parsed.definitions).toEqual([]);
  });

  it("explains a custom column name that is not snake_case", () => {
    const parsed = one("    columns: [props.Shoe-Size]\n");
    expect(parsed.diagnostics.map((d) => [brief(d), d.message])).toEqual([
      ["4:15-4:30 error UNKNOWN_COLUMN", '"props.Shoe-Size" is not a valid custom column name'],
    ]);
  });

  it("warns about an entry listed twice and keeps it once", () => {
    const parsed = parse(
      "segments:\n  a:\n    where: true\n  b:\n    where: true\n    exclude: [a, a]\n    columns: [city, city]\n",
    );
    expect(parsed.diagnostics.map((d) => [brief(d), d.message])).toEqual([
      ["6:18-6:19 warning DUPLICATE_ENTRY", '"a" is listed twice in exclude'],
      ["7:21-7:25 warning DUPLICATE_ENTRY", '"city" is listed twice in columns'],
    ]);
    expect(parsed.definitions[1]).toMatchObject({ exclude: ["a"], columns: ["city"] });
  });

  it("reports min greater than max, at min", () => {
    const parsed = one("    guard: { min: 500, max: 100 }\n");
    expect(parsed.diagnostics.map((d) => [brief(d), d.message])).toEqual([
      [
        "4:19-4:22 error GUARD_RANGE",
        "guard.min (500) is greater than guard.max (100): no count can pass",
      ],
    ]);
    expect(parsed.definitions).toEqual([]);
  });

  it("compares min and max across the defaults and the segment", () => {
    const parsed = parse(
      "defaults:\n  guard: { max: 10 }\nsegments:\n  vip:\n    where: true\n    guard: { min: 50 }\n",
    );
    expect(parsed.diagnostics.map(brief)).toEqual(["6:19-6:21 error GUARD_RANGE"]);
  });

  it("accepts max_change from 0% to 1000%, as a fraction", () => {
    expect(one("    guard: { max_change: 0% }\n").definitions[0].guard).toEqual({ maxChange: 0 });
    expect(one("    guard: { max_change: 12.5% }\n").definitions[0].guard).toEqual({
      maxChange: 0.125,
    });
    expect(one("    guard: { max_change: 1000% }\n").definitions[0].guard).toEqual({
      maxChange: 10,
    });
  });

  it("reports max_change above 1000% or without %", () => {
    const over = one("    guard:\n      max_change: 2000%\n");
    expect(over.diagnostics.map((d) => [brief(d), d.message])).toEqual([
      ["5:19-5:24 error GUARD_RANGE", "guard.max_change must be between 0% and 1000%, found 2000%"],
    ]);
    const bare = one("    guard: { max_change: 40 }\n");
    expect(bare.diagnostics.map((d) => [brief(d), d.message])).toEqual([
      [
        "4:26-4:28 error SCHEMA_TYPE",
        '"segments.vip.guard.max_change" must be a percentage such as 40%, found the number 40',
      ],
    ]);
  });

  it("records exclude references at their items, default ones at the defaults", () => {
    const parsed = parse(
      "defaults:\n  exclude: [blocked]\nsegments:\n  blocked:\n    where: true\n  vip:\n    where: true\n  lapsed:\n    where: true\n    exclude: [vip]\n",
    );
    expect(parsed.diagnostics).toEqual([]);
    const refs = parsed.declared.map((d) =>
      d.references.map((r) => `${r.via}:${r.id}@${r.location.line}:${r.location.column}`),
    );
    expect(refs).toEqual([[], ["exclude:blocked@2:13"], ["exclude:vip@10:15"]]);
  });
});

describe("parseSegmentFile: where", () => {
  const whereDiagnostics = (where: string) =>
    parse(`segments:\n  s:\n    where: ${where}\n`).diagnostics.map(brief);

  it.each([
    ["plain", "orders_count >= 1 and order_count > 2", "3:34-3:45"],
    ["single-quoted", "'tags contains ''vip'' and order_count > 2'", "3:39-3:50"],
    ["double-quoted with escapes", '"tags contains \\"vip\\" and order_count > 2"', "3:39-3:50"],
    ["plain on two lines", "orders_count >= 1\n      and order_count > 2", "4:11-4:22"],
    ["block literal", "|\n      orders_count >= 1\n      and order_count > 2", "5:11-5:22"],
    ["block folded", ">-\n      orders_count >= 1\n\n      and order_count > 2", "6:11-6:22"],
  ])("puts the caret on the unknown field in a %s scalar", (_style, where, range) => {
    expect(whereDiagnostics(where)).toEqual([`${range} error UNKNOWN_FIELD`]);
  });

  it("checks that where is a boolean expression", () => {
    const parsed = parse("segments:\n  s:\n    where: total_spent + 1\n");
    expect(parsed.diagnostics.map((d) => d.severity)).toEqual(["error"]);
    expect(parsed.diagnostics[0].location.line).toBe(3);
    expect(parsed.definitions).toEqual([]);
  });

  it("accepts true and false", () => {
    const parsed = parse("segments:\n  all:\n    where: true\n  none:\n    where: FALSE\n");
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.definitions.map((d) => d.whereText)).toEqual(["true", "FALSE"]);
  });

  it("reports a where that is not text, or empty", () => {
    const parsed = parse(
      "segments:\n  a:\n    where: 12\n  b:\n    where:\n  c:\n    where: '  '\n",
    );
    expect(parsed.diagnostics.map((d) => [brief(d), d.message])).toEqual([
      [
        "3:12-3:14 error SCHEMA_TYPE",
        '"segments.a.where" must be a string or true or false, found the number 12',
      ],
      [
        "5:11-5:11 error SCHEMA_TYPE",
        '"segments.b.where" must be a string or true or false, found an empty value',
      ],
      ["7:12-7:16 error SCHEMA_EMPTY", '"segments.c.where" must not be empty'],
    ]);
  });

  it("passes the checker's warnings on, at their place, and keeps the segment", () => {
    const parsed = parse("segments:\n  s:\n    where: orders_count is null or total_spent > 1\n");
    expect(parsed.diagnostics.map(brief)).toEqual(["3:12-3:32 warning CONSTANT_NULL_TEST"]);
    expect(parsed.definitions.map((d) => d.id)).toEqual(["s"]);
  });

  it("records in_segment references even when the expression has other errors", () => {
    const parsed = parse('segments:\n  s:\n    where: in_segment("vip") and nope > 1\n');
    expect(parsed.diagnostics.map((d) => d.code)).toEqual(["UNKNOWN_FIELD"]);
    expect(parsed.declared[0].references.map((r) => [r.id, r.via, r.location.line])).toEqual([
      ["vip", "in_segment", 3],
    ]);
  });
});
