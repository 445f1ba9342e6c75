import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../calendar.js";
import { tokenize, type Token } from "./lexer.js";

/** A token as `[kind, value, start, end]` (value omitted for eof/error), for readable tables. */
function brief(token: Token): unknown[] {
  const { start, end } = token.span;
  switch (token.kind) {
    case "eof":
    case "error":
      return [token.kind, start, end];
    case "offset":
      return [token.kind, { ...token.value, sign: token.sign }, start, end];
    default:
      return [token.kind, token.value, start, end];
  }
}

function lex(text: string): unknown[][] {
  const { tokens, diagnostics } = tokenize(text);
  expect(diagnostics).toEqual([]);
  return tokens.map(brief);
}

const day = (iso: string) => parseIsoDay(iso);

describe("tokenize: token kinds and spans", () => {
  it.each<[string, unknown[][]]>([
    [
      "12",
      [
        ["number", 12, 0, 2],
        ["eof", 2, 2],
      ],
    ],
    [
      "12.5",
      [
        ["number", 12.5, 0, 4],
        ["eof", 4, 4],
      ],
    ],
    [
      "  007 ",
      [
        ["number", 7, 2, 5],
        ["eof", 6, 6],
      ],
    ],
    [
      "'abc'",
      [
        ["string", "abc", 0, 5],
        ["eof", 5, 5],
      ],
    ],
    [
      '"Sérum"',
      [
        ["string", "Sérum", 0, 7],
        ["eof", 7, 7],
      ],
    ],
    [
      '"a\\"b"',
      [
        ["string", 'a"b', 0, 6],
        ["eof", 6, 6],
      ],
    ],
    [
      "'it\\'s'",
      [
        ["string", "it's", 0, 7],
        ["eof", 7, 7],
      ],
    ],
    [
      '"back\\\\slash"',
      [
        ["string", "back\\slash", 0, 13],
        ["eof", 13, 13],
      ],
    ],
    [
      '"it\'s"',
      [
        ["string", "it's", 0, 6],
        ["eof", 6, 6],
      ],
    ],
    [
      "''",
      [
        ["string", "", 0, 2],
        ["eof", 2, 2],
      ],
    ],
    [
      "2024-01-05",
      [
        ["date", day("2024-01-05"), 0, 10],
        ["eof", 10, 10],
      ],
    ],
    [
      "2024-02-29",
      [
        ["date", day("2024-02-29"), 0, 10],
        ["eof", 10, 10],
      ],
    ],
    [
      "30d",
      [
        ["duration", { count: 30, unit: "d" }, 0, 3],
        ["eof", 3, 3],
      ],
    ],
    [
      "2w 6m 1y",
      [
        ["duration", { count: 2, unit: "w" }, 0, 2],
        ["duration", { count: 6, unit: "m" }, 3, 5],
        ["duration", { count: 1, unit: "y" }, 6, 8],
        ["eof", 8, 8],
      ],
    ],
    [
      "-30d",
      [
        ["offset", { count: 30, unit: "d", sign: -1 }, 0, 4],
        ["eof", 4, 4],
      ],
    ],
    [
      "+7d",
      [
        ["offset", { count: 7, unit: "d", sign: 1 }, 0, 3],
        ["eof", 3, 3],
      ],
    ],
    [
      "< -6m",
      [
        ["punct", "<", 0, 1],
        ["offset", { count: 6, unit: "m", sign: -1 }, 2, 5],
        ["eof", 5, 5],
      ],
    ],
    [
      "x - 30d",
      [
        ["name", "x", 0, 1],
        ["punct", "-", 2, 3],
        ["duration", { count: 30, unit: "d" }, 4, 7],
        ["eof", 7, 7],
      ],
    ],
    // The sign touching the digits of a duration makes an OFFSET wherever it is.
    [
      "x -30d",
      [
        ["name", "x", 0, 1],
        ["offset", { count: 30, unit: "d", sign: -1 }, 2, 6],
        ["eof", 6, 6],
      ],
    ],
    // Before a plain number a sign is always the operator.
    [
      "x -5",
      [
        ["name", "x", 0, 1],
        ["punct", "-", 2, 3],
        ["number", 5, 3, 4],
        ["eof", 4, 4],
      ],
    ],
    [
      "-5",
      [
        ["punct", "-", 0, 1],
        ["number", 5, 1, 2],
        ["eof", 2, 2],
      ],
    ],
    [
      "1000-50",
      [
        ["number", 1000, 0, 4],
        ["punct", "-", 4, 5],
        ["number", 50, 5, 7],
        ["eof", 7, 7],
      ],
    ],
    [
      "orders_count",
      [
        ["name", "orders_count", 0, 12],
        ["eof", 12, 12],
      ],
    ],
    [
      "_x9",
      [
        ["name", "_x9", 0, 3],
        ["eof", 3, 3],
      ],
    ],
    [
      "Today",
      [
        ["keyword", "today", 0, 5],
        ["eof", 5, 5],
      ],
    ],
    [
      "AND Or nOt IN Contains BETWEEN is NULL True false",
      [
        ["keyword", "and", 0, 3],
        ["keyword", "or", 4, 6],
        ["keyword", "not", 7, 10],
        ["keyword", "in", 11, 13],
        ["keyword", "contains", 14, 22],
        ["keyword", "between", 23, 30],
        ["keyword", "is", 31, 33],
        ["keyword", "null", 34, 38],
        ["keyword", "true", 39, 43],
        ["keyword", "false", 44, 49],
        ["eof", 49, 49],
      ],
    ],
    [
      "= != < <= > >=",
      [
        ["punct", "=", 0, 1],
        ["punct", "!=", 2, 4],
        ["punct", "<", 5, 6],
        ["punct", "<=", 7, 9],
        ["punct", ">", 10, 11],
        ["punct", ">=", 12, 14],
        ["eof", 14, 14],
      ],
    ],
    [
      "+-*/()[],:.",
      [
        ["punct", "+", 0, 1],
        ["punct", "-", 1, 2],
        ["punct", "*", 2, 3],
        ["punct", "/", 3, 4],
        ["punct", "(", 4, 5],
        ["punct", ")", 5, 6],
        ["punct", "[", 6, 7],
        ["punct", "]", 7, 8],
        ["punct", ",", 8, 9],
        ["punct", ":", 9, 10],
        ["punct", ".", 10, 11],
        ["eof", 11, 11],
      ],
    ],
    [
      "props.zip",
      [
        ["name", "props", 0, 5],
        ["punct", ".", 5, 6],
        ["name", "zip", 6, 9],
        ["eof", 9, 9],
      ],
    ],
    [
      "a\n\tb\r\n",
      [
        ["name", "a", 0, 1],
        ["name", "b", 3, 4],
        ["eof", 6, 6],
      ],
    ],
    ["", [["eof", 0, 0]]],
  ])("%j", (text, expected) => {
    expect(lex(text)).toEqual(expected);
  });
});

describe("tokenize: errors", () => {
  it.each<[string, string, number, number, string | undefined]>([
    ['"abc', "UNTERMINATED_STRING", 0, 4, 'end it with "'],
    ["x = 'abc\\'", "UNTERMINATED_STRING", 4, 10, "end it with '"],
    [
      '"a\\nb"',
      "INVALID_ESCAPE",
      2,
      4,
      "inside a string only \\\\, \\\" and \\' are escapes; write \\\\ for a backslash",
    ],
    ["2024-02-30", "INVALID_DATE", 0, 10, "check the month and the day of month"],
    ["2023-02-29", "INVALID_DATE", 0, 10, "check the month and the day of month"],
    ["d < 2024-13-01", "INVALID_DATE", 4, 14, "check the month and the day of month"],
    ["2024-1-5", "INVALID_DATE", 0, 8, "write dates as YYYY-MM-DD, e.g. 2024-01-05"],
    [
      "30days",
      "INVALID_DURATION",
      0,
      6,
      "a duration is a whole number and a unit d, w, m or y: 30d, 2w, 6m, 1y",
    ],
    ["30D", "INVALID_DURATION", 0, 3, "units are lowercase: 30d"],
    [
      "1.5m",
      "INVALID_DURATION",
      0,
      4,
      "a duration is a whole number and a unit d, w, m or y: 30d, 2w, 6m, 1y",
    ],
    [
      "x < -3months",
      "INVALID_DURATION",
      4,
      12,
      "a duration is a whole number and a unit d, w, m or y: 30d, 2w, 6m, 1y",
    ],
    ["12.", "INVALID_NUMBER", 0, 3, "write 12 or 12.5"],
    ["a == 1", "INVALID_OPERATOR", 2, 4, "use ="],
    ["a <> 1", "INVALID_OPERATOR", 2, 4, "use !="],
    ["a =< 1", "INVALID_OPERATOR", 2, 4, "use <="],
    ["a => 1", "INVALID_OPERATOR", 2, 4, "use >="],
    ["a && b", "INVALID_OPERATOR", 2, 4, "use and"],
    ["a || b", "INVALID_OPERATOR", 2, 4, "use or"],
    ["!a", "INVALID_OPERATOR", 0, 1, "use not"],
    ["a $ b", "UNEXPECTED_CHARACTER", 2, 3, undefined],
    ["a 😀 b", "UNEXPECTED_CHARACTER", 2, 4, undefined],
    ["tags contains “vip”", "UNEXPECTED_CHARACTER", 14, 19, "use straight quotes: \" or '"],
  ])("%j → %s at %i-%i", (text, code, start, end, hint) => {
    const { diagnostics } = tokenize(text);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code, span: { start, end }, severity: "error" });
    expect(diagnostics[0].hint).toBe(hint);
  });

  it("replaces an operator of another language by the one it stands for", () => {
    const { tokens } = tokenize("a == 1 <> 2 && b");
    expect(tokens.map(brief)).toEqual([
      ["name", "a", 0, 1],
      ["punct", "=", 2, 4],
      ["number", 1, 5, 6],
      ["punct", "!=", 7, 9],
      ["number", 2, 10, 11],
      ["keyword", "and", 12, 14],
      ["name", "b", 15, 16],
      ["eof", 16, 16],
    ]);
  });

  it("turns a bad lexeme into an error token and goes on", () => {
    const { tokens, diagnostics } = tokenize("2024-02-30 < $ 30days");
    expect(tokens.map(brief)).toEqual([
      ["error", 0, 10],
      ["punct", "<", 11, 12],
      ["error", 13, 14],
      ["error", 15, 21],
      ["eof", 21, 21],
    ]);
    expect(diagnostics.map((d) => d.code)).toEqual([
      "INVALID_DATE",
      "UNEXPECTED_CHARACTER",
      "INVALID_DURATION",
    ]);
  });

  it("reads a curly-quoted string as a string after reporting it", () => {
    const { tokens } = tokenize("“vip”");
    expect(tokens.map(brief)).toEqual([
      ["string", "vip", 0, 5],
      ["eof", 5, 5],
    ]);
  });
});
