import { describe, expect, it } from "vitest";
import { didYouMean, editDistance, suggest } from "./suggest.js";

describe("suggest", () => {
  it("finds a close typo", () => {
    expect(suggest("ordres_count", ["orders_count", "total_spent"])).toBe("orders_count");
    expect(suggest("timezon", ["timezone", "contacts"])).toBe("timezone");
  });

  it("ignores case", () => {
    expect(suggest("EMAIL", ["email", "phone"])).toBe("email");
  });

  it("offers nothing when no candidate is close", () => {
    expect(suggest("revenue", ["orders_count", "email"])).toBeUndefined();
    expect(didYouMean("zzz", ["email"])).toBe("");
  });

  it("counts a transposition as one edit", () => {
    expect(editDistance("ab", "ba")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });

  it("formats the hint", () => {
    expect(didYouMean("chanel", ["channel"])).toBe(' (did you mean "channel"?)');
  });
});
