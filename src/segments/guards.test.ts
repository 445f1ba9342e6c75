import { describe, expect, it } from "vitest";
import { checkGuards } from "./guards.js";

describe("checkGuards", () => {
  it("trips min and max", () => {
    expect(checkGuards([{ id: "a", guard: { min: 50 }, written: 49 }])).toEqual([
      { id: "a", rule: "min", message: "a: 49 rows, below its guard min 50" },
    ]);
    expect(checkGuards([{ id: "a", guard: { min: 50 }, written: 50 }])).toEqual([]);
    expect(checkGuards([{ id: "b", guard: { max: 20000 }, written: 20001 }])).toEqual([
      { id: "b", rule: "max", message: "b: 20,001 rows, above its guard max 20,000" },
    ]);
    expect(checkGuards([{ id: "b", guard: { max: 20000 }, written: 20000 }])).toEqual([]);
  });

  it("compares with the previous run for max_change, both ways, boundary included", () => {
    const guard = { maxChange: 0.4 };
    expect(checkGuards([{ id: "c", guard, written: 140, previous: 100 }])).toEqual([]);
    expect(checkGuards([{ id: "c", guard, written: 60, previous: 100 }])).toEqual([]);
    expect(checkGuards([{ id: "c", guard, written: 141, previous: 100 }])[0].message).toBe(
      "c: 141 rows vs 100 in the previous run (+41.0%), beyond its guard max_change 40%",
    );
    expect(checkGuards([{ id: "c", guard, written: 0, previous: 1000 }])[0].message).toBe(
      "c: 0 rows vs 1,000 in the previous run (−100.0%), beyond its guard max_change 40%",
    );
  });

  it("skips max_change without a previous run or from zero", () => {
    expect(checkGuards([{ id: "d", guard: { maxChange: 0.1 }, written: 500 }])).toEqual([]);
    expect(
      checkGuards([{ id: "d", guard: { maxChange: 0.1 }, written: 500, previous: 0 }]),
    ).toEqual([]);
  });
});
