/**
 * The evaluator on its own (docs/design.md#expressions): expressions checked and compiled from text, run over
 * hand-written profiles. Segment-level behaviour (aggregates, windows over real rows) is in
 * src/segments/evaluate.test.ts.
 */
import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../calendar.js";
import { PROFILE_ENV } from "./env.js";
import { compileEvaluator, type Scope, type Value } from "./evaluator.js";
import { AggregateTable, checkExpression, compileExpression } from "./index.js";

const AS_OF = day("2026-06-30");

function day(text: string): number {
  const d = parseIsoDay(text);
  if (d === undefined) throw new Error(`bad date ${text}`);
  return d;
}

type Profile = Record<string, Value>;

/** A prospect: every nullable field null, lists empty, counts zero. */
const PROSPECT: Profile = {
  email: "p@example.com",
  first_name: null,
  last_product: null,
  last_order_date: null,
  days_since_last_order: null,
  orders_count: 0,
  total_spent: 0,
  avg_order_value: null,
  tags: [],
  email_consent: false,
};

const BUYER: Profile = {
  email: "marie@example.com",
  first_name: "Marie",
  last_product: "Sérum Éclat",
  last_order_date: day("2026-06-01"),
  days_since_last_order: 29,
  orders_count: 3,
  total_spent: 120,
  avg_order_value: 40,
  tags: ["VIP", "newsletter"],
  email_consent: true,
};

const scope: Scope<Profile> = {
  field: (name) => (p) => p[name] ?? null,
  prop: (name) => (p) => p[`props.${name}`] ?? null,
  aggregate: () => () => null,
  inSegment: (id) => (p) => p[`in:${id}`] === true,
};

function run(text: string, profile: Profile): Value {
  const checked = checkExpression(text, PROFILE_ENV);
  if (!checked.ok || checked.checked === undefined) {
    throw new Error(`${text}: ${checked.diagnostics.map((d) => d.message).join("; ")}`);
  }
  const plan = compileExpression(checked.checked, AS_OF, new AggregateTable());
  return compileEvaluator(plan, scope, AS_OF)(profile);
}

describe("null semantics", () => {
  it.each([
    ["last_order_date < -180d", false],
    ["last_order_date >= -180d", false],
    ["not (last_order_date < -180d)", true],
    ["last_product = 'Parfum'", false],
    ["last_product != 'Parfum'", false],
    ["avg_order_value != 5", false],
    ["days_since_last_order != 0", false],
    ["not (avg_order_value != 5)", true],
    ["last_product in ['Parfum']", false],
    ["last_product not in ['Parfum']", false],
    ["last_product contains 'a'", false],
    ["avg_order_value between 0 and 100", false],
    ["last_order_date is null", true],
    ["last_order_date is not null", false],
    ["days_since_last_order + 1 > 0", false],
    ["(days_since_last_order + 1) is null", true],
    ["(avg_order_value * 2) is null", true],
    ["-avg_order_value is null", true],
    ["days_since(last_order_date) is null", true],
    ["starts_with(first_name, 'M')", false],
    ["not starts_with(first_name, 'M')", true],
    ["orders_count = 0 and not (total_spent > 0)", true],
  ])("%s on a prospect is %s", (text, expected) => {
    expect(run(text, PROSPECT)).toBe(expected);
  });

  it("gives null for division by zero, so the comparison is false", () => {
    expect(run("(total_spent / orders_count) is null", PROSPECT)).toBe(true);
    expect(run("total_spent / orders_count >= 0", PROSPECT)).toBe(false);
    expect(run("total_spent / orders_count = 40", BUYER)).toBe(true);
  });
});

describe("values", () => {
  it.each([
    ["last_order_date < -180d", false],
    ["last_order_date >= -30d", true],
    ["last_order_date = 2026-06-01", true],
    ["last_order_date between 2026-06-01 and 2026-06-30", true],
    ["last_order_date + 29d = today", true],
    ["today - last_order_date = 29", true],
    ["days_since(last_order_date) = days_since_last_order", true],
    ["last_order_date - 1m = 2026-05-01", true],
    ["last_product = 'SÉRUM ÉCLAT'", true],
    ["last_product != 'sérum éclat'", false],
    ["last_product contains 'ÉCLAT'", true],
    ["last_product not contains 'nuit'", true],
    ["last_product > 'SÉRUM A'", true],
    ["first_name in ['marie', 'paul']", true],
    ["first_name not in ['MARIE']", false],
    ["tags contains 'vip'", true],
    ["tags not contains 'promo'", true],
    ["tags contains 'vi'", false],
    ["starts_with(email, 'MARIE@')", true],
    ["orders_count * 40 = total_spent", true],
    ["-orders_count = -3", true],
    ["orders_count between 3 and 3", true],
    ["avg_order_value != 40", false],
    ["avg_order_value != 41", true],
    ["email_consent", true],
    ["email_consent = true and not (orders_count < 3)", true],
    ["orders_count >= 3 or total_spent >= 500", true],
    ["orders_count > 3 or total_spent > 500 or tags contains 'newsletter'", true],
    ["orders_count > 3 or total_spent > 500 or tags contains 'promo'", false],
  ])("%s on a buyer is %s", (text, expected) => {
    expect(run(text, BUYER)).toBe(expected);
  });

  it("reads custom properties and other segments through the scope", () => {
    const profile: Profile = { ...BUYER, "props.skin_type": "Sèche", "in:vip": true };
    expect(run("props.skin_type = 'SÈCHE' and in_segment('vip')", profile)).toBe(true);
    expect(run("props.missing is null", profile)).toBe(true);
    expect(run("in_segment('other')", profile)).toBe(false);
  });
});
