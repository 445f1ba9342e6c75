import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../calendar.js";
import { checkAst } from "./checker.js";
import { ORDER_ROW_ENV, PROFILE_ENV, type Environment } from "./env.js";
import { checkExpression } from "./index.js";
import { parseExpression } from "./parser.js";

/**
 * Where a diagnostic points: the exact text it covers (which must occur once in the expression),
 * or explicit offsets when the text repeats.
 */
type At = string | { start: number; end: number };
type Expected = [code: string, at: At];

function spanOf(text: string, at: At): { start: number; end: number } {
  if (typeof at !== "string") return at;
  const start = text.indexOf(at);
  if (start < 0 || text.indexOf(at, start + 1) >= 0) {
    throw new Error(`"${at}" must occur exactly once in "${text}"`);
  }
  return { start, end: start + at.length };
}

function codesAndSpans(text: string, env: Environment = PROFILE_ENV) {
  return checkExpression(text, env, { expect: "boolean" }).diagnostics.map((d) => [d.code, d.span]);
}

const VALID_PROFILE = [
  // Examples of docs/design.md#expressions
  "orders_count >= 1 and last_order_date < -6m",
  '(orders_count >= 3 or total_spent >= 500) and events("whatsapp_read", within: 90d) >= 1',
  'lists contains "Intérêt Gamme Visage" and orders(category: "Sérum", within: 30d) = 0',
  "revenue_percentile >= 80",
  'rfm_segment in ["at_risk", "cant_lose"]',
  'events("whatsapp_inbound", handled: false) >= 1',
  "days_since_last_order between 89 and 91",
  "not (last_order_date < -180d)",
  // more of the language
  'orders(category: ["Sérum", "Crème*"], channel: "web", since: 2024-01-01, until: -1d) >= 2',
  'spent(product: "*serum*", within: 1y) > 100',
  'events(["email_open", "email_click"], within: 30d, campaign: "soldes*", score: -2, vip: 1) > 0',
  "events('sms_click', since: today) = 0",
  "in_segment(\"vip\") or in_segment('win-back')",
  "days_since(signup_date) > 30",
  "last_order_date - first_order_date > 90",
  "last_order_date + 30d < today and 2w + signup_date > 2024-01-01",
  'props.loyalty_tier = "gold"',
  'email is not null and starts_with(email, "a")',
  "rfm_r not in [1, 2] and rfm_score != '111'",
  'tags not contains "vip" and email contains "@gmail"',
  '["fr", "be"] contains country',
  "avg_order_value / 2 >= 10 and -total_spent < 0",
  "signup_date between 2024-01-01 and -1m",
  "email_consent and not sms_consent or whatsapp_consent = true",
  "last_order_date in [2024-12-24, 2024-12-31]",
  "TRUE",
  "avg_order_value is null",
  "orders(since: -30d, until: -10d) > 0",
];

describe("checkExpression: valid expressions", () => {
  it.each(VALID_PROFILE)("%s", (text) => {
    const result = checkExpression(text, PROFILE_ENV, { expect: "boolean" });
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.checked?.type).toBe("boolean");
  });

  it.each([
    'quantity > 0 and not starts_with(order_id, "C")',
    'created_at >= 2024-01-01 and status != "test" and days_since(created_at) < 400',
    'channel in ["web", "pos"] and price * quantity >= 10',
  ])("order row: %s", (text) => {
    const result = checkExpression(text, ORDER_ROW_ENV, { expect: "boolean" });
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("accepts a non-boolean expression when the caller does not ask for a boolean", () => {
    const result = checkExpression("total_spent * 2", PROFILE_ENV);
    expect(result.ok).toBe(true);
    expect(result.checked).toMatchObject({ kind: "arith", type: "number", nullable: false });
  });
});

describe("checkExpression: errors (code and exact span)", () => {
  const ROWS: [text: string, expected: Expected[], env?: Environment][] = [
    // names
    ["ordres_count > 1", [["UNKNOWN_FIELD", "ordres_count"]]],
    ["orders > 1", [["UNKNOWN_FIELD", "orders"]]],
    ["ordres(within: 30d) > 1", [["UNKNOWN_FUNCTION", "ordres"]]],
    ["orders_count() > 1", [["UNKNOWN_FUNCTION", "orders_count"]]],
    ["orders() > 1", [["FUNCTION_NOT_ALLOWED", "orders"]], ORDER_ROW_ENV],
    ['in_segment("vip")', [["FUNCTION_NOT_ALLOWED", "in_segment"]], ORDER_ROW_ENV],
    ['props.tier = "gold"', [["PROPS_NOT_ALLOWED", "props.tier"]], ORDER_ROW_ENV],
    ['prop.tier = "gold"', [["UNKNOWN_FIELD", "prop"]]],
    ['props.LoyaltyTier = "gold"', [["INVALID_PROPERTY_NAME", "LoyaltyTier"]]],
    // arguments
    ["orders(category: 5) > 0", [["ARGUMENT_TYPE", "5"]]],
    ["orders(within: -30d) > 0", [["ARGUMENT_TYPE", "-30d"]]],
    ["orders(within: 30) > 0", [["ARGUMENT_TYPE", "30"]]],
    ["orders(within: 2024-01-01) > 0", [["ARGUMENT_TYPE", "2024-01-01"]]],
    ["orders(withn: 30d) > 0", [["UNKNOWN_ARGUMENT", "withn"]]],
    ["orders(within: 30d, within: 7d) > 0", [["DUPLICATE_ARGUMENT", { start: 20, end: 26 }]]],
    ["orders(within: 30d, until: -1d) > 0", [["WINDOW_CONFLICT", "until"]]],
    ["orders(since: -9d, within: 30d) > 0", [["WINDOW_CONFLICT", "within"]]],
    ["orders(since: 30d) > 0", [["DURATION_AS_DATE", "30d"]]],
    ['orders(since: "2024-01-01") > 0', [["STRING_AS_DATE", '"2024-01-01"']]],
    ["orders(since: last_order_date) > 0", [["ARGUMENT_NOT_LITERAL", "last_order_date"]]],
    ["orders(until: 5) > 0", [["ARGUMENT_TYPE", "5"]]],
    ["orders(category: last_category) > 0", [["ARGUMENT_NOT_LITERAL", "last_category"]]],
    ["orders(category: Serum) > 0", [["ARGUMENT_NOT_LITERAL", "Serum"]]],
    ['orders(category: ["a", 1]) > 0', [["ARGUMENT_TYPE", "1"]]],
    ['orders("Sérum") > 0', [["POSITIONAL_ARGUMENT", '"Sérum"']]],
    ["orders(category: []) > 0", [["EMPTY_LIST", "[]"]]],
    ["orders(within: 0d) > 0", [["EMPTY_WINDOW", "0d"]]],
    ["predicted_orders(0d) > 1", [["EMPTY_HORIZON", "0d"]]],
    ["predicted_clv(30) > 100", [["ARGUMENT_TYPE", "30"]]],
    ["predicted_orders(-30d) > 1", [["ARGUMENT_TYPE", "-30d"]]],
    ["predicted_orders() > 1", [["MISSING_ARGUMENT", "predicted_orders()"]]],
    ["predicted_orders(30d, within: 30d) > 1", [["UNKNOWN_ARGUMENT", "within"]]],
    ['predicted_clv(1y) > "a"', [["TYPE_MISMATCH", '"a"']]],
    ["p_alive(30d) > 0.5", [["UNKNOWN_FUNCTION", "p_alive"]]],
    ["orders(since: 2024-05-01, until: 2024-04-01) > 0", [["EMPTY_WINDOW", "2024-04-01"]]],
    ["orders(since: -1m, until: -2m) > 0", [["EMPTY_WINDOW", "-2m"]]],
    ["events() > 0", [["MISSING_ARGUMENT", "events()"]]],
    ['events("a", "b") > 0', [["TOO_MANY_ARGUMENTS", '"b"']]],
    ['events(within: 30d, "open") > 0', [["POSITIONAL_AFTER_NAMED", '"open"']]],
    ["events(email_open) > 0", [["ARGUMENT_NOT_LITERAL", "email_open"]]],
    ['events("x", handled: email_consent) > 0', [["ARGUMENT_NOT_LITERAL", "email_consent"]]],
    ['events("x", whithin: 30d) > 0', [["ARGUMENT_TYPE", "30d"]]],
    ['events("x", Channel: "sms") > 0', [["INVALID_PROPERTY_NAME", "Channel"]]],
    ['events("x", type: "y") > 0', [["UNKNOWN_ARGUMENT", "type"]]],
    ['events("x", at: 2024-01-01) > 0', [["ARGUMENT_TYPE", "2024-01-01"]]],
    ["in_segment(vip)", [["SEGMENT_ID_NOT_QUOTED", "vip"]]],
    ["in_segment()", [["MISSING_ARGUMENT", "in_segment()"]]],
    ['in_segment("a", "b")', [["TOO_MANY_ARGUMENTS", '"b"']]],
    ["in_segment(5)", [["ARGUMENT_TYPE", "5"]]],
    ["in_segment(props.segment)", [["ARGUMENT_NOT_LITERAL", "props.segment"]]],
    [
      'in_segment(id: "a")',
      [
        ["MISSING_ARGUMENT", 'in_segment(id: "a")'],
        ["UNKNOWN_ARGUMENT", "id"],
      ],
    ],
    ["days_since(30d) > 5", [["DURATION_AS_DATE", "30d"]]],
    ['days_since("2024-01-01") > 5', [["STRING_AS_DATE", '"2024-01-01"']]],
    ["days_since(orders_count) > 5", [["ARGUMENT_TYPE", "orders_count"]]],
    ["starts_with(email)", [["MISSING_ARGUMENT", "starts_with(email)"]]],
    ["starts_with(email, 5)", [["ARGUMENT_TYPE", "5"]]],
    ['starts_with(email, "a", "b", "c")', [["TOO_MANY_ARGUMENTS", '"b", "c"']]],
    // types
    ["last_order_date < 30d", [["DURATION_AS_DATE", "30d"]]],
    ["30d > last_order_date", [["DURATION_AS_DATE", "30d"]]],
    ['signup_date > "2024-01-01"', [["STRING_AS_DATE", '"2024-01-01"']]],
    ["last_order_date < orders_count", [["TYPE_MISMATCH", "last_order_date < orders_count"]]],
    ['orders_count = "3"', [["TYPE_MISMATCH", '"3"']]],
    ["zip = 75001", [["TYPE_MISMATCH", "75001"]]],
    ["email_consent < true", [["TYPE_MISMATCH", "email_consent < true"]]],
    ['tags = "vip"', [["TYPE_MISMATCH", 'tags = "vip"']]],
    ["days_since_last_order > 30d", [["TYPE_MISMATCH", "30d"]]],
    ['rfm_r in ["4", 5]', [["LIST_ITEM_TYPE", '"4"']]],
    ["last_order_date in [2024-01-01, 30d]", [["DURATION_AS_DATE", "30d"]]],
    ['tags in ["a"]', [["TYPE_MISMATCH", "tags"]]],
    ['[1, "b"] contains "a"', [["LIST_ITEM_TYPE", '"b"']]],
    ["[1, 2] contains email", [["TYPE_MISMATCH", "[1, 2]"]]],
    ["email contains 5", [["TYPE_MISMATCH", "5"]]],
    ['orders_count contains "1"', [["TYPE_MISMATCH", "orders_count"]]],
    ['tags contains ["a", "b"]', [["TYPE_MISMATCH", '["a", "b"]']]],
    ["email between 1 and 2", [["TYPE_MISMATCH", "email"]]],
    ["last_order_date between -30d and 10", [["TYPE_MISMATCH", "10"]]],
    ["today + 30 > last_order_date", [["TYPE_MISMATCH", "today + 30"]]],
    ["30d - today < last_order_date", [["TYPE_MISMATCH", "30d - today"]]],
    ["- last_order_date < 0", [["TYPE_MISMATCH", "- last_order_date"]]],
    ["last_order_date < - 30d", [["TYPE_MISMATCH", "- 30d"]]],
    ["email * 2 > 1", [["TYPE_MISMATCH", "email * 2"]]],
    ["last_order_date = null", [["NULL_COMPARISON", "last_order_date = null"]]],
    ["null != email", [["NULL_COMPARISON", "null != email"]]],
    ["rfm_r in [null]", [["NULL_LITERAL", "null"]]],
    ["orders_count and true", [["NOT_BOOLEAN", "orders_count"]]],
    ["not email", [["NOT_BOOLEAN", "email"]]],
    ["total_spent", [["NOT_BOOLEAN", "total_spent"]]],
    ["last_order_date - 30d", [["NOT_BOOLEAN", "last_order_date - 30d"]]],
    // lexer errors are reported with the checker's, without cascades
    [
      "orders_count == 1 and foo = 2",
      [
        ["INVALID_OPERATOR", "=="],
        ["UNKNOWN_FIELD", "foo"],
      ],
    ],
    ["last_order_date < 2024-02-30 and orders_count > 1", [["INVALID_DATE", "2024-02-30"]]],
  ];

  it("has a table of at least 40 rows", () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(ROWS)("%s", (text, expected, env) => {
    expect(codesAndSpans(text, env)).toEqual(
      expected.map(([code, at]) => [code, spanOf(text, at)]),
    );
  });
});

describe("checkExpression: every error of an expression, no cascades", () => {
  it("reports each independent problem", () => {
    const text =
      'ordres_count > 1 and last_order_date < 30d and in_segment(vip) and orders(x: "1") > 0';
    expect(codesAndSpans(text)).toEqual([
      ["UNKNOWN_FIELD", spanOf(text, "ordres_count")],
      ["DURATION_AS_DATE", spanOf(text, "30d")],
      ["SEGMENT_ID_NOT_QUOTED", spanOf(text, "vip")],
      ["UNKNOWN_ARGUMENT", spanOf(text, "x")],
    ]);
  });

  it("gives an erroneous subtree the error type, silencing its parents", () => {
    expect(codesAndSpans('(foo + 1) * 2 > "x" and not bar')).toEqual([
      ["UNKNOWN_FIELD", { start: 1, end: 4 }],
      ["UNKNOWN_FIELD", { start: 28, end: 31 }],
    ]);
    expect(codesAndSpans("orders(withn: 30d) > last_order_date")).toEqual([
      ["UNKNOWN_ARGUMENT", { start: 7, end: 12 }],
    ]);
  });

  it("reports the lexer's errors and none of their consequences", () => {
    expect(codesAndSpans("a $ b")).toEqual([["UNEXPECTED_CHARACTER", { start: 2, end: 3 }]]);
  });

  it("reports a syntax error alone (the tree is incomplete)", () => {
    const result = checkExpression("foo = (1", PROFILE_ENV, { expect: "boolean" });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["MISSING_CLOSING_PAREN"]);
    expect(result.checked).toBeUndefined();
  });
});

describe("checkExpression: messages and hints", () => {
  function first(text: string, env: Environment = PROFILE_ENV) {
    const [diagnostic] = checkExpression(text, env, { expect: "boolean" }).diagnostics;
    return { message: diagnostic.message, hint: diagnostic.hint };
  }

  it("suggests the closest field, function and argument", () => {
    expect(first("ordres_count > 1").message).toBe(
      'unknown customer profile field "ordres_count" (did you mean "orders_count"?)',
    );
    expect(first("ordres() > 1").message).toBe(
      'unknown function "ordres" (did you mean "orders"?)',
    );
    expect(first("orders(withn: 30d) > 1").message).toBe(
      'unknown argument "withn" for orders() (did you mean "within"?)',
    );
    expect(first("creatd_at < -1d", ORDER_ROW_ENV).message).toBe(
      'unknown order row field "creatd_at" (did you mean "created_at"?)',
    );
  });

  it("points to props.NAME for an unknown snake_case name", () => {
    expect(first('loyalty_tier = "gold"').hint).toBe(
      "a custom contact column is written props.loyalty_tier",
    );
  });

  it("says did you mean -30d? with the text as written", () => {
    expect(first("last_order_date < 30d")).toEqual({
      message: '"last_order_date" is a date, but 30d is a duration: did you mean -30d?',
      hint: "-30d is the date 30 days before as_of; 30d alone is a length of time",
    });
    expect(first("orders(since: 6m) > 0").message).toBe(
      "since needs a date, but 6m is a duration: did you mean -6m?",
    );
  });

  it("says to write a quoted date without quotes", () => {
    expect(first('signup_date > "2024-01-01"').hint).toBe("write 2024-01-01 without quotes");
    expect(first('signup_date > "yesterday"').hint).toBe(
      "write a date as YYYY-MM-DD without quotes, or an offset like -30d",
    );
  });

  it("says to use is null", () => {
    expect(first("last_order_date = null")).toEqual({
      message: "a comparison with null is never true",
      hint: "use is null: last_order_date is null",
    });
    expect(first("last_order_date != null").hint).toBe(
      "use is not null: last_order_date is not null",
    );
  });

  it("names the function that is not available and what is", () => {
    expect(first("orders() > 1", ORDER_ROW_ENV)).toEqual({
      message: "orders() is not available in order row expressions",
      hint: "available here: days_since(), starts_with()",
    });
  });

  it("explains quoting and units", () => {
    expect(first("in_segment(vip)").hint).toBe('quote it: in_segment("vip")');
    expect(first('orders_count = "3"').hint).toBe("write 3 without quotes");
    expect(first("zip = 75001").hint).toBe('write it in quotes: "75001"');
    expect(first("days_since_last_order > 30d").hint).toBe(
      "write 30: a number of days is a plain number here",
    );
    expect(first("orders(within: 30) > 0").hint).toBe("add a unit: within: 30d");
    expect(first('events("x", whithin: 30d) > 0').hint).toBe("did you mean within: 30d?");
    expect(first('tags = "vip"').hint).toBe(
      'to test whether a list holds a value, write tags contains "vip"',
    );
  });

  it("asks for a comparison when the whole expression is not true/false", () => {
    expect(first("orders_count")).toEqual({
      message: "the expression must be true or false, but it is a number",
      hint: "compare it, e.g. orders_count > 0",
    });
  });
});

describe("checkExpression: warnings", () => {
  it("warns that a null test on a never-null value is constant, and stays ok", () => {
    const result = checkExpression("orders_count is null or tags is not null", PROFILE_ENV, {
      expect: "boolean",
    });
    expect(result.ok).toBe(true);
    expect(result.checked).toBeDefined();
    expect(result.diagnostics).toEqual([
      {
        code: "CONSTANT_NULL_TEST",
        message: '"orders_count" is never null, so "is null" is always false',
        span: { start: 0, end: 20 },
        severity: "warning",
      },
      {
        code: "CONSTANT_NULL_TEST",
        message: '"tags" is never null, so "is not null" is always true',
        span: { start: 24, end: 40 },
        severity: "warning",
      },
    ]);
  });
});

describe("checkExpression: segment references", () => {
  it("returns every in_segment id with the span of its string, even with other errors", () => {
    const text = "in_segment(\"vip\") and (in_segment('win-back') or foo)";
    const result = checkExpression(text, PROFILE_ENV, { expect: "boolean" });
    expect(result.ok).toBe(false);
    expect(result.segmentRefs).toEqual([
      { id: "vip", span: { start: 11, end: 16 } },
      { id: "win-back", span: { start: 34, end: 44 } },
    ]);
  });

  it("returns none after a syntax error", () => {
    expect(checkExpression('in_segment("a") and (', PROFILE_ENV).segmentRefs).toEqual([]);
  });
});

describe("checkAst: the typed tree", () => {
  function tree(text: string) {
    const { expr } = parseExpression(text);
    if (expr === undefined) throw new Error("syntax error");
    const { checked, diagnostics } = checkAst(expr, text, PROFILE_ENV);
    expect(diagnostics).toEqual([]);
    return checked;
  }

  it("types comparisons with their operand type and keeps nullability", () => {
    expect(tree("last_order_date < -6m")).toMatchObject({
      kind: "compare",
      op: "<",
      operand: "date",
      left: { kind: "field", name: "last_order_date", type: "date", nullable: true },
      right: { kind: "offset", type: "date", sign: -1, duration: { count: 6, unit: "m" } },
    });
    expect(tree("days_since(last_order_date)")).toMatchObject({
      kind: "days_since",
      nullable: true,
    });
    expect(tree("orders_count / 2")).toMatchObject({ kind: "arith", nullable: true });
  });

  it("resolves function calls into aggregates with their filters as written", () => {
    expect(tree('spent(category: ["Sérum", "Crème*"], since: 2024-01-01)')).toEqual({
      kind: "order_aggregate",
      type: "number",
      measure: "spent",
      window: {
        within: null,
        since: {
          kind: "date",
          type: "date",
          day: parseIsoDay("2024-01-01"),
          nullable: false,
          span: { start: 44, end: 54 },
        },
        until: null,
      },
      channel: null,
      product: null,
      sku: null,
      category: ["Sérum", "Crème*"],
      nullable: false,
      span: { start: 0, end: 55 },
    });
    expect(tree('events("Open", within: 7d, opened: true, n: -3, tag: ["A", "b"])')).toMatchObject({
      kind: "event_aggregate",
      eventType: ["Open"],
      window: { within: { count: 7, unit: "d" }, since: null, until: null },
      properties: [
        { name: "opened", value: { kind: "boolean", value: true } },
        { name: "n", value: { kind: "number", value: -3 } },
        { name: "tag", value: { kind: "text", patterns: ["A", "b"] } },
      ],
    });
  });

  it("types in-lists with the value's type", () => {
    expect(tree("rfm_r in []")).toMatchObject({
      kind: "in",
      list: { itemType: "number", items: [] },
    });
  });
});
