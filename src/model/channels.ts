/**
 * `audience channels` (docs/design.md#commands, §9): per acquisition channel, how many contacts became buyers,
 * how often they buy and how much they bring; and the Pareto check — the share of revenue that
 * comes from the top 20% of buyers.
 */
import type { Profiles } from "./profile.js";

export interface ChannelRow {
  channel: string;
  contacts: number;
  buyers: number;
  conversion: number;
  orders: number;
  ordersPerBuyer: number;
  avgOrderValue: number;
  revenue: number;
  revenuePerContact: number;
  revenuePerBuyer: number;
}

export interface ChannelReport {
  channels: ChannelRow[];
  customers: number;
  buyers: number;
  revenue: number;
  /** Share of revenue from the top 20% of buyers by total spent (0–1). */
  top20RevenueShare: number;
  /**
   * The Pareto curve: pareto[k] is the share of revenue from the top k% of buyers by total spent,
   * k = 0…100 (so pareto[20] is top20RevenueShare).
   */
  pareto: number[];
}

/** Customers without a channel are grouped under this name. */
export const NO_CHANNEL = "(none)";

export type ChannelSort =
  "revenue" | "revenue_per_buyer" | "revenue_per_contact" | "buyers" | "conversion";

export function buildChannelReport(
  profiles: Profiles,
  sort: ChannelSort = "revenue",
): ChannelReport {
  const { store } = profiles;
  const rows = new Map<
    string,
    { contacts: number; buyers: number; orders: number; revenue: number }
  >();
  let revenue = 0;
  const spends: number[] = [];
  for (let c = 0; c < store.size; c++) {
    const name = profiles.acquisitionChannel(c)?.toLowerCase() ?? NO_CHANNEL;
    let row = rows.get(name);
    if (row === undefined) {
      row = { contacts: 0, buyers: 0, orders: 0, revenue: 0 };
      rows.set(name, row);
    }
    row.contacts++;
    const orders = store.ordersCount[c];
    if (orders > 0) {
      row.buyers++;
      row.orders += orders;
      row.revenue += store.totalSpent[c];
      revenue += store.totalSpent[c];
      spends.push(store.totalSpent[c]);
    }
  }
  const channels: ChannelRow[] = [...rows.entries()].map(([channel, r]) => ({
    channel,
    contacts: r.contacts,
    buyers: r.buyers,
    conversion: r.contacts === 0 ? 0 : r.buyers / r.contacts,
    orders: r.orders,
    ordersPerBuyer: r.buyers === 0 ? 0 : r.orders / r.buyers,
    avgOrderValue: r.orders === 0 ? 0 : r.revenue / r.orders,
    revenue: Math.round(r.revenue * 100) / 100,
    revenuePerContact: r.contacts === 0 ? 0 : r.revenue / r.contacts,
    revenuePerBuyer: r.buyers === 0 ? 0 : r.revenue / r.buyers,
  }));
  const key: Record<ChannelSort, (r: ChannelRow) => number> = {
    revenue: (r) => r.revenue,
    revenue_per_buyer: (r) => r.revenuePerBuyer,
    revenue_per_contact: (r) => r.revenuePerContact,
    buyers: (r) => r.buyers,
    conversion: (r) => r.conversion,
  };
  channels.sort((a, b) => key[sort](b) - key[sort](a) || (a.channel < b.channel ? -1 : 1));
  return {
    channels,
    customers: store.size,
    buyers: spends.length,
    revenue: Math.round(revenue * 100) / 100,
    top20RevenueShare: topShare(spends, revenue, 0.2),
    pareto: paretoCurve(spends, revenue),
  };
}

/** Share of `total` from the top k% of buyers for k = 0…100, rounded up as in `topShare`. */
export function paretoCurve(spends: number[], total: number): number[] {
  if (spends.length === 0 || total <= 0) return new Array<number>(101).fill(0);
  const sorted = Float64Array.from(spends).sort().reverse();
  const curve: number[] = [];
  let sum = 0;
  let taken = 0;
  for (let k = 0; k <= 100; k++) {
    const top = Math.ceil((sorted.length * k) / 100);
    while (taken < top) sum += sorted[taken++];
    curve.push(sum / total);
  }
  return curve;
}

/**
 * Share of `total` from the top `fraction` of buyers (rounded up: with 7 buyers, the top 20% is
 * the 2 biggest).
 */
export function topShare(spends: number[], total: number, fraction: number): number {
  if (spends.length === 0 || total <= 0) return 0;
  const sorted = Float64Array.from(spends).sort().reverse();
  const top = Math.ceil(sorted.length * fraction);
  let sum = 0;
  for (let i = 0; i < top; i++) sum += sorted[i];
  return sum / total;
}
