import { describe, expect, it } from "vitest";
import { countryCode } from "./countries.js";

describe("countryCode", () => {
  it("reads codes and names in the common languages, and guesses nothing", () => {
    const cases: [string, string | undefined][] = [
      ["FR", "FR"],
      ["de", "DE"],
      ["UK", "GB"],
      ["France", "FR"],
      ["Deutschland", "DE"],
      ["United States", "US"],
      ["united states of america", "US"],
      ["USA", "US"],
      ["Royaume-Uni", "GB"],
      ["España", "ES"],
      ["Espana", "ES"],
      ["Österreich", "AT"],
      ["Schweiz", "CH"],
      ["Suisse", "CH"],
      ["Nederland", "NL"],
      ["Holland", "NL"],
      ["Italia", "IT"],
      ["Brasil", "BR"],
      ["Czech Republic", "CZ"],
      ["  japan ", "JP"],
      // The Spanish short name of the United Kingdom is not Russia's code.
      ["RU", "RU"],
      ["Atlantis", undefined],
      ["ZZ", undefined],
      ["", undefined],
    ];
    for (const [text, code] of cases) expect([text, countryCode(text)]).toEqual([text, code]);
  });
});
