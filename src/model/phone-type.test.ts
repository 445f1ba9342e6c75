import { parsePhoneNumberFromString } from "libphonenumber-js/core";
import metadata from "libphonenumber-js/max/metadata";
import { describe, expect, it } from "vitest";
import { PhoneTypes } from "./phone-type.js";

const types = new PhoneTypes(metadata);

const KIND: Record<string, string> = {
  MOBILE: "mobile",
  FIXED_LINE: "fixed_line",
  FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
};

describe("PhoneTypes", () => {
  it("tells mobiles from landlines; US and Canadian numbers cannot be told apart", () => {
    expect(types.kind("+33612345678")).toBe("mobile");
    expect(types.kind("+33140000000")).toBe("fixed_line");
    expect(types.kind("+442079460000")).toBe("fixed_line");
    expect(types.kind("+447400123456")).toBe("mobile");
    expect(types.kind("+4915123456789")).toBe("mobile");
    expect(types.kind("+12015550123")).toBe("fixed_line_or_mobile");
    expect(types.kind("+18005550123")).toBe("other"); // toll free
    expect(types.canText("+33140000000")).toBe(false);
    expect(types.canText("+12015550123")).toBe(true);
    expect(types.canText("+33612345678")).toBe(true);
  });

  it("gives the type libphonenumber's getType() gives, on generated numbers of many plans", () => {
    // A deterministic walk over numbers of several lengths in every calling code.
    const codes = Object.keys(metadata.country_calling_codes);
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    let compared = 0;
    for (const code of codes) {
      for (let i = 0; i < 60; i++) {
        const length = 6 + (next() % 7);
        let national = "";
        for (let d = 0; d < length; d++) national += String(next() % 10);
        const parsed = parsePhoneNumberFromString(`+${code}${national}`, metadata);
        if (parsed === undefined || !parsed.isValid()) continue;
        // What the store holds: libphonenumber's own E.164.
        const e164 = parsed.number;
        const type = parsed.getType();
        const expected = type === undefined ? "unknown" : (KIND[type] ?? "other");
        expect([e164, types.kind(e164)]).toEqual([e164, expected]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(500);
  });
});
