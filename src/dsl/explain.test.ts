/** The trace of an expression (docs/design.md#explain-and-tests): every sub-expression's value, as `explain` prints it. */
import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../calendar.js";
import { PROFILE_ENV } from "./env.js";
import type { Scope, Value } from "./evaluator.js";
import { traceExpression, type TraceNode } from "./explain.js";
import { AggregateTable, checkExpression, compileExpression } from "./index.js";

function day(text: string): number {
  const d = parseIsoDay(text);
  if (d === undefined) throw new Error(`bad date ${text}`);
  return d;
}

const AS_OF = day("2026-06-30");
type Profile = Record<string, Value>;

const PROFILE: Profile = {
  orders_count: 1,
  first_order_date: day("2026-04-20"),
  last_order_date: null,
  rfm_segment: "champions",
  tags: ["VIP"],
};

function trace(text: string, profile: Profile = PROFILE, aggregateValues: number[] = []) {
  const checked = checkExpression(text, PROFILE_ENV, { expect: "boolean" });
  if (!checked.ok || checked.checked === undefined) throw new Error(JSON.stringify(checked));
  const table = new AggregateTable();
  const plan = compileExpression(checked.checked, AS_OF, table);
  const scope: Scope<Profile> = {
    field: (name) => (p) => p[name] ?? null,
    prop: () => () => null,
    aggregate: (i) => () => aggregateValues[i] ?? 0,
    inSegment: () => () => false,
  };
  return traceExpression(plan, text, scope, AS_OF, profile, table.specs);
}

function lines(node: TraceNode, depth = 0): string[] {
  const head = node.result === undefined ? `= ${node.value}` : `→ ${String(node.result)}`;
  const detail = node.detail === undefined ? "" : ` (${node.detail})`;
  return [
    `${"  ".repeat(depth)}${node.text} ${head}${detail}`,
    ...node.children.flatMap((c) => lines(c, depth + 1)),
  ];
}

describe("traceExpression", () => {
  it("gives the examples of docs/design.md#explain-and-tests", () => {
    expect(lines(trace("orders_count = 1 and first_order_date >= -30d"))).toEqual([
      "orders_count = 1 and first_order_date >= -30d → false",
      "  orders_count = 1 → true (1)",
      "  first_order_date >= -30d → false (2026-04-20 < 2026-05-31)",
    ]);
  });

  it("shows nulls, lists, strings and negations", () => {
    expect(
      lines(
        trace('not (last_order_date < -180d) or rfm_segment in ["at_risk"] or tags contains "vip"'),
      ),
    ).toEqual([
      'not (last_order_date < -180d) or rfm_segment in ["at_risk"] or tags contains "vip" → true',
      "  not (last_order_date < -180d) → true",
      "    last_order_date < -180d → false (null < 2026-01-01)",
      '  rfm_segment in ["at_risk"] → false ("champions")',
      '  tags contains "vip" → true (["VIP"])',
    ]);
  });

  it("describes aggregates with their window and filters", () => {
    expect(lines(trace('orders(category: "Sérum", within: 30d) = 0', PROFILE, [2]))).toEqual([
      'orders(category: "Sérum", within: 30d) = 0 → false (2)',
      '  orders(category: "Sérum", within: 30d) = 2 (orders from 2026-06-01 to 2026-06-30, category "sérum")',
    ]);
    expect(lines(trace('events("whatsapp_read", campaign: "noel") >= 1', PROFILE, [1]))[1]).toBe(
      '  events("whatsapp_read", campaign: "noel") = 1 (events "whatsapp_read" up to 2026-06-30, campaign "noel")',
    );
  });

  it("says how two computed sides actually compare", () => {
    expect(lines(trace("days_since(first_order_date) > orders_count * 100"))).toEqual([
      "days_since(first_order_date) > orders_count * 100 → false (71 < 100)",
      "  days_since(first_order_date) = 71",
      "  orders_count * 100 = 100",
    ]);
  });
});
