/**
 * The `audience rfm` result: cut points, the R×F grid, and each named segment's size and revenue.
 */
import type { Profiles } from "../model/profile.js";
import type { Collapse, CutPoints, RfmDimension } from "./compute.js";
import { segmentNames, type RfmMap } from "./segment-map.js";

export interface RfmSegmentRow {
  name: string;
  customers: number;
  /** Share of buyers. */
  share: number;
  revenue: number;
  revenueShare: number;
  avgDaysSinceLastOrder: number;
  avgOrders: number;
  avgSpent: number;
}

export interface RfmReport {
  customers: number;
  buyers: number;
  revenue: number;
  cutPoints: CutPoints;
  /** Dimensions whose percentiles collapsed, scored another way (compute.ts `Collapse`). */
  collapsed: Partial<Record<RfmDimension, Collapse>>;
  /** Whether the cut points are the config's fixed thresholds. */
  fixed: { recency: boolean; frequency: boolean; monetary: boolean };
  /** grid[r - 1][f - 1]. */
  grid: number[][];
  /** The named segment of each cell, map[r - 1][f - 1]. */
  map: RfmMap;
  segments: RfmSegmentRow[];
}

export function buildRfmReport(
  profiles: Profiles,
  map: RfmMap,
  fixed: RfmReport["fixed"],
): RfmReport {
  const { store, rfm } = profiles;
  const totals = new Map<
    string,
    { customers: number; revenue: number; days: number; orders: number }
  >();
  for (const name of segmentNames(map))
    totals.set(name, { customers: 0, revenue: 0, days: 0, orders: 0 });
  let revenue = 0;
  for (let c = 0; c < store.size; c++) {
    if (store.ordersCount[c] === 0) continue;
    const t = totals.get(rfm.segment[c]);
    if (t === undefined) continue;
    t.customers++;
    t.revenue += store.totalSpent[c];
    t.days += profiles.daysSinceLastOrder[c];
    t.orders += store.ordersCount[c];
    revenue += store.totalSpent[c];
  }
  const segments: RfmSegmentRow[] = [...totals.entries()].map(([name, t]) => ({
    name,
    customers: t.customers,
    share: rfm.buyers === 0 ? 0 : t.customers / rfm.buyers,
    revenue: round2(t.revenue),
    revenueShare: revenue === 0 ? 0 : t.revenue / revenue,
    avgDaysSinceLastOrder: t.customers === 0 ? NaN : t.days / t.customers,
    avgOrders: t.customers === 0 ? NaN : t.orders / t.customers,
    avgSpent: t.customers === 0 ? NaN : t.revenue / t.customers,
  }));
  return {
    customers: store.size,
    buyers: rfm.buyers,
    revenue: round2(revenue),
    cutPoints: rfm.cutPoints,
    collapsed: rfm.collapsed,
    fixed,
    grid: rfm.grid,
    map,
    segments,
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
