import { describe, expect, it } from "vitest";
import { compilePatterns } from "./patterns.js";

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
