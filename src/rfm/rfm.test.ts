/**
 * RFM (docs/design.md#rfm): type-7 cut points, scores with ties, the named map, revenue_percentile — checked
 * against arithmetic written out here, and on a slice of the real CDNOW purchase log.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dayFromParts } from "../calendar.js";
import { loadShop } from "../../test/helpers/shop.js";
import { computeRfm, revenuePercentiles } from "./compute.js";
import { quantileSorted, quintileCutPoints } from "./cut-points.js";
import { scoreAscending, scoreRecency } from "./score.js";
import { buildRfmMap, DEFAULT_RFM_MAP, segmentNames } from "./segment-map.js";

describe("cut points", () => {
  it("interpolate between order statistics like numpy's default (type 7)", () => {
    // n = 5: h = 4p. p = 0.2 → h = 0.8 → 10 + 0.8 × (20 − 10) = 18.
    expect(quantileSorted([10, 20, 30, 40, 50], 0.2)).toBeCloseTo(18, 10);
    // p = 0.8 → h = 3.2 → 40 + 0.2 × 10 = 42.
    expect(quantileSorted([10, 20, 30, 40, 50], 0.8)).toBeCloseTo(42, 10);
    expect(quintileCutPoints(Float64Array.from([50, 10, 40, 30, 20]))).toEqual([18, 26, 34, 42]);
    // n = 4: h = 3p → 0.6, 1.2, 1.8, 2.4 over [1, 1, 2, 5]; the last is 2 + 0.4 × 3.
    expect(quintileCutPoints(Float64Array.from([1, 2, 1, 5]))).toEqual([1, 1.2, 1.8, 3.2]);
    expect(quantileSorted([7], 0.4)).toBe(7);
  });

  it("score F and M by cut points strictly below, R by cut points strictly above; ties get equal scores", () => {
    const cuts = [1, 1, 2, 5];
    expect([1, 2, 3, 5, 6].map((v) => scoreAscending(v, cuts))).toEqual([1, 3, 4, 4, 5]);
    const recency = [10, 30, 90, 180];
    expect([0, 10, 11, 30, 90, 179, 180, 500].map((v) => scoreRecency(v, recency))).toEqual([
      5, 4, 4, 3, 2, 2, 1, 1,
    ]);
  });

  it("computes scores, segments and the grid for buyers only", () => {
    // Five buyers and a prospect (NaN recency, 0 orders).
    const result = computeRfm(
      {
        daysSinceLastOrder: [5, 40, 100, 200, 400, NaN],
        ordersCount: [9, 4, 3, 2, 1, 0],
        totalSpent: [900, 400, 300, 200, 100, 0],
      },
      6,
      {},
      DEFAULT_RFM_MAP,
    );
    // recency cuts: [5,40,100,200,400] → h = 0.8, 1.6, 2.4, 3.2 → 33, 76, 140, 240.
    expect(result.cutPoints).toEqual({
      recency: [33, 76, 140, 240],
      frequency: [1.8, 2.6, 3.4, 5],
      monetary: [180, 260, 340, 500],
    });
    expect([...result.r]).toEqual([5, 4, 3, 2, 1, 0]);
    expect([...result.f]).toEqual([5, 4, 3, 2, 1, 0]);
    expect([...result.m]).toEqual([5, 4, 3, 2, 1, 0]);
    expect(result.segment).toEqual([
      "champions",
      "loyal_customers",
      "need_attention",
      "hibernating",
      "hibernating",
      "prospects",
    ]);
    expect(result.grid).toEqual([
      [1, 0, 0, 0, 0],
      [0, 1, 0, 0, 0],
      [0, 0, 1, 0, 0],
      [0, 0, 0, 1, 0],
      [0, 0, 0, 0, 1],
    ]);
    expect(result.buyers).toBe(5);
  });

  it("says when the percentiles collapse, and scores frequency by order count and the others by distinct values", () => {
    // Seven one-order buyers, one with 2, one with 3, one with 7: frequency percentiles 1 1 1 2.2
    // would give only F = 1, 4 or 5. Monetary: 8 of 10 spent 50 (percentiles 50 50 50 56).
    const n = 10;
    const result = computeRfm(
      {
        daysSinceLastOrder: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        ordersCount: [1, 1, 1, 1, 1, 1, 1, 2, 3, 7],
        totalSpent: [50, 50, 50, 50, 50, 50, 50, 50, 80, 200],
      },
      n,
      {},
      DEFAULT_RFM_MAP,
    );
    expect(result.collapsed).toEqual({
      frequency: { percentiles: [1, 1, 1, 2.2], method: "thresholds" },
      monetary: { percentiles: [50, 50, 50, 56], method: "distinct values" },
    });
    expect(result.cutPoints.frequency).toEqual([1, 2, 3, 5]);
    expect([...result.f]).toEqual([1, 1, 1, 1, 1, 1, 1, 2, 3, 5]);
    // Distinct spends 50, 80, 200: type-7 percentiles 62, 74, 104, 152.
    expect(result.cutPoints.monetary).toEqual([62, 74, 104, 152]);
    expect([...result.m]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 3, 5]);
    // Recency did not collapse: scored by its percentiles as always.
    expect(result.collapsed.recency).toBeUndefined();
  });

  it("uses fixed thresholds when given", () => {
    const result = computeRfm(
      { daysSinceLastOrder: [10, 100], ordersCount: [1, 6], totalSpent: [40, 600] },
      2,
      { recency: [30, 90, 180, 365], frequency: [1, 2, 3, 5], monetary: [50, 100, 250, 500] },
      DEFAULT_RFM_MAP,
    );
    expect([...result.r, ...result.f, ...result.m]).toEqual([5, 3, 1, 5, 1, 5]);
    expect(result.cutPoints.recency).toEqual([30, 90, 180, 365]);
  });
});

describe("revenue_percentile", () => {
  it("is the share of buyers who spent strictly less, ties sharing the lower value", () => {
    const p = revenuePercentiles([1, 1, 1, 1, 1, 0], [10, 20, 20, 30, 40, 0], 6);
    expect([...p.slice(0, 5)]).toEqual([0, 20, 20, 60, 80]);
    expect(p[5]).toBeNaN();
  });
});

describe("named map", () => {
  it("names each of the 25 cells once in the default map", () => {
    expect(DEFAULT_RFM_MAP.flat()).toHaveLength(25);
    expect(segmentNames(DEFAULT_RFM_MAP)).toEqual([
      "champions",
      "loyal_customers",
      "potential_loyalists",
      "new_customers",
      "promising",
      "need_attention",
      "about_to_sleep",
      "at_risk",
      "cant_lose",
      "hibernating",
    ]);
    expect(DEFAULT_RFM_MAP[4][0]).toBe("new_customers");
    expect(DEFAULT_RFM_MAP[0][4]).toBe("cant_lose");
  });

  it("builds a custom map from R-then-F patterns and reports gaps and overlaps", () => {
    const built = buildRfmMap({
      best: ["5[4-5]", "4[45]"],
      fresh: ["5[1-3]", "4[1-3]"],
      rest: ["[1-3]?"],
    });
    expect(built.problems).toEqual([]);
    expect(built.map?.[4]).toEqual(["fresh", "fresh", "fresh", "best", "best"]);
    expect(built.map?.[0]).toEqual(["rest", "rest", "rest", "rest", "rest"]);
    expect(
      buildRfmMap({ a: ["5*"], b: ["[1-4]*"], c: ["11"] }).problems.map((p) => p.message),
    ).toEqual(["RFM cell R=1 F=1 is named twice: b and c"]);
    expect(buildRfmMap({ a: ["6*"] }).problems[0].message).toContain(
      'RFM pattern "6*" of "a" is not valid',
    );
  });

  it("reports a backwards range as a problem instead of throwing", () => {
    // [5-1] has the shape of a class but is no valid character range.
    expect(buildRfmMap({ a: ["[5-1]*"] }).problems.map((p) => p.message)).toEqual([
      'RFM pattern "[5-1]*" of "a" is not valid: the range 5-1 runs backwards (write 1-5)',
      "the RFM map leaves 25 cells unnamed (R then F): 55, 54, 53, 52, 51, 45, 44, 43, 42, 41, 35, 34, 33, 32, 31, 25, 24, 23, 22, 21, 15, 14, 13, 12, 11",
    ]);
    // A one-value range and an equal pair are fine.
    expect(buildRfmMap({ a: ["[5-5]*"], b: ["[1-4][1-1]", "[1-4][2-5]"] }).problems).toEqual([]);
  });
});

describe("CDNOW slice (fixtures/model/cdnow-slice.csv, first 60 rows of the public purchase log)", () => {
  it("gives the cut points and grid of an independent computation", async () => {
    const text = readFileSync(
      new URL("../../fixtures/model/cdnow-slice.csv", import.meta.url),
      "utf8",
    );
    // Independent computation: one order per row, as of 1998-06-30.
    const asOf = dayFromParts(1998, 6, 30);
    const byCustomer = new Map<string, { last: number; orders: number; spent: number }>();
    for (const line of text.trim().split("\n").slice(1)) {
      const [id, , date, , sales] = line.split(",");
      const d = dayFromParts(
        Number(date.slice(0, 4)),
        Number(date.slice(4, 6)),
        Number(date.slice(6, 8)),
      );
      const c = byCustomer.get(id) ?? { last: -Infinity, orders: 0, spent: 0 };
      c.last = Math.max(c.last, d);
      c.orders++;
      c.spent += Number(sales);
      byCustomer.set(id, c);
    }
    const quantile = (values: number[], p: number) => {
      const s = [...values].sort((a, b) => a - b);
      const h = (s.length - 1) * p;
      const lo = Math.floor(h);
      return s[lo] + (h - lo) * (s[Math.min(lo + 1, s.length - 1)] - s[lo]);
    };
    const round = (v: number) => Math.round(v * 1e9) / 1e9;
    const customers = [...byCustomer.values()];
    const column = (f: (c: { last: number; orders: number; spent: number }) => number) =>
      [0.2, 0.4, 0.6, 0.8].map((p) => round(quantile(customers.map(f), p)));
    const recency = column((c) => asOf - c.last);
    const frequency = column((c) => c.orders);
    const monetary = column((c) => Math.round(c.spent * 100) / 100);
    const grid = Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
    for (const c of customers) {
      const r = 1 + recency.filter((x) => x > asOf - c.last).length;
      const f = 1 + frequency.filter((x) => x < c.orders).length;
      grid[r - 1][f - 1]++;
    }

    const shop = await loadShop({
      orders: text,
      asOf: "1998-06-30",
      config: "columns:\n  orders: { customer_id: masterid, created_at: date, total: sales }",
    });
    const { rfm } = shop.data.profiles;
    expect(rfm.buyers).toBe(byCustomer.size);
    expect(rfm.cutPoints).toEqual({ recency, frequency, monetary });
    expect(rfm.grid).toEqual(grid);
    // Written out for the reader: 17 buyers; frequency cut points 1, 1, 2.6, 5.
    expect(frequency).toEqual([1, 1, 2.6, 5]);
  });
});
