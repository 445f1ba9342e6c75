import { describe, expect, it } from "vitest";
import { formatDay } from "../calendar.js";
import type { Arg, Expr } from "./ast.js";
import { parseExpression } from "./parser.js";

/** The tree as an S-expression: precedence and structure at a glance. */
function show(expr: Expr): string {
  switch (expr.kind) {
    case "number":
      return String(expr.value);
    case "string":
      return JSON.stringify(expr.value);
    case "boolean":
      return String(expr.value);
    case "null":
      return "null";
    case "today":
      return "today";
    case "date":
      return formatDay(expr.day);
    case "duration":
      return `${expr.duration.count}${expr.duration.unit}`;
    case "offset":
      return `${expr.sign < 0 ? "-" : "+"}${expr.duration.count}${expr.duration.unit}`;
    case "name":
      return expr.name;
    case "member":
      return `${expr.object}.${expr.property}`;
    case "call":
      return `(${[`call ${expr.callee}`, ...expr.args.map(showArg)].join(" ")})`;
    case "list":
      return `[${expr.items.map(show).join(" ")}]`;
    case "not":
      return `(not ${show(expr.operand)})`;
    case "negate":
      return `(neg ${show(expr.operand)})`;
    case "and":
    case "or":
      return `(${expr.kind} ${expr.operands.map(show).join(" ")})`;
    case "compare":
    case "arith":
      return `(${expr.op} ${show(expr.left)} ${show(expr.right)})`;
    case "in":
      return `(${expr.negated ? "not-in" : "in"} ${show(expr.value)} ${show(expr.list)})`;
    case "contains":
      return `(${expr.negated ? "not-contains" : "contains"} ${show(expr.container)} ${show(expr.item)})`;
    case "between":
      return `(between ${show(expr.value)} ${show(expr.low)} ${show(expr.high)})`;
    case "is_null":
      return `(${expr.negated ? "is-not-null" : "is-null"} ${show(expr.operand)})`;
    case "error":
      return "<error>";
    default: {
      const never: never = expr;
      return never;
    }
  }
}

function showArg(arg: Arg): string {
  return arg.kind === "named" ? `${arg.name}: ${show(arg.value)}` : show(arg.value);
}

function parse(text: string): string {
  const { expr, diagnostics } = parseExpression(text);
  expect(diagnostics).toEqual([]);
  if (expr === undefined) throw new Error("no tree");
  return show(expr);
}

describe("parseExpression: structure", () => {
  it.each<[string, string]>([
    // precedence
    ["a or b and c", "(or a (and b c))"],
    ["a and b or c", "(or (and a b) c)"],
    ["a or b or c", "(or a b c)"],
    ["a and b and c", "(and a b c)"],
    ["(a or b) and c", "(and (or a b) c)"],
    ["not a = b", "(not (= a b))"],
    ["not not a", "(not (not a))"],
    ["not a and b", "(and (not a) b)"],
    ["-x * y", "(* (neg x) y)"],
    ["- - x", "(neg (neg x))"],
    ["a + b * c", "(+ a (* b c))"],
    ["a - b - c", "(- (- a b) c)"],
    ["a / b * c", "(* (/ a b) c)"],
    ["(a + b) * c", "(* (+ a b) c)"],
    ["a + b > c * 2", "(> (+ a b) (* c 2))"],
    ["a And b OR NOT c", "(or (and a b) (not c))"],
    // every comparison form
    ["a = 1", "(= a 1)"],
    ["a != 1", "(!= a 1)"],
    ["a < 1", "(< a 1)"],
    ["a <= 1", "(<= a 1)"],
    ["a > 1", "(> a 1)"],
    ["a >= 1", "(>= a 1)"],
    ['a in ["x", "y"]', '(in a ["x" "y"])'],
    ["a not in [1, 2]", "(not-in a [1 2])"],
    ["a NOT IN []", "(not-in a [])"],
    ['tags contains "vip"', '(contains tags "vip")'],
    ['tags not contains "vip"', '(not-contains tags "vip")'],
    ["a between 1 and 5", "(between a 1 5)"],
    ["a between 1 and 5 and b", "(and (between a 1 5) b)"],
    ["a between b - 1 and b + 1", "(between a (- b 1) (+ b 1))"],
    ["a is null", "(is-null a)"],
    ["a IS NOT NULL", "(is-not-null a)"],
    ["a + 1 is null", "(is-null (+ a 1))"],
    // literals
    ["d < 2024-01-05", "(< d 2024-01-05)"],
    ["d < -6m", "(< d -6m)"],
    ["d >= +7d", "(>= d +7d)"],
    ["d > today - 30d", "(> d (- today 30d))"],
    ["x = true or y = FALSE", "(or (= x true) (= y false))"],
    ["x = null", "(= x null)"],
    ["'it\\'s' = x", '(= "it\'s" x)'],
    // lists
    ["[]", "[]"],
    ["[1]", "[1]"],
    ["[1, 2 + 3, (4)]", "[1 (+ 2 3) 4]"],
    ["[[1], [2]]", "[[1] [2]]"],
    // calls and named arguments
    ["orders()", "(call orders)"],
    ["orders(within: 30d) >= 1", "(>= (call orders within: 30d) 1)"],
    [
      'spent(category: ["Sérum", "Crème*"], since: 2024-01-01, until: -1d)',
      '(call spent category: ["Sérum" "Crème*"] since: 2024-01-01 until: -1d)',
    ],
    ['events("whatsapp_read", within: 90d)', '(call events "whatsapp_read" within: 90d)'],
    ['events("x", handled: false, score: -2)', '(call events "x" handled: false score: (neg 2))'],
    ['starts_with(order_id, "C")', '(call starts_with order_id "C")'],
    ["days_since(a or b)", "(call days_since (or a b))"],
    ["in_segment(vip)", "(call in_segment vip)"],
    // props
    ["props.loyalty_tier = 'gold'", '(= props.loyalty_tier "gold")'],
    ["props.type", "props.type"],
    ["props.IN", "props.IN"],
    ["a.b", "a.b"],
  ])("%j → %s", (text, tree) => {
    expect(parse(text)).toBe(tree);
  });

  it("keeps exact spans, including the parentheses inside a parent", () => {
    const { expr } = parseExpression("(a + 1) * 2 = b");
    expect(expr).toMatchObject({
      kind: "compare",
      span: { start: 0, end: 15 },
      left: {
        kind: "arith",
        op: "*",
        span: { start: 0, end: 11 },
        left: { kind: "arith", op: "+", span: { start: 1, end: 6 } },
        right: { kind: "number", span: { start: 10, end: 11 } },
      },
      right: { kind: "name", span: { start: 14, end: 15 } },
    });
  });

  it("keeps the spans of calls, arguments and members", () => {
    const { expr } = parseExpression('orders(category: "Sérum", within: 30d) = props.x');
    expect(expr).toMatchObject({
      kind: "compare",
      left: {
        kind: "call",
        callee: "orders",
        calleeSpan: { start: 0, end: 6 },
        span: { start: 0, end: 38 },
        args: [
          {
            kind: "named",
            name: "category",
            nameSpan: { start: 7, end: 15 },
            span: { start: 7, end: 24 },
          },
          {
            kind: "named",
            name: "within",
            nameSpan: { start: 26, end: 32 },
            span: { start: 26, end: 37 },
          },
        ],
      },
      right: {
        kind: "member",
        objectSpan: { start: 41, end: 46 },
        propertySpan: { start: 47, end: 48 },
        span: { start: 41, end: 48 },
      },
    });
  });

  it("parses past lexer errors, leaving error nodes", () => {
    const { expr, diagnostics } = parseExpression("a == 1 and b < 2024-02-30");
    expect(diagnostics.map((d) => d.code)).toEqual(["INVALID_OPERATOR", "INVALID_DATE"]);
    expect(expr && show(expr)).toBe("(and (= a 1) (< b <error>))");
  });
});

describe("parseExpression: syntax errors", () => {
  it.each<[string, string, number, number]>([
    ["", "EMPTY_EXPRESSION", 0, 0],
    ["   ", "EMPTY_EXPRESSION", 0, 3],
    ["a and", "UNEXPECTED_END", 5, 5],
    ["not", "UNEXPECTED_END", 3, 3],
    ["a = ", "UNEXPECTED_END", 4, 4],
    ["a = )", "UNEXPECTED_TOKEN", 4, 5],
    ["a = and b", "UNEXPECTED_TOKEN", 4, 7],
    ["and a", "UNEXPECTED_TOKEN", 0, 3],
    ["(a and b", "MISSING_CLOSING_PAREN", 0, 1],
    ["x and (a or (b", "MISSING_CLOSING_PAREN", 12, 13],
    ["orders(within: 30d", "MISSING_CLOSING_PAREN", 6, 7],
    ["a in [1, 2", "MISSING_CLOSING_BRACKET", 5, 6],
    ["(a b)", "UNEXPECTED_TOKEN", 3, 4],
    ["[1 2]", "UNEXPECTED_TOKEN", 3, 4],
    ["f(a b)", "UNEXPECTED_TOKEN", 4, 5],
    ["a = 1)", "TRAILING_INPUT", 5, 6],
    ["a = 1 b = 2", "TRAILING_INPUT", 6, 7],
    ["x -30d", "TRAILING_INPUT", 2, 6],
    ["(x -30d)", "UNEXPECTED_TOKEN", 3, 7],
    ["a < b < c", "CHAINED_COMPARISON", 6, 7],
    ["a = b is null", "CHAINED_COMPARISON", 6, 8],
    ["a between 1 and 2 not in [3]", "CHAINED_COMPARISON", 18, 21],
    ['"vip" in tags', "EXPECTED_LIST", 9, 13],
    ["a in 1", "EXPECTED_LIST", 5, 6],
    ["a between 1", "UNEXPECTED_END", 11, 11],
    ["a between 1 or 2", "UNEXPECTED_TOKEN", 12, 14],
    ["a is 1", "UNEXPECTED_TOKEN", 5, 6],
    ["a is not", "UNEXPECTED_END", 8, 8],
    ["a not null", "UNEXPECTED_TOKEN", 2, 5],
    ["a not = b", "UNEXPECTED_TOKEN", 2, 5],
    ["props.", "UNEXPECTED_END", 6, 6],
    ["props.1", "UNEXPECTED_TOKEN", 6, 7],
    ["[1, ]", "UNEXPECTED_TOKEN", 4, 5],
    ["f(,)", "UNEXPECTED_TOKEN", 2, 3],
    ["+ 1", "UNEXPECTED_TOKEN", 0, 1],
  ])("%j → %s at %i-%i", (text, code, start, end) => {
    const { expr, diagnostics } = parseExpression(text);
    expect(expr).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code, span: { start, end }, severity: "error" });
  });

  it("explains an offset written where a subtraction was meant", () => {
    const { diagnostics } = parseExpression("today -30d");
    expect(diagnostics[0].hint).toBe(
      "-30d is a date offset (sign touching the digits); to subtract a duration, put a space after the sign: - 30d",
    );
  });

  it("does not report a syntax error caused by a lexeme already reported", () => {
    expect(parseExpression("a = $").diagnostics.map((d) => d.code)).toEqual([
      "UNEXPECTED_CHARACTER",
    ]);
    expect(parseExpression('(a = "b)').diagnostics.map((d) => d.code)).toEqual([
      "UNTERMINATED_STRING",
    ]);
    expect(parseExpression("a $ b").diagnostics.map((d) => d.code)).toEqual([
      "UNEXPECTED_CHARACTER",
    ]);
  });

  it("names what was expected and what was found", () => {
    expect(parseExpression("a = )").diagnostics[0].message).toBe('expected a value, found ")"');
    expect(parseExpression("(a b)").diagnostics[0].message).toBe(
      'expected ")" or an operator, found "b"',
    );
    expect(parseExpression("(a and b").diagnostics[0].message).toBe(
      'missing ")" to close this "("',
    );
  });
});

describe("parseExpression: limits", () => {
  it("rejects a text over 10,000 characters once, parsing nothing", () => {
    const text = "a = 1 or ".repeat(120_000) + "$";
    expect(text.length).toBeGreaterThan(1_000_000);
    const { expr, diagnostics } = parseExpression(text);
    expect(expr).toBeUndefined();
    expect(diagnostics).toEqual([
      {
        code: "EXPR_TOO_LONG",
        message: `the expression is ${text.length} characters long; the limit is 10000`,
        hint: "split it into several segments and combine them with in_segment(…)",
        span: { start: 10_000, end: text.length },
        severity: "error",
      },
    ]);
  });

  it("accepts exactly 10,000 characters", () => {
    const text = "a".repeat(10_000);
    expect(parseExpression(text).diagnostics).toEqual([]);
  });

  it("stops 10,000 nested parentheses at depth 64 without overflowing the stack", () => {
    const text = "(".repeat(10_000);
    expect(text.length).toBe(10_000);
    const { expr, diagnostics } = parseExpression(text);
    expect(expr).toBeUndefined();
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: "EXPR_TOO_DEEP", span: { start: 64, end: 65 } }),
    ]);
  });

  it("stops 10,000 balanced parentheses the same way, with the length limit lifted", () => {
    const text = `${"(".repeat(10_000)}x${")".repeat(10_000)}`;
    const { diagnostics } = parseExpression(text, { maxLength: Infinity });
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: "EXPR_TOO_DEEP", span: { start: 64, end: 65 } }),
    ]);
  });

  it("stops 10,000 nots at depth 64 without overflowing the stack", () => {
    const text = `${"not ".repeat(10_000)}x`;
    const { diagnostics } = parseExpression(text, { maxLength: Infinity });
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: "EXPR_TOO_DEEP", span: { start: 256, end: 259 } }),
    ]);
    // Within the default length limit too.
    const short = "not ".repeat(2_500);
    expect(parseExpression(short).diagnostics.map((d) => d.code)).toEqual(["EXPR_TOO_DEEP"]);
  });

  it("stops 10,000 unary minus, brackets and calls the same way", () => {
    for (const text of ["-".repeat(10_000), "[".repeat(10_000), "f(".repeat(5_000)]) {
      const { diagnostics } = parseExpression(text);
      expect(diagnostics.map((d) => d.code)).toEqual(["EXPR_TOO_DEEP"]);
    }
  });

  it("accepts 64 levels and refuses 65", () => {
    expect(parseExpression(`${"not ".repeat(64)}x`).diagnostics).toEqual([]);
    expect(parseExpression(`${"(".repeat(64)}x${")".repeat(64)}`).diagnostics).toEqual([]);
    expect(parseExpression(`${"not ".repeat(65)}x`).diagnostics.map((d) => d.code)).toEqual([
      "EXPR_TOO_DEEP",
    ]);
  });

  it("counts long operator chains as depth, since each operator nests the tree one level", () => {
    expect(parseExpression(Array(65).fill("1").join(" + ")).diagnostics).toEqual([]);
    const { diagnostics } = parseExpression(Array(66).fill("1").join(" + "));
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: "EXPR_TOO_DEEP", span: { start: 0, end: 261 } }),
    ]);
    // and / or are one node however many operands they have.
    expect(parseExpression(Array(500).fill("a").join(" and ")).diagnostics).toEqual([]);
  });

  it("accepts 1,000 list items and call arguments, not 1,001", () => {
    const items = (n: number) => Array(n).fill("1").join(",");
    expect(parseExpression(`a in [${items(1_000)}]`).diagnostics).toEqual([]);
    expect(parseExpression(`f(${items(1_000)})`).diagnostics).toEqual([]);
    const list = parseExpression(`a in [${items(1_001)}]`);
    expect(list.diagnostics).toEqual([
      expect.objectContaining({ code: "TOO_MANY_ITEMS", span: { start: 2006, end: 2007 } }),
    ]);
    const call = parseExpression(`f(${items(1_001)})`);
    expect(call.diagnostics).toEqual([
      expect.objectContaining({ code: "TOO_MANY_ITEMS", span: { start: 2002, end: 2003 } }),
    ]);
  });
});
