import { describe, expect, it } from "vitest";
import { Random } from "./random.js";

describe("Random", () => {
  it("is the same sequence for the same seed, another for another seed", () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it("stays in range and spreads evenly", () => {
    const r = new Random(1);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) {
      const x = r.int(0, 3);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(3);
      counts[x]++;
    }
    for (const n of counts) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });

  it("picks by weight", () => {
    const r = new Random(7);
    let heavy = 0;
    for (let i = 0; i < 10_000; i++)
      if (
        r.weighted([
          ["a", 9],
          ["b", 1],
        ] as const) === "a"
      )
        heavy++;
    expect(heavy).toBeGreaterThan(8_700);
    expect(heavy).toBeLessThan(9_300);
  });
});
