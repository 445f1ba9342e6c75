import { describe, expect, it } from "vitest";
import { compilePatterns, compileWildcard, matchWildcard } from "./patterns.js";

describe("compilePatterns", () => {
  it("matches case-insensitively", () => {
    const m = compilePatterns([{ text: "sérum", wildcard: false }]);
    expect(m("Sérum")).toBe(true);
    expect(m("SÉRUM")).toBe(true);
    expect(m(" sérum ")).toBe(true);
    expect(m("Sérums")).toBe(false);
    expect(m(undefined)).toBe(false);
  });

  it("treats * as any run of characters", () => {
    const m = compilePatterns([{ text: "*sérum*", wildcard: true }]);
    expect(m("Sérum éclat 30 ml")).toBe(true);
    expect(m("Mini SÉRUM")).toBe(true);
    expect(m("Crème")).toBe(false);
    const prefix = compilePatterns([{ text: "c*", wildcard: true }]);
    expect(prefix("C536379")).toBe(true);
    expect(prefix("536379")).toBe(false);
  });

  it("anchors a wildcard pattern at both ends: text before or after it must be matched by a *", () => {
    const suffix = compilePatterns([{ text: "*serum", wildcard: true }]);
    expect(suffix("Mini serum")).toBe(true);
    expect(suffix("Serum")).toBe(true);
    expect(suffix("Serum kit")).toBe(false);
    const prefix = compilePatterns([{ text: "serum*", wildcard: true }]);
    expect(prefix("Serum kit")).toBe(true);
    expect(prefix("Mini serum")).toBe(false);
    const middle = compilePatterns([{ text: "s*m", wildcard: true }]);
    expect(middle("serum")).toBe(true);
    expect(middle("a serum")).toBe(false);
    expect(middle("serums")).toBe(false);
  });

  it("keeps other regex characters literal", () => {
    const m = compilePatterns([{ text: "a.b (x)*", wildcard: true }]);
    expect(m("A.B (X) and more")).toBe(true);
    expect(m("AxB (X)")).toBe(false);
  });

  it("matches any of several patterns", () => {
    const m = compilePatterns([
      { text: "web", wildcard: false },
      { text: "store", wildcard: false },
    ]);
    expect(m("Store")).toBe(true);
    expect(m("pos")).toBe(false);
  });
});

describe("wildcards without backtracking", () => {
  it("agrees with the plain meaning of * on tricky cases", () => {
    const cases: [string, string, boolean][] = [
      ["a*a", "a", false],
      ["a*a", "aa", true],
      ["*ab*ab*", "abab", true],
      ["*ab*ab*", "aab", false],
      ["*aab*", "aaab", true],
      ["*abc*abd*", "abcabcabd", true],
      ["a**b", "ab", true],
      ["*", "", true],
      ["x*", "", false],
      ["*b", "abb", true],
      ["*aa*a", "aaa", true],
      ["*aa*a", "aa", false],
    ];
    for (const [pattern, text, expected] of cases)
      expect([pattern, text, matchWildcard(compileWildcard(pattern), text)]).toEqual([
        pattern,
        text,
        expected,
      ]);
  });

  it("matches like the equivalent regular expression on random strings", () => {
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const word = (max: number, letters: string) =>
      Array.from({ length: next() % (max + 1) }, () => letters[next() % letters.length]).join("");
    for (let i = 0; i < 3000; i++) {
      const pattern = word(6, "ab*");
      const text = word(10, "ab");
      const re = new RegExp(`^${pattern.split("*").join(".*")}$`, "s");
      expect([pattern, text, matchWildcard(compileWildcard(pattern), text)]).toEqual([
        pattern,
        text,
        re.test(text),
      ]);
    }
  });

  it("does work linear in the text: *serum*visage* on a 1 MB cell that almost matches", () => {
    const w = compileWildcard("*serum*visage*");
    for (const text of [
      "serum ".repeat(170_000) + "visag",
      "s".repeat(1 << 20),
      "serum" + "visagx".repeat(170_000),
    ]) {
      const steps = { count: 0 };
      expect(matchWildcard(w, text, steps)).toBe(false);
      expect(steps.count).toBeLessThanOrEqual(2 * text.length + 64);
    }
    const m = compilePatterns([{ text: "*serum*visage*", wildcard: true }]);
    expect(m("x".repeat(1 << 20) + "Sérum serum VISAGE")).toBe(true);
  });
});
