import { describe, expect, it } from "vitest";
import { formatDay, parseIsoDay, type EpochDay } from "../calendar.js";
import { PROFILE_ENV } from "./env.js";
import { AggregateTable, checkExpression, compileExpression } from "./index.js";
import type { AggregateSpec, DayWindow, PlanExpr } from "./plan.js";

function day(iso: string): EpochDay {
  const value = parseIsoDay(iso);
  if (value === undefined) throw new Error(`bad date ${iso}`);
  return value;
}

const AS_OF = day("2026-06-30");

function compileText(text: string, asOf = AS_OF, table = new AggregateTable()) {
  const result = checkExpression(text, PROFILE_ENV);
  if (!result.ok || result.checked === undefined) {
    throw new Error(`${text}: ${JSON.stringify(result.diagnostics)}`);
  }
  const plan = compileExpression(result.checked, asOf, table);
  return { plan, table };
}

/** The right-hand side of `x < VALUE`, as YYYY-MM-DD. */
function dateOf(text: string, asOf = AS_OF): string {
  const { plan } = compileText(`last_order_date < ${text}`, asOf);
  if (plan.kind !== "compare" || plan.right.kind !== "literal" || plan.right.type !== "date") {
    throw new Error(`not a date comparison: ${JSON.stringify(plan)}`);
  }
  return formatDay(plan.right.value as number);
}

/** The window of the only aggregate, as YYYY-MM-DD (or null). */
function windowOf(call: string, asOf = AS_OF): { from: string | null; to: string | null } {
  const { table } = compileText(`${call} > 0`, asOf);
  expect(table.specs).toHaveLength(1);
  const { from, to }: DayWindow = table.specs[0].window;
  return { from: from === null ? null : formatDay(from), to: to === null ? null : formatDay(to) };
}

describe("compileExpression: dates", () => {
  it.each<[string, string, string]>([
    ["2024-01-05", "2026-06-30", "2024-01-05"],
    ["today", "2026-06-30", "2026-06-30"],
    ["-6m", "2026-06-30", "2025-12-30"],
    ["-30d", "2026-06-30", "2026-05-31"],
    ["+7d", "2026-06-30", "2026-07-07"],
    ["-2w", "2026-06-30", "2026-06-16"],
    ["-1y", "2026-06-30", "2025-06-30"],
    ["-1m", "2026-03-31", "2026-02-28"],
    ["-1y", "2024-02-29", "2023-02-28"],
    ["-0d", "2026-06-30", "2026-06-30"],
  ])("%s at as_of %s = %s", (text, asOf, expected) => {
    expect(dateOf(text, day(asOf))).toBe(expected);
  });

  it("keeps date arithmetic for the evaluator, with durations as literals", () => {
    const { plan } = compileText("last_order_date + 30d < today");
    expect(plan).toEqual({
      kind: "compare",
      type: "boolean",
      op: "<",
      operand: "date",
      left: {
        kind: "arith",
        type: "date",
        op: "+",
        left: { kind: "field", type: "date", name: "last_order_date", span: { start: 0, end: 15 } },
        right: {
          kind: "literal",
          type: "duration",
          value: { count: 30, unit: "d" },
          span: { start: 18, end: 21 },
        },
        span: { start: 0, end: 21 },
      },
      right: { kind: "literal", type: "date", value: AS_OF, span: { start: 24, end: 29 } },
      span: { start: 0, end: 29 },
    });
  });
});

describe("compileExpression: predictions", () => {
  it("turns a prediction call into one field per horizon in days, months as they fall", () => {
    const { plan } = compileText(
      "p_alive < 0.5 and predicted_orders(30d) > 1 and predicted_orders(2w) > 0 and predicted_clv(6m) > predicted_spend",
      day("2026-06-30"),
    );
    const fields: string[] = [];
    const walk = (node: PlanExpr): void => {
      if (node.kind === "field") fields.push(node.name);
      if (node.kind === "and") node.args.forEach(walk);
      if (node.kind === "compare") [node.left, node.right].forEach(walk);
    };
    walk(plan);
    // 2026-06-30 + 6 months = 2026-12-30: 183 days.
    expect(fields).toEqual([
      "p_alive",
      "predicted_orders(30d)",
      "predicted_orders(14d)",
      "predicted_clv(183d)",
      "predicted_spend",
    ]);
  });
});

describe("compileExpression: windows", () => {
  it.each<[string, string, string | null, string]>([
    ["orders(within: 30d)", "2026-06-30", "2026-06-01", "2026-06-30"],
    ["orders(within: 1d)", "2026-06-30", "2026-06-30", "2026-06-30"],
    ["orders(within: 2w)", "2026-06-30", "2026-06-17", "2026-06-30"],
    ["orders(within: 6m)", "2026-06-30", "2025-12-31", "2026-06-30"],
    ["orders(within: 1m)", "2026-03-31", "2026-03-01", "2026-03-31"],
    ["orders(within: 1y)", "2026-06-30", "2025-07-01", "2026-06-30"],
    ["orders()", "2026-06-30", null, "2026-06-30"],
    ["orders(since: 2026-01-01)", "2026-06-30", "2026-01-01", "2026-06-30"],
    ["orders(since: -30d)", "2026-06-30", "2026-05-31", "2026-06-30"],
    ["orders(until: 2026-01-31)", "2026-06-30", null, "2026-01-31"],
    ["orders(until: -1d)", "2026-06-30", null, "2026-06-29"],
    ["orders(until: 2027-01-01)", "2026-06-30", null, "2026-06-30"],
    ["orders(until: +7d)", "2026-06-30", null, "2026-06-30"],
    ["orders(since: 2026-01-01, until: today)", "2026-06-30", "2026-01-01", "2026-06-30"],
    ['events("open", within: 90d)', "2026-06-30", "2026-04-02", "2026-06-30"],
  ])("%s at as_of %s = %s … %s", (call, asOf, from, to) => {
    expect(windowOf(call, day(asOf))).toEqual({ from, to });
  });
});

describe("compileExpression: aggregates", () => {
  it("compiles orders(…) and spent(…) to order aggregates with lowercased patterns", () => {
    const { plan, table } = compileText(
      'orders(category: "Sérum", channel: ["WEB", "Pos*"], within: 30d) >= 1 and spent(sku: "AB-1") > 50',
    );
    expect(table.specs).toEqual<AggregateSpec[]>([
      {
        source: "orders",
        measure: "count",
        window: { from: day("2026-06-01"), to: AS_OF },
        channel: [
          { text: "pos*", wildcard: true },
          { text: "web", wildcard: false },
        ],
        product: null,
        sku: null,
        category: [{ text: "sérum", wildcard: false }],
      },
      {
        source: "orders",
        measure: "spent",
        window: { from: null, to: AS_OF },
        channel: null,
        product: null,
        sku: [{ text: "ab-1", wildcard: false }],
        category: null,
      },
    ]);
    expect(plan).toMatchObject({
      kind: "and",
      args: [
        { kind: "compare", left: { kind: "aggregate", type: "number", index: 0 } },
        { kind: "compare", left: { kind: "aggregate", type: "number", index: 1 } },
      ],
    });
  });

  it("compiles events(…) with its type patterns and property filters, sorted by name", () => {
    const { table } = compileText(
      'events(["WhatsApp_Read", "sms_*"], since: -7d, status: ["Delivered"], handled: false, score: -2) > 0',
    );
    expect(table.specs).toEqual<AggregateSpec[]>([
      {
        source: "events",
        type: [
          { text: "sms_*", wildcard: true },
          { text: "whatsapp_read", wildcard: false },
        ],
        window: { from: day("2026-06-23"), to: AS_OF },
        properties: [
          { name: "handled", value: { kind: "boolean", value: false } },
          { name: "score", value: { kind: "number", value: -2 } },
          {
            name: "status",
            value: { kind: "text", patterns: [{ text: "delivered", wildcard: false }] },
          },
        ],
      },
    ]);
  });

  it("shares one index between identical aggregates", () => {
    const { plan, table } = compileText(
      'orders(category: "Sérum", within: 30d) = 0 or orders(category: "Sérum", within: 30d) > 5',
    );
    expect(table.specs).toHaveLength(1);
    expect(plan).toMatchObject({
      args: [{ left: { index: 0 } }, { left: { index: 0 } }],
    });
  });

  it("treats pattern case, order and repetition as the same aggregate", () => {
    const table = new AggregateTable();
    compileText('orders(category: ["b", "A"]) > 0', AS_OF, table);
    compileText('orders(category: ["a", "B", "a"]) > 0', AS_OF, table);
    expect(table.specs).toHaveLength(1);
  });

  it("shares aggregates across expressions compiled into the same table", () => {
    const table = new AggregateTable();
    compileText("orders(within: 30d) > 0", AS_OF, table);
    compileText("spent(within: 30d) > 0", AS_OF, table);
    const { plan } = compileText("orders(since: -29d) >= 2", AS_OF, table);
    // within: 30d and since: -29d are the same days, so the same aggregate.
    expect(table.specs.map((s) => (s.source === "orders" ? s.measure : s.source))).toEqual([
      "count",
      "spent",
    ]);
    expect(plan).toMatchObject({ left: { kind: "aggregate", index: 0 } });
  });

  it("keeps measure, window and filters apart", () => {
    const table = new AggregateTable();
    for (const text of [
      "orders(within: 30d) > 0",
      "orders(within: 31d) > 0",
      "spent(within: 30d) > 0",
      'orders(within: 30d, sku: "a") > 0',
      'orders(within: 30d, product: "a") > 0',
      'orders(within: 30d, product: "a*") > 0',
      'events("a", within: 30d) > 0',
      'events("a", within: 30d, x: 1) > 0',
      'events("a", within: 30d, x: "1") > 0',
      'events("a", within: 30d, x: true) > 0',
    ]) {
      compileText(text, AS_OF, table);
    }
    expect(table.specs).toHaveLength(10);
  });

  it("adds specs built elsewhere, deduplicating by content", () => {
    const table = new AggregateTable();
    const spec: AggregateSpec = {
      source: "events",
      type: [{ text: "open", wildcard: false }],
      window: { from: null, to: 10 },
      properties: [],
    };
    expect(table.add(spec)).toBe(0);
    expect(table.add({ ...spec, properties: [] })).toBe(0);
    expect(table.add({ ...spec, window: { from: null, to: 11 } })).toBe(1);
  });

  it("is deterministic: the same expression at the same as_of gives the same plan", () => {
    const text =
      'events("b", within: 7d) > 0 and orders(category: "x") > 0 and spent(within: 1y) > 10 and events("a") > 0';
    const first = compileText(text);
    const second = compileText(text);
    expect(second.plan).toEqual(first.plan);
    expect(second.table.specs).toEqual(first.table.specs);
    expect(first.table.specs.map((s) => s.source)).toEqual([
      "events",
      "orders",
      "orders",
      "events",
    ]);
  });
});

describe("compileExpression: every node kind", () => {
  it("compiles operators, functions and literals", () => {
    const { plan } = compileText(
      'not (rfm_r in [4, 5]) and tags not contains "vip" and days_since(signup_date) between 1 and 9 and ' +
        'props.tier is not null and starts_with(email, "a") and in_segment("vip") and -total_spent < 0.5 or email_consent = true',
    );
    const kinds: string[] = [];
    const walk = (node: PlanExpr): void => {
      kinds.push(node.kind);
      switch (node.kind) {
        case "literal":
        case "field":
        case "prop":
        case "aggregate":
        case "in_segment":
          return;
        case "list":
          return node.items.forEach(walk);
        case "days_since":
        case "not":
        case "negate":
        case "is_null":
          return walk(node.arg);
        case "starts_with":
          return [node.text, node.prefix].forEach(walk);
        case "and":
        case "or":
          return node.args.forEach(walk);
        case "compare":
        case "arith":
          return [node.left, node.right].forEach(walk);
        case "in":
          return [node.value, node.list].forEach(walk);
        case "contains":
          return [node.container, node.item].forEach(walk);
        case "between":
          return [node.value, node.low, node.high].forEach(walk);
        default: {
          const never: never = node;
          return never;
        }
      }
    };
    walk(plan);
    expect(new Set(kinds)).toEqual(
      new Set([
        "or",
        "and",
        "not",
        "in",
        "field",
        "list",
        "literal",
        "contains",
        "between",
        "days_since",
        "is_null",
        "prop",
        "starts_with",
        "in_segment",
        "compare",
        "negate",
      ]),
    );
    expect(plan).toMatchObject({
      kind: "or",
      args: [
        {
          kind: "and",
          args: [
            {
              kind: "not",
              arg: {
                kind: "in",
                negated: false,
                list: { kind: "list", items: [{ value: 4 }, { value: 5 }] },
              },
            },
            {
              kind: "contains",
              negated: true,
              container: { name: "tags" },
              item: { value: "vip" },
            },
            { kind: "between", value: { kind: "days_since" } },
            { kind: "is_null", negated: true, arg: { kind: "prop", name: "tier" } },
            { kind: "starts_with" },
            { kind: "in_segment", segment: "vip" },
            { kind: "compare", operand: "number", left: { kind: "negate" } },
          ],
        },
        { kind: "compare", operand: "boolean" },
      ],
    });
  });
});
