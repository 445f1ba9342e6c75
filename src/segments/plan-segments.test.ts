import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../calendar.js";
import { DiagnosticsError } from "../errors.js";
import type { SegmentDefinition } from "./definition.js";
import { parseSegmentFile } from "./parse-segment-file.js";
import { collectFields, planSegments } from "./plan-segments.js";

const AS_OF = parseIsoDay("2026-06-30") as number;

function definitions(text: string): SegmentDefinition[] {
  const parsed = parseSegmentFile({ file: "s.yaml", text });
  expect(parsed.diagnostics).toEqual([]);
  return parsed.definitions;
}

const LIBRARY = [
  "segments:",
  "  win-back:",
  "    where: 'orders_count >= 1 and orders(within: 30d) = 0 and not in_segment(\"vip\")'",
  "    exclude: [blocked]",
  "    columns: [last_product, props.shoe_size]",
  "  vip:",
  "    where: 'total_spent > 500 or orders(within: 30d) >= 3'",
  "  blocked:",
  "    where: tags contains \"blocked\" and props.status = 'blocked'",
  "  serum:",
  "    where: 'spent(category: \"Sérum\", within: 30d) > 0'",
  "",
].join("\n");

describe("planSegments", () => {
  const plan = planSegments(definitions(LIBRARY), AS_OF);

  it("compiles every segment, in order of appearance, for the as_of given", () => {
    expect(plan.asOf).toBe(AS_OF);
    expect(plan.segments.map((s) => s.id)).toEqual(["win-back", "vip", "blocked", "serum"]);
    expect(plan.segments.map((s) => s.where.kind)).toEqual(["and", "or", "and", "compare"]);
  });

  it("shares one aggregate table: the same aggregate in two segments is computed once", () => {
    expect(plan.aggregates).toHaveLength(2);
    const window = { from: parseIsoDay("2026-06-01"), to: AS_OF };
    expect(plan.aggregates[0]).toMatchObject({ source: "orders", measure: "count", window });
    expect(plan.aggregates[1]).toMatchObject({ source: "orders", measure: "spent", window });
    const indexes = (expr: unknown): number[] =>
      JSON.stringify(expr)
        .match(/"kind":"aggregate","type":"number","index":\d+/g)
        ?.map((m) => Number(m.split(":").pop())) ?? [];
    expect(indexes(plan.segments[0].where)).toEqual([0]);
    expect(indexes(plan.segments[1].where)).toEqual([0]);
  });

  it("orders the evaluation with dependencies first", () => {
    expect(plan.evaluationOrder).toEqual(["vip", "blocked", "win-back", "serum"]);
  });

  it("lists the profile fields and custom properties read by where and columns, sorted", () => {
    expect(plan.fields).toEqual([
      "last_product",
      "orders_count",
      "props.shoe_size",
      "props.status",
      "tags",
      "total_spent",
    ]);
  });

  it("keeps everything else of the definitions", () => {
    const winBack = plan.segments[0];
    expect(winBack).toMatchObject({
      id: "win-back",
      exclude: ["blocked"],
      columns: ["last_product", "props.shoe_size"],
      channel: "email",
      consent: "required",
      file: "s.yaml",
      order: 0,
    });
    expect(winBack.whereText).toContain("orders_count >= 1");
  });

  it("is deterministic", () => {
    expect(planSegments(definitions(LIBRARY), AS_OF)).toEqual(plan);
  });

  it("refuses definitions that break a rule across segments", () => {
    const [a] = definitions("segments:\n  a:\n    where: true\n");
    const unknown = {
      ...a,
      exclude: ["ghost"],
      references: [{ id: "ghost", via: "exclude" as const, location: a.location }],
    };
    expect(() => planSegments([unknown], AS_OF)).toThrow(DiagnosticsError);
    expect(() => planSegments([a, { ...a, order: 1 }], AS_OF)).toThrow(
      expect.objectContaining({ diagnostics: [expect.objectContaining({ code: "DUPLICATE_ID" })] }),
    );
  });
});

describe("collectFields", () => {
  it("walks every kind of node", () => {
    const [segment] = definitions(
      [
        "segments:",
        "  all:",
        "    where: |",
        "      city in [country, 'x'] and not (zip is null) and -rfm_r < 0",
        "      and starts_with(first_name, last_name) and days_since(signup_date) between rfm_f and rfm_m",
        "      and lists contains email and last_order_date + 1d > first_order_date",
        "",
      ].join("\n"),
    );
    const fields = new Set<string>();
    collectFields(planSegments([segment], AS_OF).segments[0].where, fields);
    expect([...fields].sort()).toEqual([
      "city",
      "country",
      "email",
      "first_name",
      "first_order_date",
      "last_name",
      "last_order_date",
      "lists",
      "rfm_f",
      "rfm_m",
      "rfm_r",
      "signup_date",
      "zip",
    ]);
  });
});
