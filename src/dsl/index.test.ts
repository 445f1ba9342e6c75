import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../calendar.js";
import { ORDER_ROW_ENV, PROFILE_ENV } from "./env.js";
import { AggregateTable, checkExpression, compileExpression } from "./index.js";

describe("checkExpression", () => {
  it("is ok with a tree and no diagnostics for a valid expression", () => {
    const result = checkExpression("orders_count >= 1", PROFILE_ENV, { expect: "boolean" });
    expect(result).toMatchObject({ ok: true, diagnostics: [], segmentRefs: [] });
    expect(result.checked).toBeDefined();
  });

  it("is not ok, without a tree, when there is an error", () => {
    const result = checkExpression("orders_count >= 1 and nope", PROFILE_ENV);
    expect(result.ok).toBe(false);
    expect(result.checked).toBeUndefined();
  });

  it("lists diagnostics in source order whichever stage found them", () => {
    const result = checkExpression('foo = 1 and email == "x" and bar = 2', PROFILE_ENV);
    expect(result.diagnostics.map((d) => [d.code, d.span.start])).toEqual([
      ["UNKNOWN_FIELD", 0],
      ["INVALID_OPERATOR", 18],
      ["UNKNOWN_FIELD", 29],
    ]);
  });

  it("reports an over-long expression alone", () => {
    const result = checkExpression(`${"x".repeat(10_001)} $ nope`, PROFILE_ENV);
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["EXPR_TOO_LONG"]);
  });

  it("checks and compiles end to end", () => {
    const checked = checkExpression('orders(category: "Sérum", within: 30d) = 0', PROFILE_ENV);
    if (!checked.ok || checked.checked === undefined) throw new Error("not ok");
    const table = new AggregateTable();
    const plan = compileExpression(checked.checked, parseIsoDay("2026-06-30") ?? 0, table);
    expect(plan).toMatchObject({ kind: "compare", left: { kind: "aggregate", index: 0 } });
    expect(table.specs).toHaveLength(1);
  });
});

describe("checkExpression: robustness", () => {
  const alphabet = fc.constantFrom(
    ..."abz_019 -+*/()[],:.=<>!\"'\\$é“”".split(""),
    "and ",
    "or ",
    "not ",
    " in ",
    " is null",
    "between ",
    "contains ",
    "orders(",
    "events(",
    "within: ",
    "30d",
    "-6m",
    "2024-01-01",
    "2024-02-30",
    "today",
    "null",
    "orders_count",
    "last_order_date",
    "props.",
    "tags",
  );
  const expression = fc.array(alphabet, { maxLength: 40 }).map((parts) => parts.join(""));

  it("never throws, and every span lies inside the text", () => {
    fc.assert(
      fc.property(expression, fc.boolean(), (text, orderRow) => {
        const result = checkExpression(text, orderRow ? ORDER_ROW_ENV : PROFILE_ENV, {
          expect: "boolean",
        });
        expect(result.ok).toBe(!result.diagnostics.some((d) => d.severity === "error"));
        expect(result.ok).toBe(result.checked !== undefined);
        for (const d of [...result.diagnostics, ...result.segmentRefs]) {
          expect(d.span.start).toBeGreaterThanOrEqual(0);
          expect(d.span.start).toBeLessThanOrEqual(d.span.end);
          expect(d.span.end).toBeLessThanOrEqual(text.length);
        }
        if (result.ok && result.checked !== undefined) {
          compileExpression(result.checked, 20_000, new AggregateTable());
        }
      }),
      { numRuns: 2_000, seed: 20_260_630 },
    );
  });
});
