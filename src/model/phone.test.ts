import { describe, expect, it } from "vitest";
import { compactPhone, isSpreadsheetRounded, PhoneNormalizer } from "./phone.js";

describe("PhoneNormalizer", () => {
  const fr = new PhoneNormalizer("FR");

  it.each([
    ["06 39 98 12 34", "+33639981234"],
    ["0639981234", "+33639981234"],
    ["06.39.98.12.34", "+33639981234"],
    ["06-39-98-12-34", "+33639981234"],
    ["+33 6 39 98 12 34", "+33639981234"],
    ["+33639981234", "+33639981234"],
    ["0033639981234", "+33639981234"],
    ["'+33639981234", "+33639981234"],
    ["+33 (0)6 39 98 12 34", "+33639981234"],
    ["+32 470 12 34 56", "+32470123456"],
    ["+41 79 123 45 67", "+41791234567"],
    ["+1 (415) 555-2671", "+14155552671"],
  ])("%s → %s", (text, expected) => {
    expect(fr.toE164(text)).toBe(expected);
  });

  it.each(["", "12", "06 39 98", "not a phone", "+33 6 39 98 12 34 56 78", "0000000000"])(
    "rejects %j",
    (text) => {
      expect(fr.toE164(text)).toBeUndefined();
    },
  );

  it("needs a default country for national numbers", () => {
    const none = new PhoneNormalizer(undefined);
    expect(none.toE164("06 39 98 12 34")).toBeUndefined();
    expect(none.toE164("+33 6 39 98 12 34")).toBe("+33639981234");
    expect(new PhoneNormalizer("us").toE164("(415) 555-2671")).toBe("+14155552671");
  });

  it("compacts spelling", () => {
    expect(compactPhone("'+33 (0)6 12 34 56 78")).toBe("+33612345678");
    expect(compactPhone("06 12 34 56 78 ext. 12")).toBe("0612345678");
    expect(compactPhone("call me")).toBe("");
  });
});

describe("PhoneNormalizer fast path", () => {
  it("agrees with libphonenumber's full parse on generated numbers", () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const digits = (n: number) => Array.from({ length: n }, () => String(rand(10))).join("");
    for (const country of ["FR", "BE", "CH", "DE", "US", "GB", "ES", "NL", "IT"]) {
      const phones = new PhoneNormalizer(country);
      for (let i = 0; i < 3000; i++) {
        const prefix = [
          "+33",
          "+32",
          "+41",
          "+49",
          "+1",
          "+44",
          "+34",
          "+31",
          "+39",
          "+7",
          "0",
          "00",
          "+",
          "",
        ][rand(14)];
        const key = `${prefix}${digits(6 + rand(8))}`.replace(/^00/, "+");
        const fast = phones.fast(key);
        if (fast === undefined) continue;
        expect([key, country, fast]).toEqual([key, country, phones.parse(key) ?? null]);
      }
    }
  });

  it("takes the fast path for the usual spellings", () => {
    const fr = new PhoneNormalizer("FR");
    expect(fr.fast("0639981234")).toBe("+33639981234");
    expect(fr.fast("+33639981234")).toBe("+33639981234");
    expect(fr.fast("+32470123456")).toBe("+32470123456");
    // Shared calling codes and plans with number types go to the full parser.
    expect(fr.fast("+14155552671")).toBeUndefined();
    expect(fr.fast("+447911123456")).toBeUndefined();
  });
});

describe("isSpreadsheetRounded", () => {
  it("recognises the numbers Excel's General format rounded, and only them", () => {
    expect(isSpreadsheetRounded("9.23225E+11")).toBe(true);
    expect(isSpreadsheetRounded("9.2348E+11")).toBe(true);
    expect(isSpreadsheetRounded("'9,23225E+11")).toBe(true);
    expect(isSpreadsheetRounded("923428000000")).toBe(true);
    expect(isSpreadsheetRounded("923085000000")).toBe(true);
    // Real numbers: fewer than 12 digits are shown in full; more than 6 significant digits survive.
    expect(isSpreadsheetRounded("2015550000")).toBe(false);
    expect(isSpreadsheetRounded("821022898125")).toBe(false);
    expect(isSpreadsheetRounded("+923428000000")).toBe(false);
    expect(isSpreadsheetRounded("06 39 98 00 00")).toBe(false);
  });
});
